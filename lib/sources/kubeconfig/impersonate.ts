// Impersonation fields of a kubeconfig user (as, as-uid, as-groups, as-user-extra), sent as client-go sends them:
// Impersonate-User, Impersonate-Uid, one Impersonate-Group header per group, and one Impersonate-Extra-<key> header
// per value, the key percent-encoded where it is not a header token character (and '%' itself).
import { KubeConfigError } from '../source-errors.js';
import { stringField, type Entry } from './merge.js';

export type ImpersonationHeaders = Record<string, string | string[]>;

/** RFC 7230 tchar: what a header name may hold unescaped (client-go's legalHeaderKeyBytes). */
const TCHAR = /^[!#$&'*+\-.^_`|~0-9A-Za-z]$/;

function escapeExtraKey(key: string): string {
  let out = '';
  for (const b of Buffer.from(key, 'utf8')) {
    const c = String.fromCharCode(b);
    out += TCHAR.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** A header value as Go sends a string: its UTF-8 bytes (Node writes header strings as latin1, byte per char). */
function headerValue(v: string, where: string): string {
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x08\x0a-\x1f\x7f]/.test(v)) throw new KubeConfigError(`${where} holds a control character, which an HTTP header cannot carry`);
  return Buffer.from(v, 'utf8').toString('latin1');
}

function stringList(user: Entry, field: string): string[] {
  const v = user.fields[field];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new KubeConfigError(`${user.where}: ${field} must be a list of strings`);
  return v as string[];
}

export function impersonationHeaders(user: Entry): ImpersonationHeaders {
  const as = stringField(user, 'as');
  const uid = stringField(user, 'as-uid');
  const groups = stringList(user, 'as-groups');
  const extraField = user.fields['as-user-extra'];
  if (extraField !== undefined && extraField !== null && (typeof extraField !== 'object' || Array.isArray(extraField))) {
    throw new KubeConfigError(`${user.where}: as-user-extra must be a mapping of key to a list of strings`);
  }
  const extra = Object.entries((extraField ?? {}) as Record<string, unknown>);
  const headers: ImpersonationHeaders = {};
  if (!as) {
    // kubectl refuses the same for --as-group/--as-uid without --as; the API server would answer 403 for each request.
    if (uid || groups.length > 0 || extra.length > 0) {
      throw new KubeConfigError(`${user.where}: ${uid ? 'as-uid' : groups.length > 0 ? 'as-groups' : 'as-user-extra'} is set without as (the user to impersonate)`);
    }
    return headers;
  }
  headers['Impersonate-User'] = headerValue(as, `${user.where}: as`);
  if (uid) headers['Impersonate-Uid'] = headerValue(uid, `${user.where}: as-uid`);
  if (groups.length > 0) headers['Impersonate-Group'] = groups.map((g, i) => headerValue(g, `${user.where}: as-groups[${i}]`));
  for (const [key, values] of extra) {
    const at = `${user.where}: as-user-extra "${key}"`;
    if (key === '') throw new KubeConfigError(`${user.where}: as-user-extra has an empty key`);
    if (!Array.isArray(values) || values.some((x) => typeof x !== 'string')) throw new KubeConfigError(`${at} must be a list of strings`);
    if (values.length > 0) headers[`Impersonate-Extra-${escapeExtraKey(key)}`] = values.map((x) => headerValue(x as string, at));
  }
  return headers;
}
