// Ingress (networking.k8s.io/v1) → the slim model object (model.ts Ingress), and the store's index of Ingresses
// by hostname. Validation (which fields the API server would refuse) is in validate-ingress.ts.
import type { Ingress } from './model.js';

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
  const add = (h: unknown) => {
    const v = str(h).toLowerCase().replace(/\.$/, '');
    if (v !== '' && !hosts.includes(v)) hosts.push(v);
  };
  for (const r of arr(spec.rules)) if (isObj(r)) add(r.host);
  for (const t of arr(spec.tls)) if (isObj(t)) for (const h of arr(t.hosts)) add(h);
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
  };
}

const byKey = (a: Ingress, b: Ingress) => {
  const x = `${a.namespace}/${a.name}`;
  const y = `${b.namespace}/${b.name}`;
  return x < y ? -1 : x > y ? 1 : 0;
};

/** Ingresses by each host they name (`*.x` kept as written): lookups are one Map get per candidate name. */
export class IngressIndex {
  private byHost = new Map<string, Ingress[]>();
  private count = 0;
  private above = new Map<string, number>();

  get size(): number {
    return this.count;
  }

  add(ing: Ingress): void {
    this.count++;
    this.ancestors(ing, 1);
    for (const h of ing.hosts) {
      const list = this.byHost.get(h);
      if (!list) this.byHost.set(h, [ing]);
      else { list.push(ing); list.sort(byKey); }
    }
  }

  remove(ing: Ingress): void {
    this.count--;
    this.ancestors(ing, -1);
    for (const h of ing.hosts) {
      const list = this.byHost.get(h);
      if (!list) continue;
      const i = list.findIndex((x) => x.namespace === ing.namespace && x.name === ing.name);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0) this.byHost.delete(h);
    }
  }

  /** The Ingresses naming exactly `host` (a wildcard as `*.x`), sorted by namespace/name. */
  forHost(host: string): readonly Ingress[] {
    return this.byHost.get(host) ?? [];
  }

  /** Whether some host lies below `name` (it is then an empty non-terminal: NODATA, not NXDOMAIN). */
  hasBelow(name: string): boolean {
    return (this.above.get(name) ?? 0) > 0;
  }

  /** counts every proper ancestor of each host (a host has at most 127 labels: bounded work per change) */
  private ancestors(ing: Ingress, delta: number): void {
    for (const h of ing.hosts) {
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
