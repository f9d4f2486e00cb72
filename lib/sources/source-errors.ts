// Errors the live source reports, in a module of their own so the CLI can recognise them without loading the live
// source, which fixture mode never needs.

/** A kubeconfig or in-cluster configuration that cannot be used. */
export class KubeConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KubeConfigError';
  }
}

/** An optional resource (a CRD) answered 404 before its first sync: not installed (any more). */
export class ResourceMissingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ResourceMissingError';
  }
}

/** The API server refused a list or watch (401/403): the message names the RBAC rule to add. */
export class PermissionError extends Error {
  constructor(message: string, readonly statusCode: number) {
    super(message);
    this.name = 'PermissionError';
  }
}
