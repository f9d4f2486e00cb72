// Errors the live source reports, in a module of their own so the CLI can recognise them without loading the live
// source, which fixture mode never needs.

/** A kubeconfig or in-cluster configuration that cannot be used. */
export class KubeConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KubeConfigError';
  }
}

/** The API server refused a list or watch (401/403): the message names the RBAC rule to add. */
export class PermissionError extends Error {
  constructor(message: string, readonly statusCode: number) {
    super(message);
    this.name = 'PermissionError';
  }
}
