// Expected values for the external-name tests, derived from the fixture files by the library's own synthesis (never
// written out by hand): each hostname of an Ingress, HTTPRoute or hostname annotation, and the addresses it answers.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultConfig } from '../../lib/config.js';
import type { ClusterObject, Gateway, GatewayRoute, Ingress, Service } from '../../lib/cluster/model.js';
import { synthesizeCluster } from '../../lib/synth/index.js';
import { ROOT } from './cli.js';
import { docs } from './ingress.js';

export const BUNDLED = join(ROOT, 'fixtures');

/** The flags `npm start` passes (package.json's start script, after the entry point). */
export function startScriptFlags(): string[] {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const words = pkg.scripts.start!.split(/\s+/);
  return words.slice(words.indexOf('dist/server/main.js') + 1);
}

export function synthesised(dir = BUNDLED, synthesis: Record<string, unknown> = {}): ClusterObject[] {
  const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).map((f) => join(dir, f));
  const raws = files.flatMap((f) => docs(f)).map((raw) => ({ raw }));
  return synthesizeCluster(raws, { ...defaultConfig().synthesis, ...synthesis, namespace: 'default' }).objects;
}

export interface ExpectedHost { host: string; addresses: string[]; kind: string; key: string }

/** Each exact host under `zone` with the addresses it answers (Ingress: its known controller's LB address). */
export function expectedHosts(objects: ClusterObject[], zone: string): ExpectedHost[] {
  const under = (h: string) => h.endsWith(`.${zone}`);
  const svc = (ns: string, n: string) => objects.find((o): o is Service => o.kind === 'Service' && o.namespace === ns && o.name === n);
  const out: ExpectedHost[] = [];
  for (const o of objects) {
    if (o.kind === 'Ingress') {
      const ing = o as Ingress;
      const addrs = ing.addresses.length ? ing.addresses : svc('ingress-nginx', 'ingress-nginx-controller')?.external ?? [];
      for (const h of ing.hosts) if (under(h)) out.push({ host: h, addresses: addrs, kind: 'Ingress', key: `${o.namespace}/${o.name}` });
    } else if (o.kind === 'HTTPRoute') {
      const r = o as GatewayRoute;
      const addrs = r.parents.flatMap((p) => (objects.find((g): g is Gateway => g.kind === 'Gateway' && `${g.namespace}/${g.name}` === p)?.addresses ?? []));
      for (const h of r.hosts) if (under(h)) out.push({ host: h, addresses: addrs, kind: 'HTTPRoute', key: `${o.namespace}/${o.name}` });
    } else if (o.kind === 'Service' && o.hostnames) {
      for (const h of o.hostnames) if (under(h)) out.push({ host: h, addresses: o.external ?? [], kind: 'Service', key: `${o.namespace}/${o.name}` });
    }
  }
  return out;
}
