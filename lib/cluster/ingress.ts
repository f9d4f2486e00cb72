// Ingress (networking.k8s.io/v1) → the slim model object (model.ts Ingress), and the store's index of Ingresses
// by hostname. Validation (which fields the API server would refuse) is in validate-ingress.ts.
import type { Ingress, Service } from './model.js';
import { insertSorted } from './sorted-insert.js';

type Raw = Record<string, any>;
const isObj = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

export const INGRESS_API_VERSION = 'networking.k8s.io/v1';
/** the annotation older manifests (and some controllers still) name the class with */
export const INGRESS_CLASS_ANNOTATION = 'kubernetes.io/ingress.class';

export function toIngress(raw: Raw, defaultNamespace: string): Ingress {
  const meta: Raw = isObj(raw.metadata) ? raw.metadata : {};
  const spec: Raw = isObj(raw.spec) ? raw.spec : {};
  const annotations: Raw = isObj(meta.annotations) ? meta.annotations : {};
  const hosts: string[] = [];
  const hostFields: string[] = [];
  const add = (h: unknown, field: string) => {
    const v = str(h).toLowerCase().replace(/\.$/, '');
    if (v !== '' && !hosts.includes(v)) { hosts.push(v); hostFields.push(field); }
  };
  arr(spec.rules).forEach((r, i) => { if (isObj(r)) add(r.host, `spec.rules[${i}].host`); });
  arr(spec.tls).forEach((t, i) => { if (isObj(t)) arr(t.hosts).forEach((h, j) => add(h, `spec.tls[${i}].hosts[${j}]`)); });
  const lb = isObj(raw.status) && isObj(raw.status.loadBalancer) ? arr(raw.status.loadBalancer.ingress) : [];
  const addresses: string[] = [];
  for (const e of lb) {
    if (!isObj(e)) continue;
    const v = str(e.ip) || str(e.hostname).toLowerCase().replace(/\.$/, '');
    if (v !== '' && !addresses.includes(v)) addresses.push(v);
  }
  const labels: Record<string, string> = {};
  if (isObj(meta.labels)) for (const [k, v] of Object.entries(meta.labels)) if (typeof v === 'string') labels[k] = v;
  return {
    kind: 'Ingress',
    namespace: str(meta.namespace) || defaultNamespace,
    name: str(meta.name),
    labels,
    className: str(spec.ingressClassName) || str(annotations[INGRESS_CLASS_ANNOTATION]),
    hosts,
    addresses,
    ...(hosts.length > 0 ? { hostFields } : {}),
  };
}

const keyOf = (o: { namespace: string; name: string }) => `${o.namespace}/${o.name}`;

/** Hosts a Service's annotations publish: only with external addresses (external-dns publishes no ClusterIP). */
const serviceHosts = (s: Service): readonly string[] => (s.hostnames && s.external && s.external.length > 0 ? s.hostnames : []);

type Owner = Ingress | Service;

/**
 * Ingresses, and Services with hostname annotations, by each host they name (`*.x` kept as written): lookups are
 * one Map get per candidate name. The two kinds are kept apart: the ingress plugin decides the precedence.
 */
export class IngressIndex {
  private byHost = new Map<string, Ingress[]>();
  private svcByHost = new Map<string, Service[]>();
  private count = 0;
  private above = new Map<string, number>();

  get size(): number {
    return this.count;
  }

  add(o: Owner): void {
    const hosts = o.kind === 'Ingress' ? o.hosts : serviceHosts(o);
    if (o.kind === 'Ingress') this.count++;
    else if (hosts.length === 0) return;
    this.ancestors(hosts, 1);
    const map: Map<string, Owner[]> = o.kind === 'Ingress' ? this.byHost : this.svcByHost;
    for (const h of hosts) {
      const list = map.get(h);
      if (!list) map.set(h, [o]);
      else insertSorted(list, o, keyOf);
    }
  }

  remove(o: Owner): void {
    const hosts = o.kind === 'Ingress' ? o.hosts : serviceHosts(o);
    if (o.kind === 'Ingress') this.count--;
    else if (hosts.length === 0) return;
    this.ancestors(hosts, -1);
    const map: Map<string, Owner[]> = o.kind === 'Ingress' ? this.byHost : this.svcByHost;
    for (const h of hosts) {
      const list = map.get(h);
      if (!list) continue;
      const i = list.findIndex((x) => x.namespace === o.namespace && x.name === o.name);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0) map.delete(h);
    }
  }

  /** The Ingresses naming exactly `host` (a wildcard as `*.x`), sorted by namespace/name. */
  forHost(host: string): readonly Ingress[] {
    return this.byHost.get(host) ?? [];
  }

  /** The Services whose hostname annotations name exactly `host`, sorted by namespace/name. */
  servicesForHost(host: string): readonly Service[] {
    return this.svcByHost.get(host) ?? [];
  }

  /** Whether some host lies below `name` (it is then an empty non-terminal: NODATA, not NXDOMAIN). */
  hasBelow(name: string): boolean {
    return (this.above.get(name) ?? 0) > 0;
  }

  /** counts every proper ancestor of each host (a host has at most 127 labels: bounded work per change) */
  private ancestors(hosts: readonly string[], delta: number): void {
    for (const h of hosts) {
      let rest = h.startsWith('*.') ? h.slice(2) : h;
      if (h.startsWith('*.')) this.bump(rest, delta);
      for (let dot = rest.indexOf('.'); dot >= 0; dot = rest.indexOf('.')) {
        rest = rest.slice(dot + 1);
        this.bump(rest, delta);
      }
    }
  }

  private bump(name: string, delta: number): void {
    const n = (this.above.get(name) ?? 0) + delta;
    if (n <= 0) this.above.delete(name);
    else this.above.set(name, n);
  }
}
