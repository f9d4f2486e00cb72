// The k8s_external tests' fixture (test/fixtures/k8s-external) read back, so tests derive what the server should
// answer from the manifests rather than repeat addresses by hand.
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ROOT } from './cli.js';

export const FIXTURE_DIR = join(ROOT, 'test', 'fixtures', 'k8s-external');
export const CLUSTER = join(FIXTURE_DIR, 'cluster.yaml');
export const RECORDS = join(FIXTURE_DIR, 'records.zone');

export type Raw = Record<string, any>;

export function manifests(): Raw[] {
  return parseAllDocuments(readFileSync(CLUSTER, 'utf8')).map((d) => d.toJSON() as Raw).filter(Boolean);
}

export function service(ns: string, name: string): Raw {
  const s = manifests().find((m) => m.kind === 'Service' && m.metadata.namespace === ns && m.metadata.name === name);
  if (!s) throw new Error(`no Service ${ns}/${name} in ${CLUSTER}`);
  return s;
}

/** spec.externalIPs ++ status.loadBalancer.ingress (ip, else hostname), as k8s_external reads them */
export function externalOf(svc: Raw): string[] {
  return [
    ...(svc.spec?.externalIPs ?? []),
    ...(svc.status?.loadBalancer?.ingress ?? []).map((i: Raw) => i.ip ?? i.hostname),
  ];
}

export const v4 = (list: string[]) => list.filter((a) => isIP(a) === 4);
export const v6 = (list: string[]) => list.filter((a) => isIP(a) === 6);
export const hostnames = (list: string[]) => list.filter((a) => isIP(a) === 0);

/** the ready addresses of a Service's EndpointSlices, with each endpoint's hostname */
export function endpointsOf(ns: string, name: string): { ip: string; hostname: string }[] {
  return manifests()
    .filter((m) => m.kind === 'EndpointSlice' && m.metadata.namespace === ns && m.metadata.labels?.['kubernetes.io/service-name'] === name)
    .flatMap((s) => s.endpoints.flatMap((e: Raw) => e.addresses.map((ip: string) => ({ ip, hostname: e.hostname }))));
}

/** "d.c.b.a.in-addr.arpa" for an IPv4 address */
export const reverse4 = (ip: string) => `${ip.split('.').reverse().join('.')}.in-addr.arpa`;

/** the A records of the --records file: name → address */
export function staticA(): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of readFileSync(RECORDS, 'utf8').split('\n')) {
    const m = /^(\S+)\.\s+\d+\s+IN\s+A\s+(\S+)/.exec(line);
    if (m) out.set(m[1]!, m[2]!);
  }
  return out;
}
