// Who may use the admin API. A token guards the routes that change state; with `--admin-auth all` it guards the
// routes that read too (records, status, faults, and the query journal, which shows client addresses and what they
// asked), which is the default when the admin listener is reachable from beyond loopback. /health, /ready and
// /metrics stay open: kubelet and Prometheus call them without credentials, and they show no cluster data; /docs
// and /openapi.json describe the API and hold no data either, nor does the console's page (/ and /console/*), which
// asks for the token before it reads anything.
import { createHash, timingSafeEqual } from 'node:crypto';

export type AdminAuth = 'all' | 'writes';
export const ADMIN_AUTH_MODES: readonly AdminAuth[] = ['all', 'writes'];

/** 16 characters of `openssl rand -hex 8` are 64 bits: beyond guessing over HTTP. */
export const MIN_TOKEN_LENGTH = 16;

/** Routes (as registered: "/docs/*" for the UI's files) open whatever the mode. */
export function isOpenPath(path: string): boolean {
  return path === '/' || path.startsWith('/console/') || path === '/health' || path === '/ready' || path === '/metrics' || path === '/openapi.json' || path === '/docs' || path.startsWith('/docs/');
}

/** Why a token is too weak to guard anything, or undefined when it will do. */
export function adminTokenProblem(token: string): string | undefined {
  if (token.trim() === '') return 'the admin token is empty or only whitespace';
  // eslint-disable-next-line no-control-regex
  if (/[\s\x00-\x1f\x7f]/.test(token)) return 'the admin token contains whitespace or control characters, which an Authorization header cannot carry as they are';
  if (token.length < MIN_TOKEN_LENGTH) return `the admin token has ${token.length} characters: use at least ${MIN_TOKEN_LENGTH} (e.g. \`openssl rand -hex 16\`)`;
  if (new Set(token).size < 5) return `the admin token is ${new Set(token).size} characters repeated: use a random one (e.g. \`openssl rand -hex 16\`)`;
  return undefined;
}

/** The same test as lib/start.ts's (copied: importing it from there would be a cycle through the admin app). */
function isLoopback(host: string): boolean {
  return /^127\./.test(host) || host === '::1' || host === 'localhost';
}

/**
 * DNS rebinding: a page on evil.example whose name is re-pointed at 127.0.0.1 reaches a loopback admin listener as
 * same-origin (Origin and Host both say evil.example), so neither CORS nor the Origin check stops it, and without a
 * token it could read the journal and inject faults. A listener on loopback therefore answers only requests that
 * name a loopback host (localhost, *.localhost, 127.x, [::1]) or its own address. Beyond loopback a token guards it.
 */
export function hostAllowed(hostHeader: string | undefined, adminHost: string | undefined): boolean {
  if (adminHost === undefined || !isLoopback(adminHost)) return true;
  if (hostHeader === undefined) return true; // HTTP/1.0 clients and raw tests: no name to have been rebound
  const m = /^(\[[^\]]*\]|[^:]*)(?::\d+)?$/.exec(hostHeader.trim().toLowerCase());
  if (!m) return false;
  const name = m[1]!.replace(/^\[|\]$/g, '').replace(/\.$/, '');
  return name === 'localhost' || name.endsWith('.localhost') || /^127\.\d+\.\d+\.\d+$/.test(name) || name === '::1' || name === adminHost.toLowerCase();
}

/** The mode in force: as configured, else `all` beyond loopback (the listener then has a token) and `writes` on it. */
export function effectiveAdminAuth(configured: AdminAuth | undefined, adminHost: string | undefined): AdminAuth {
  if (configured) return configured;
  return adminHost !== undefined && !isLoopback(adminHost) ? 'all' : 'writes';
}

/**
 * Checks an Authorization header against the token in constant time: both sides are hashed first, so neither
 * the comparison nor its length check tells a caller how much of a guess was right.
 */
export function tokenChecker(token: string): (authorization: string | undefined) => boolean {
  const want = createHash('sha256').update(token).digest();
  return (authorization) => {
    const m = /^Bearer +(\S+) *$/i.exec(authorization ?? '');
    const given = createHash('sha256').update(m ? m[1] : '').digest();
    return timingSafeEqual(given, want) && m !== null;
  };
}
