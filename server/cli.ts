// Command line → ClusterDnsConfig. Every flag maps onto one config field; a bad flag is a UsageError (exit 2).
import { parseArgs } from 'node:util';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultConfig, normalizeZone, parseHostPort, type ClusterDnsConfig } from '../lib/config.js';

export class UsageError extends Error {}

export const BUNDLED_FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures');

const OPTIONS = {
  fixtures: { type: 'string', multiple: true },
  listen: { type: 'string' },
  zone: { type: 'string', multiple: true },
  ttl: { type: 'string' },
  pods: { type: 'string' },
  'endpoint-pod-names': { type: 'boolean' },
  namespace: { type: 'string' },
  'no-watch': { type: 'boolean' },
  'log-level': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const;

export const HELP = `Usage: clusterdns [command] [flags]

Serves a Kubernetes cluster domain (cluster.local) over DNS the way CoreDNS's kubernetes plugin does,
from Kubernetes manifests.

Commands:
  serve (default)            run the DNS server
  records                    print every name the fixtures give, zone-file style, and exit

Flags:
  --fixtures PATH            manifest file or folder (.yaml/.yml/.json), repeatable [bundled fixtures/]
  --listen HOST:PORT         DNS over UDP and TCP; port 0 picks a free port [127.0.0.1:5353]
  --zone NAME                cluster domain served, repeatable [cluster.local]
  --ttl SECONDS              TTL of every record, 0-3600 [5]
  --pods MODE                pod A records: disabled | insecure | verified [disabled]
  --endpoint-pod-names       name headless endpoints by their pod's name when they have no hostname
  --namespace NAME           namespace of manifests that give none [default]
  --no-watch                 do not reload fixture files when they change
  --log-level LEVEL          fatal | error | warn | info | debug | trace | silent [info]
  --version                  print the version
  -h, --help                 this text
`;

export interface ParsedCli {
  command: 'serve' | 'records' | 'help' | 'version';
  config: ClusterDnsConfig;
}

function intIn(name: string, v: string, min: number, max: number): number {
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) {
    throw new UsageError(`--${name} ${v}: expected a whole number from ${min} to ${max}`);
  }
  return Number(v);
}

export function parseCli(argv: string[]): ParsedCli {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message.replace(/\. To specify a positional argument.*$/s, ''));
  }
  const { values: v, positionals } = parsed;
  const config = defaultConfig();
  let command: ParsedCli['command'] = 'serve';
  if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1]}"`);
  if (positionals[0] !== undefined) {
    if (positionals[0] !== 'serve' && positionals[0] !== 'records') {
      throw new UsageError(`unknown command "${positionals[0]}" (commands: serve, records)`);
    }
    command = positionals[0];
  }
  if (v.help) return { command: 'help', config };
  if (v.version) return { command: 'version', config };

  config.fixtures = v.fixtures && v.fixtures.length > 0 ? v.fixtures : [BUNDLED_FIXTURES];
  if (v.listen !== undefined) {
    try {
      config.listen = parseHostPort(v.listen);
    } catch (err) {
      throw new UsageError(`--listen ${(err as Error).message}`);
    }
  }
  if (v.zone) {
    config.zones = v.zone.map(normalizeZone);
    for (const z of config.zones) {
      if (!/^([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$/.test(z)) {
        throw new UsageError(`--zone ${z}: not a valid domain name`);
      }
    }
  }
  if (v.ttl !== undefined) config.ttl = intIn('ttl', v.ttl, 0, 3600);
  if (v.pods !== undefined) {
    if (v.pods !== 'disabled' && v.pods !== 'insecure' && v.pods !== 'verified') {
      throw new UsageError(`--pods ${v.pods}: expected disabled, insecure or verified`);
    }
    config.pods = v.pods;
  }
  if (v['endpoint-pod-names']) config.endpointPodNames = true;
  if (v.namespace !== undefined) {
    if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(v.namespace)) throw new UsageError(`--namespace ${v.namespace}: not a valid namespace name`);
    config.namespace = v.namespace;
  }
  if (v['no-watch']) config.watch = false;
  if (v['log-level'] !== undefined) {
    const levels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
    const l = levels.find((x) => x === v['log-level']);
    if (!l) throw new UsageError(`--log-level ${v['log-level']}: expected one of ${levels.join(', ')}`);
    config.logLevel = l;
  }
  return { command, config };
}
