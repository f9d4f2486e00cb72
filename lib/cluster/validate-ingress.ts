// An Ingress's DNS fields, checked as the API server does (networking/validation ValidateIngressSpec and
// ValidateIngressLoadBalancerStatus), with bounds of our own: the API server has no count limit, ours keeps one
// Ingress from filling the index or an answer.
import { dns1123Subdomain, ipAddress } from './name-rules.js';

type Raw = Record<string, any>;
const isObj = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** hosts (rules plus TLS entries) one Ingress may name */
export const MAX_INGRESS_HOSTS = 256;
/** status.loadBalancer.ingress entries kept (an answer's addresses) */
export const MAX_INGRESS_ADDRESSES = 100;

export interface ProblemSink {
  add(field: string, value: unknown, detail: string): void;
  check(field: string, value: unknown, details: readonly string[]): void;
}

/** A wildcard is `*.` then a subdomain (one label's worth: `*` stands for exactly one label, as in Ingress). */
function host(p: ProblemSink, field: string, v: unknown): void {
  if (typeof v !== 'string') { p.add(field, v, 'must be a string'); return; }
  if (v === '') return; // a rule without host: every host, no name to serve
  if (ipAddress(v).length === 0) { p.add(field, v, 'must be a DNS name, not an IP address'); return; }
  const name = v.startsWith('*.') ? v.slice(2) : v;
  const bad = dns1123Subdomain(name);
  if (bad.length) p.check(field, v, v.startsWith('*.') ? bad.map((d) => `a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain: ${d}`) : bad);
}

export function ingressProblems(p: ProblemSink, spec: Raw, status: unknown): void {
  if (spec.ingressClassName !== undefined && spec.ingressClassName !== null) {
    const c = spec.ingressClassName;
    p.check('spec.ingressClassName', c, typeof c === 'string' ? dns1123Subdomain(c) : ['must be a string']);
  }
  const rules = arr(spec.rules);
  const tls = arr(spec.tls);
  let hosts = rules.length;
  for (const t of tls) if (isObj(t)) hosts += arr(t.hosts).length;
  if (hosts > MAX_INGRESS_HOSTS) { p.add('spec.rules', `${hosts} hosts`, `clusterdns serves at most ${MAX_INGRESS_HOSTS} hosts per Ingress`); return; }
  for (let i = 0; i < rules.length; i++) {
    const r = rules[i];
    if (!isObj(r)) { p.add(`spec.rules[${i}]`, r, 'must be a mapping'); continue; }
    if (r.host !== undefined && r.host !== null) host(p, `spec.rules[${i}].host`, r.host);
  }
  for (let i = 0; i < tls.length; i++) {
    const t = tls[i];
    if (!isObj(t)) { p.add(`spec.tls[${i}]`, t, 'must be a mapping'); continue; }
    const hs = arr(t.hosts);
    for (let j = 0; j < hs.length; j++) host(p, `spec.tls[${i}].hosts[${j}]`, hs[j]);
  }
  const lb = isObj(status) && isObj(status.loadBalancer) ? arr(status.loadBalancer.ingress) : [];
  if (lb.length > MAX_INGRESS_ADDRESSES) { p.add('status.loadBalancer.ingress', `${lb.length} entries`, `clusterdns serves at most ${MAX_INGRESS_ADDRESSES}`); return; }
  for (let i = 0; i < lb.length; i++) {
    const e = lb[i];
    const f = `status.loadBalancer.ingress[${i}]`;
    if (!isObj(e)) { p.add(f, e, 'must be a mapping with ip or hostname'); continue; }
    if (e.ip !== undefined && e.ip !== null && e.ip !== '') p.check(`${f}.ip`, e.ip, typeof e.ip === 'string' ? ipAddress(e.ip) : ['must be a string']);
    if (e.hostname !== undefined && e.hostname !== null && e.hostname !== '') {
      const h = e.hostname;
      if (typeof h !== 'string') p.add(`${f}.hostname`, h, 'must be a string');
      else if (ipAddress(h).length === 0) p.add(`${f}.hostname`, h, 'must be a DNS name, not an IP address');
      else p.check(`${f}.hostname`, h, dns1123Subdomain(h));
    }
  }
}
