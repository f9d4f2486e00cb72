// A bearer token kept in a file that someone else rotates (the kubelet's projected service account token, a user's
// tokenFile): re-read when the copy is a minute old, as client-go's cached file token source does, and at once after
// a 401. A re-read that fails keeps the last good token (the file may be mid-swap) and says so when there is none.
import { KubeConfigError } from '../source-errors.js';
import { CREDENTIAL_FILE_MAX_BYTES, readBounded } from './merge.js';

/** client-go re-reads a token file at most this often (plus after a 401). */
export const TOKEN_FILE_REREAD_MS = 60_000;

export class TokenFile {
  private token: string | undefined;
  private readAt = -Infinity;

  /** `what` names the field for errors: 'kubeconfig F: users[0] "u": tokenFile'. */
  constructor(readonly file: string, private readonly what: string, private readonly now: () => number = () => performance.now()) {}

  /** Reads the file now, so a missing or empty file is a start-up error. */
  check(): this {
    this.get();
    return this;
  }

  get(): string {
    if (this.token !== undefined && this.now() - this.readAt < TOKEN_FILE_REREAD_MS) return this.token;
    try {
      const text = readBounded(this.file, CREDENTIAL_FILE_MAX_BYTES, this.what).toString('utf8').trim();
      if (text === '') throw new KubeConfigError(`${this.what}: ${this.file} is empty`);
      if (/[\r\n]/.test(text)) throw new KubeConfigError(`${this.what}: ${this.file} holds several lines; a token is one`);
      this.token = text;
    } catch (err) {
      if (this.token === undefined) throw err;
    }
    this.readAt = this.now();
    return this.token;
  }

  /** The server said 401: read the file again on the next request. */
  reset(): boolean {
    this.readAt = -Infinity;
    return true;
  }
}
