// Checks what `clusterdns resolver` writes into /etc: a zone becomes a file name (/etc/resolver/<zone>) and a
// line in a resolver's configuration, so a `/`, `..` or a newline in it would write elsewhere or inject a directive.
// Only plain DNS names pass; everything else is a usage error that says what to fix.
import { isIP } from 'node:net';

export class ResolverUsageError extends Error {}

const LABEL = /^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?$/;

/** "Cluster.Local." → "cluster.local"; throws ResolverUsageError naming the fault. */
export function checkZone(raw: string): string {
  const shown = JSON.stringify(raw.length > 80 ? `${raw.slice(0, 80)}…` : raw);
  const bad = (why: string) => new ResolverUsageError(`--zone ${shown}: ${why}; a zone is a DNS name such as cluster.local or cluster.test`);
  if (raw.length > 1024) throw bad(`${raw.length} characters (a DNS name has at most 253)`);
  const zone = raw.toLowerCase().replace(/\.$/, '');
  if (zone === '') throw bad('empty (the root zone would send every name to clusterdns)');
  if (/[\s\0]/.test(zone)) throw bad('contains a space, tab, newline or NUL');
  if (zone.includes('/') || zone.includes('\\')) throw bad('contains a slash');
  if (zone.includes('..') || zone.startsWith('.')) throw bad('has an empty label ("..")');
  const labels = zone.split('.');
  for (const l of labels) {
    if (l.length > 63) throw bad(`label "${l.slice(0, 20)}…" has ${l.length} characters (at most 63)`);
    if (!LABEL.test(l)) throw bad(`label "${l}" may hold only letters, digits, "-" and "_" (and not begin or end with "-")`);
  }
  if (zone.length > 253) throw bad(`${zone.length} characters (a DNS name has at most 253)`);
  return zone;
}

export function checkAddress(raw: string): string {
  if (isIP(raw) === 0) throw new ResolverUsageError(`--address ${JSON.stringify(raw.slice(0, 80))}: expected the IP address clusterdns listens on (e.g. 127.0.0.1 or ::1)`);
  return raw;
}

export function checkPort(raw: string): number {
  if (!/^\d{1,5}$/.test(raw) || Number(raw) < 1 || Number(raw) > 65535) {
    throw new ResolverUsageError(`--port ${JSON.stringify(raw.slice(0, 80))}: expected a port from 1 to 65535 (the port of clusterdns's --listen)`);
  }
  return Number(raw);
}
