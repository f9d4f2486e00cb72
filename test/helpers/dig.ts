// Runs ISC dig (Debian's dnsutils) against the server. Tests that use it are skipped, with a message, when dig is absent.
import { execFile, spawnSync } from 'node:child_process';
import type { ServerAddress } from './dns-wire.js';

export const digMissing: string | false = (() => {
  const r = spawnSync('dig', ['-v'], { encoding: 'utf8' });
  return r.error || r.status !== 0 ? 'dig is not installed (apt-get install dnsutils)' : false;
})();

export function dig(server: ServerAddress, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('dig', [`@${server.host}`, '-p', String(server.port), '+tries=1', '+time=3', ...args],
      { encoding: 'utf8', timeout: 20_000 },
      (err, stdout, stderr) => (err ? reject(new Error(`dig ${args.join(' ')}: ${err.message}\n${stderr}`)) : resolve(stdout)));
  });
}

/** The flags on dig's ";; flags: qr aa rd;" line. */
export function digFlags(out: string): string[] {
  const m = /;; flags: ([a-z ]+);/.exec(out);
  return m ? m[1].trim().split(/\s+/) : [];
}

export function digStatus(out: string): string {
  const m = /status: ([A-Z]+)/.exec(out);
  return m ? m[1] : '';
}

/** The answer-section lines, whitespace normalised ("name. ttl IN TYPE rdata"). */
export function digSection(out: string, section: 'ANSWER' | 'AUTHORITY' | 'ADDITIONAL'): string[] {
  const lines = out.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`;; ${section} SECTION:`));
  if (start < 0) return [];
  const out2: string[] = [];
  for (const l of lines.slice(start + 1)) {
    if (l.trim() === '') break;
    out2.push(l.trim().split(/\s+/).join(' '));
  }
  return out2.sort();
}
