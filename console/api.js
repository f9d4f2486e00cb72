// Every call to the admin API goes through here: the token (asked for once, kept in sessionStorage, sent as a Bearer
// header; never in a URL, where logs and history would keep it) and the API's { error, message } bodies as errors.
import { askToken } from './token.js';

const KEY = 'clusterdns.adminToken';

export function getToken() {
  try { return sessionStorage.getItem(KEY) ?? ''; } catch { return ''; }
}

export function setToken(token) {
  try {
    if (token) sessionStorage.setItem(KEY, token);
    else sessionStorage.removeItem(KEY);
  } catch { /* storage refused (private mode): the token lives until the tab reloads */ }
}

export class ApiError extends Error {
  constructor(status, message, body) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

export function authHeaders(extra = {}) {
  const t = getToken();
  return t ? { ...extra, authorization: `Bearer ${t}` } : extra;
}

/** fetch with the token; on 401 asks for it (once for all callers) and tries again; null if the user cancels. */
export async function authedFetch(path, init = {}) {
  for (;;) {
    const res = await fetch(path, { ...init, headers: authHeaders(init.headers ?? {}) });
    if (res.status !== 401) return res;
    const body = await res.json().catch(() => ({}));
    const token = await askToken(getToken() ? 'The server refused this token: check it.' : (body.message ?? 'This admin API needs its token.'));
    if (token === null) throw new ApiError(401, 'no admin token: the server needs one to answer this', body);
    setToken(token);
  }
}

/** A JSON API call: the parsed body, or an ApiError carrying the server's message. */
export async function api(path, { method = 'GET', body, type = 'application/json', signal } = {}) {
  const init = { method, signal, headers: {} };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    init.headers['content-type'] = type;
  }
  const res = await authedFetch(path, init);
  const text = await res.text();
  let json;
  try { json = text ? JSON.parse(text) : {}; } catch { json = { message: text }; }
  if (!res.ok) throw new ApiError(res.status, json.message ?? `${res.status} ${res.statusText}`, json);
  return json;
}

export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}
