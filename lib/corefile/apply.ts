// `--corefile PATH`: read, parse and overlay a Corefile on a config. Everything the Corefile describes (listener,
// zones, kubernetes options, forward, health/ready/prometheus) replaces the config's values; the rest is kept.
import { readTextFileSync } from '../read-text.js';
import { MAX_FILE_BYTES } from './lexer.js';
import type { ClusterDnsConfig, HostPort } from '../config.js';
import { CorefileError, parseCorefile } from './parse.js';
import { corefileToConfig, type MapOptions } from './to-config.js';

export interface ApplyOptions extends Pick<MapOptions, 'resolvConfPath'> {
  env?: Record<string, string | undefined>;
}

const samePort = (a: HostPort | null, b: HostPort | null): boolean => !!a && !!b && a.port === b.port;

export function applyCorefile(
  cfg: ClusterDnsConfig,
  path: string,
  opts: ApplyOptions = {},
): { config: ClusterDnsConfig; warnings: string[] } {
  let text: string;
  try {
    text = readTextFileSync(path, MAX_FILE_BYTES);
  } catch (e) {
    throw new CorefileError(`cannot read the Corefile: ${(e as Error).message}`, path, undefined);
  }
  const blocks = parseCorefile(text, { file: path, env: opts.env });
  const { config: fromFile, warnings } = corefileToConfig(blocks, { file: path, resolvConfPath: opts.resolvConfPath });
  const config: ClusterDnsConfig = { ...cfg, ...fromFile, corefile: path };

  // A stock Corefile puts health on :8080, where the admin API listens by default; a port collision would stop the
  // server from starting, so the admin API gives way (it is not part of what a Corefile describes).
  const taken = [
    ['health', config.health],
    ['ready', config.ready],
    ['prometheus', config.metrics],
  ] as const;
  const clash = taken.find(([, hp]) => samePort(config.admin, hp));
  if (config.admin && clash) {
    warnings.push(`admin API turned off: port ${config.admin.port} is the Corefile's ${clash[0]} listener (use --admin HOST:PORT to move it)`);
    config.admin = null;
  }
  return { config, warnings };
}
