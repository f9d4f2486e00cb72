// SO_REUSEPORT for the DNS sockets (--reuse-port, reusePort: true): several clusterdns processes on one port, so a
// new one can start before the old one stops (restart without dropping queries) or several share the load.
// Node takes `reusePort` on dgram.createSocket and net.Server#listen from 22.12 / 23.1; older lines ignore the
// option without a word, and the second process would then fail with EADDRINUSE as if the flag were not there, so
// the version is checked first.
export const REUSE_PORT_SINCE = '22.12.0 (or 23.1.0 on the 23 line)';

/** Why this runtime cannot do reusePort, or undefined when it can. */
export function reusePortProblem(version: string = process.versions.node): string | undefined {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  const ok = major >= 24 || (major === 23 && minor >= 1) || (major === 22 && minor >= 12);
  return ok ? undefined : `needs Node.js ${REUSE_PORT_SINCE} or later for SO_REUSEPORT; this is ${version}`;
}

/** The kernel or the runtime would not share the port: a configuration problem, not a crash. */
export class ReusePortError extends Error {
  constructor(message: string, readonly code?: string) {
    super(message);
  }
}

const REFUSED = new Set(['ENOTSUP', 'EOPNOTSUPP', 'ENOPROTOOPT', 'ENOSYS']);

/**
 * A bind error a user can act on: EADDRINUSE says whether --reuse-port would help or why it did not; an error from
 * a kernel without SO_REUSEPORT says so. Everything else is returned as it was.
 */
export function explainBindError(err: unknown, reusePort: boolean, proto: 'udp' | 'tcp', address: string): unknown {
  const e = err as NodeJS.ErrnoException;
  if (!e || typeof e !== 'object' || typeof e.message !== 'string') return err;
  if (e.code === 'EADDRINUSE') {
    e.message = reusePort
      ? `${e.message} (${proto}): the port is held by a socket that does not share it: a process started without --reuse-port (reusePort), or another user's`
      : `${e.message} (${proto}): the port is taken; to run several clusterdns on one port (a restart without dropping queries, several workers), start every one with --reuse-port (in-process: reusePort: true)`;
    return e;
  }
  if (reusePort && e.code && REFUSED.has(e.code)) {
    return new ReusePortError(`--reuse-port (reusePort): the kernel refused SO_REUSEPORT on ${proto} ${address}: ${e.message}`, e.code);
  }
  return err;
}
