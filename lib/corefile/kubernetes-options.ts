// The kubernetes plugin's options that change answers beyond the zone list (noendpoints, zonal) and those that tune
// the API client (startup_timeout, apiserver_qps/burst/max_inflight), read as CoreDNS 1.14.7's setup.go reads them,
// each with a bound and an error naming its Corefile line.
import type { ClusterDnsConfig } from '../config.js';
import { CorefileError, type CorefileDirective } from './parse.js';
import { parseDuration } from './values.js';

/** CoreDNS waits 5 s by default; past 10 minutes a pod's start-up probe has long given up. */
const MAX_STARTUP_SECONDS = 600;
/** Generous ceilings: client-go's defaults are 5 QPS / burst 10; an API server takes a few thousand at most. */
const MAX_QPS = 100_000;
const MAX_BURST = 100_000;
const MAX_INFLIGHT = 10_000;

function fail(msg: string, file: string, line: number): never {
  throw new CorefileError(msg, file, line);
}

function oneArg(o: CorefileDirective, file: string, usage: string): string {
  if (o.args.length !== 1 || o.block) fail(`${o.name}: expected ${usage}`, file, o.line);
  return o.args[0]!;
}

function noArgs(o: CorefileDirective, file: string): void {
  if (o.args.length !== 0 || o.block) fail(`${o.name}: takes no arguments`, file, o.line);
}

function wholeNumber(o: CorefileDirective, file: string, max: number): number {
  const v = oneArg(o, file, `${o.name} NUMBER`);
  if (!/^\d{1,9}$/.test(v) || Number(v) > max) fail(`${o.name}: "${v}" is not a whole number from 0 to ${max}`, file, o.line);
  return Number(v);
}

/** Maps one option into `config`; false when the option is not one of these. */
export function mapKubernetesOption(o: CorefileDirective, config: Partial<ClusterDnsConfig>, file: string): boolean {
  switch (o.name) {
    case 'noendpoints':
      noArgs(o, file);
      config.noEndpoints = true;
      return true;
    case 'zonal':
      noArgs(o, file);
      config.zonal = true;
      return true;
    case 'startup_timeout': {
      const v = oneArg(o, file, 'startup_timeout DURATION (e.g. 5s)');
      const secs = v.length <= 32 ? parseDuration(v) : null;
      if (secs === null || secs > MAX_STARTUP_SECONDS) {
        fail(`startup_timeout: "${v}" is not a duration from 0s to ${MAX_STARTUP_SECONDS}s (e.g. 5s, 1m)`, file, o.line);
      }
      config.startupTimeoutMs = Math.round(secs * 1000);
      return true;
    }
    case 'apiserver_qps': {
      const v = oneArg(o, file, 'apiserver_qps QPS');
      // ParseFloat as CoreDNS, without exponents or hex: a rate is written as a plain decimal.
      if (!/^\d{1,9}(\.\d{1,9})?$/.test(v) || Number(v) > MAX_QPS) fail(`apiserver_qps: "${v}" is not a number from 0 to ${MAX_QPS}`, file, o.line);
      config.apiQps = Number(v);
      return true;
    }
    case 'apiserver_burst':
      config.apiBurst = wholeNumber(o, file, MAX_BURST);
      return true;
    case 'apiserver_max_inflight':
      config.apiMaxInflight = wholeNumber(o, file, MAX_INFLIGHT);
      return true;
    default:
      return false;
  }
}

/** Combinations CoreDNS refuses or that surprise: after every option of the block is read. */
export function checkKubernetesOptions(d: CorefileDirective, config: Partial<ClusterDnsConfig>, file: string, warnings: string[]): void {
  const lineOf = (name: string) => (d.block ?? []).find((o) => o.name === name)?.line ?? d.line;
  if (config.zonal && config.noEndpoints) {
    fail('zonal requires the endpoint data; remove noendpoints (zonal names are answered from EndpointSlices)', file, lineOf('zonal'));
  }
  if (config.apiQps !== undefined && config.apiQps > 0 && config.apiQps < 1) {
    // Accepted as CoreDNS does, but every list page and watch waits for its token: say what that costs.
    warnings.push(`${file} line ${lineOf('apiserver_qps')}: apiserver_qps ${config.apiQps}: one API request every ${Math.round(1 / config.apiQps)} s, so the first sync (6+ requests) takes minutes and every watch restart waits`);
  }
  if (config.ignoreEmptyService && config.noEndpoints) {
    // CoreDNS: with no endpoint cache every ClusterIP Service counts as empty. We answer the same; say so.
    warnings.push(`${file} line ${lineOf('ignore')}: "ignore empty_service" with "noendpoints": no endpoint is known, so every ClusterIP Service answers NXDOMAIN (as in CoreDNS)`);
  }
}
