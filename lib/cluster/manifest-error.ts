// The error of a manifest that cannot become a cluster object, in a module of its own so the converters
// (objects.ts) and the validator (validate.ts) can both use it without importing each other.
export class ManifestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ManifestError';
  }
}
