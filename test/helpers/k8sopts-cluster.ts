// The cluster the kubernetes-option tests (test/k8sopts-*.test.ts) serve: Services with and without ready endpoints,
// an ExternalName, and a headless Service whose EndpointSlice endpoints sit in topology zones (one dotted, one in
// capitals, one without a zone, one not ready). Expected answers are derived from these objects, not written out.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const NS = 'shop';
type Raw = Record<string, any>;

const service = (name: string, spec: Raw): Raw => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: NS }, spec });
const slice = (name: string, svc: string, addressType: string, ports: Raw[], endpoints: Raw[]): Raw => ({
  apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
  metadata: { name, namespace: NS, labels: { 'kubernetes.io/service-name': svc } }, addressType, ports, endpoints,
});
const HTTP = [{ name: 'http', port: 80, protocol: 'TCP' }];
const PG = [{ name: 'pg', port: 5432, protocol: 'TCP' }];

export interface ZonedEndpoint { ip: string; hostname: string; zone?: string; ready: boolean }

/** the headless Service `db`'s endpoints: where they are and whether they are ready */
export const DB_ENDPOINTS: ZonedEndpoint[] = [
  { ip: '10.244.1.1', hostname: 'db-0', zone: 'eu-west-1a', ready: true },
  { ip: '10.244.1.2', hostname: 'db-1', zone: 'eu-west-1a', ready: true },
  { ip: '10.244.2.1', hostname: 'db-2', zone: 'EU-West-1b', ready: true },
  { ip: '10.244.3.1', hostname: 'db-3', ready: true },
  { ip: '10.244.4.1', hostname: 'db-4', zone: 'corp.example.com', ready: true },
  { ip: '10.244.1.3', hostname: 'db-5', zone: 'eu-west-1a', ready: false },
  { ip: 'fd00:10:244::11', hostname: 'db-0', zone: 'eu-west-1a', ready: true },
];

export const CLUSTER_IPS = { api: '10.96.0.10', empty: '10.96.0.11', notready: '10.96.0.12' } as const;
export const EXTERNAL = 'www.example.org';

export function objects(): Raw[] {
  const zoned = (family: 'IPv4' | 'IPv6') => DB_ENDPOINTS.filter((e) => e.ip.includes(':') === (family === 'IPv6')).map((e) => ({
    addresses: [e.ip], hostname: e.hostname, conditions: { ready: e.ready }, ...(e.zone ? { zone: e.zone } : {}),
  }));
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } },
    service('api', { clusterIP: CLUSTER_IPS.api, ports: HTTP }),
    slice('api-1', 'api', 'IPv4', HTTP, [{ addresses: ['10.244.0.5'], conditions: { ready: true } }]),
    service('empty', { clusterIP: CLUSTER_IPS.empty, ports: HTTP }),
    service('notready', { clusterIP: CLUSTER_IPS.notready, ports: HTTP }),
    slice('notready-1', 'notready', 'IPv4', HTTP, [{ addresses: ['10.244.0.9'], conditions: { ready: false } }]),
    service('ext', { type: 'ExternalName', externalName: EXTERNAL }),
    service('db', { clusterIP: 'None', ports: PG }),
    slice('db-v4', 'db', 'IPv4', PG, zoned('IPv4')),
    slice('db-v6', 'db', 'IPv6', PG, zoned('IPv6')),
    service('lonely', { clusterIP: 'None', ports: PG }),
  ];
}

/** ready `db` endpoints in a topology zone (case-insensitive, as CoreDNS lower-cases both); undefined = all ready */
export function dbEndpoints(zone?: string): ZonedEndpoint[] {
  return DB_ENDPOINTS.filter((e) => e.ready && (zone === undefined || e.zone?.toLowerCase() === zone.toLowerCase()));
}

/** A temp dir with the cluster as a fixture file and a Corefile built from `kubernetesOptions`; removed in teardown. */
export function clusterDir(t: { teardown(fn: () => void): void }, prefix = 'k8sopts-'): { dir: string; fixture: string; corefile: (body: string) => string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const fixture = path.join(dir, 'cluster.yaml');
  writeFileSync(fixture, objects().map((o) => JSON.stringify(o)).join('\n---\n') + '\n');
  let n = 0;
  return {
    dir, fixture,
    corefile: (body: string) => {
      const file = path.join(dir, `Corefile.${n++}`);
      writeFileSync(file, body);
      return file;
    },
  };
}

/** Sorted answer rdata of one type from digSection lines ("name ttl IN TYPE rdata..."). */
export function rdata(lines: string[], type: string): string[] {
  return lines.filter((l) => l.split(' ')[3] === type).map((l) => l.split(' ').slice(4).join(' ')).sort();
}
