// MCS API objects for the multicluster tests (fixtures and the fake API server alike), and the Corefile that turns
// the option on: `kubernetes cluster.local clusterset.local { multicluster clusterset.local }`.
import { writeFileSync } from 'node:fs';
import path from 'node:path';

export type Raw = Record<string, any>;

export const MCS_CORE = 'kubernetes cluster.local clusterset.local in-addr.arpa';

export function corefile(dir: string, inner: string[], zones = MCS_CORE): string {
  const file = path.join(dir, 'Corefile');
  writeFileSync(file, `.:53 {\n  ${zones} {\n${inner.map((l) => `    ${l}\n`).join('')}  }\n}\n`);
  return file;
}

export const serviceImport = (namespace: string, name: string, spec: Raw): Raw => ({
  apiVersion: 'multicluster.x-k8s.io/v1alpha1', kind: 'ServiceImport', metadata: { name, namespace }, spec,
});

export interface McsEndpoint { ip: string; hostname?: string; ready?: boolean }

/** An EndpointSlice an MCS controller imported from `cluster` for the ServiceImport `service`. */
export const mcsSlice = (namespace: string, service: string, cluster: string, endpoints: McsEndpoint[], ports: Raw[] = [{ name: 'pg', protocol: 'TCP', port: 5432 }]): Raw => ({
  apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
  metadata: {
    name: `${service}-${cluster}`, namespace,
    labels: { 'multicluster.kubernetes.io/service-name': service, 'multicluster.kubernetes.io/source-cluster': cluster },
  },
  addressType: endpoints.some((e) => e.ip.includes(':')) ? 'IPv6' : 'IPv4',
  endpoints: endpoints.map((e) => ({
    addresses: [e.ip], ...(e.hostname ? { hostname: e.hostname } : {}),
    conditions: { ready: e.ready ?? true },
  })),
  ports,
});

/** The label CoreDNS gives an endpoint: its hostname, else its address with dashes. */
export const endpointName = (e: McsEndpoint): string => e.hostname ?? e.ip.replaceAll('.', '-');

export function writeList(file: string, items: Raw[]): void {
  writeFileSync(file, JSON.stringify({ apiVersion: 'v1', kind: 'List', items }, null, 1));
}
