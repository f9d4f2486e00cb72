// Expected values for the Gateway API tests, derived from the fixture by the library's own synthesis.
import { join } from 'node:path';
import { defaultConfig } from '../../lib/config.js';
import type { Gateway } from '../../lib/cluster/model.js';
import { synthesizeCluster } from '../../lib/synth/index.js';
import { ROOT } from './cli.js';
import { docs } from './ingress.js';

export const GATEWAY_FIXTURE = join(ROOT, 'test', 'fixtures', 'gateway', 'cluster.yaml');

/** The addresses a Gateway of the fixture serves with: its status, else what synthesis gave it. */
export function gatewayAddressOf(ns: string, name: string, path = GATEWAY_FIXTURE, synthesis: Record<string, unknown> = {}): string[] {
  const raws = docs(path).map((raw) => ({ raw }));
  const { objects } = synthesizeCluster(raws, { ...defaultConfig().synthesis, ...synthesis, namespace: 'default' });
  const g = objects.find((o) => o.kind === 'Gateway' && o.namespace === ns && o.name === name) as Gateway | undefined;
  return g?.addresses ?? [];
}

/** status.addresses values of a manifest */
export const gatewayStatusOf = (m: any): string[] => (m.status?.addresses ?? []).map((a: any) => a.value);
