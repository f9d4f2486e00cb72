// Expected values for the ingress tests, derived from the fixture by the library's own synthesis.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { defaultConfig } from '../../lib/config.js';
import type { Service } from '../../lib/cluster/model.js';
import { synthesizeCluster } from '../../lib/synth/index.js';
import { ROOT } from './cli.js';

export const INGRESS_FIXTURE = join(ROOT, 'test', 'fixtures', 'ingress', 'cluster.yaml');

export function docs(path = INGRESS_FIXTURE): any[] {
  return parseAllDocuments(readFileSync(path, 'utf8')).map((d) => d.toJS()).filter(Boolean);
}

/** A manifest of the fixture by kind and name. */
export function manifest(kind: string, name: string, path = INGRESS_FIXTURE): any {
  const m = docs(path).find((d) => d.kind === kind && d.metadata.name === name);
  if (!m) throw new Error(`no ${kind} ${name} in ${path}`);
  return m;
}

/** The external addresses synthesis gives a Service of the fixture. */
export function lbAddressOf(ns: string, name: string, path = INGRESS_FIXTURE, synthesis: Record<string, unknown> = {}): string[] {
  const raws = docs(path).map((raw) => ({ raw }));
  const { objects } = synthesizeCluster(raws, { ...defaultConfig().synthesis, ...synthesis, namespace: 'default' });
  const s = objects.find((o) => o.kind === 'Service' && o.namespace === ns && o.name === name) as Service | undefined;
  return s?.external ?? [];
}

/** status.loadBalancer.ingress of a manifest: ips, else hostnames */
export const statusOf = (m: any): string[] => (m.status?.loadBalancer?.ingress ?? []).map((e: any) => e.ip ?? e.hostname);
