// `forward FROM TO... { options }`, as CoreDNS reads it. Each forward has its own upstream list and FROM zone; the
// command line's --upstream and a `forward .` in the kubernetes block share the server's forwarder (config.upstreams),
// so --upstream still overrides what the Corefile says there. Options the forwarder (lib/upstream/forwarder.ts) cannot
// honour are accepted with a warning that says what happens instead.
import type { HostPort } from '../../config.js';
import type { CorefileDirective } from '../../corefile/parse.js';
import { durationArg, expectArgs, fail, intArg, upstreamArg, zoneArg } from '../../corefile/values.js';

/** CoreDNS's forward takes at most 15 upstreams */
export const MAX_UPSTREAMS = 15;

export interface ForwardOptions {
  /** zones forwarded, '' = every name */
  from: string[];
  /** names under these are not forwarded (`except`) */
  except: string[];
  /** the upstreams; unset = the server's shared forwarder (config.upstreams / --upstream) */
  upstreams?: HostPort[];
  /** queries in flight at once; more are answered REFUSED, as CoreDNS does */
  maxConcurrent?: number;
}

/** What each forward option means here, when it does not do what CoreDNS does. */
const DIFFERS: Record<string, string> = {
  force_tcp: 'queries go over UDP and are retried over TCP when truncated',
  prefer_udp: 'already the behaviour (UDP first, TCP when truncated)',
  health_check: 'no periodic health checks: an upstream that fails is tried last for 10 s',
  max_fails: 'an upstream is marked down after one failure, for 10 s',
  next: 'an upstream SERVFAIL or REFUSED moves on to the next upstream; other rcodes are the answer',
  failfast_all_unhealthy_upstreams: 'every upstream is still tried when all are marked down',
  max_age: 'upstream sockets are kept for the life of the server',
};

export function parseForward(d: CorefileDirective, resolvConfPath: string | undefined, warnings: string[]): ForwardOptions {
  expectArgs(d, 2, 1 + MAX_UPSTREAMS * 4, d.file, `${d.name} FROM TO...`);
  const [fromArg, ...targets] = d.args as [string, ...string[]];
  const from = [zoneArg(d, fromArg)];
  const upstreams: HostPort[] = [];
  for (const t of targets) upstreams.push(...upstreamArg(t, d, resolvConfPath));
  if (upstreams.length > MAX_UPSTREAMS) fail(`${d.name}: ${upstreams.length} upstreams; at most ${MAX_UPSTREAMS}`, d.file, d.line);
  const opts: ForwardOptions = { from, except: [], upstreams };
  const differs: string[] = [];
  for (const o of d.block ?? []) {
    switch (o.name) {
      case 'except':
        expectArgs(o, 1, 1000, o.file, 'except NAME...');
        opts.except.push(...o.args.map((a) => zoneArg(o, a)));
        break;
      case 'max_concurrent':
        expectArgs(o, 1, 1, o.file, 'max_concurrent NUMBER');
        opts.maxConcurrent = intArg(o, o.args[0]!, 1, 1_000_000, 'max_concurrent');
        break;
      case 'expire':
        // Connection reuse: one long-lived UDP socket per upstream, TCP only for truncated replies. Nothing to expire.
        expectArgs(o, 1, 1, o.file, 'expire DURATION');
        durationArg(o, o.args[0]!, 0, 86400, 'expire');
        break;
      case 'policy':
        expectArgs(o, 1, 1, o.file, 'policy random|round_robin|sequential');
        if (!['random', 'round_robin', 'sequential'].includes(o.args[0]!)) fail(`policy: "${o.args[0]}" is not random, round_robin or sequential`, o.file, o.line);
        if (o.args[0] !== 'sequential') differs.push(`${o.file} line ${o.line}: policy ${o.args[0]}: upstreams are tried in order (sequential), the ones that failed recently last`);
        break;
      case 'health_check':
        expectArgs(o, 1, 4, o.file, 'health_check DURATION [no_rec] [domain FQDN]');
        durationArg(o, o.args[0]!, 0, 86400, 'health_check');
        differs.push(`${o.file} line ${o.line}: health_check: ${DIFFERS.health_check}`);
        break;
      case 'max_fails':
        expectArgs(o, 1, 1, o.file, 'max_fails NUMBER');
        intArg(o, o.args[0]!, 0, 1_000_000, 'max_fails');
        differs.push(`${o.file} line ${o.line}: max_fails: ${DIFFERS.max_fails}`);
        break;
      case 'prefer_udp':
        expectArgs(o, 0, 0, o.file, 'prefer_udp');
        break;
      case 'force_tcp': case 'next': case 'failfast_all_unhealthy_upstreams': case 'max_age':
        differs.push(`${o.file} line ${o.line}: ${o.name}: ${DIFFERS[o.name]}`);
        break;
      case 'tls': case 'tls_servername':
        fail(`${o.name}: TLS upstreams are not supported (plain DNS only)`, o.file, o.line);
        break;
      default:
        fail(`unknown forward option "${o.name}"`, o.file, o.line);
    }
  }
  warnings.push(...differs);
  return opts;
}
