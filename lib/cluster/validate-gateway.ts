// Gateway API objects' DNS fields, checked as the CRDs' OpenAPI schemas do (hostnames: RFC 1123 with one leading
// `*.` label, at most 16 per route, 64 listeners, 16 addresses, 32 parentRefs), so a bad object is refused naming
// the field while the rest of the fixture serves.
import { dns1123Subdomain, ipAddress } from './name-rules.js';
import type { ProblemSink } from './validate-ingress.js';

type Raw = Record<string, any>;
const isObj = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);

/** the CRD schemas' maxItems */
export const MAX_ROUTE_HOSTNAMES = 16;
export const MAX_LISTENERS = 64;
export const MAX_GATEWAY_ADDRESSES = 16;
export const MAX_PARENT_REFS = 32;

function list(p: ProblemSink, field: string, v: unknown, max: number): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) { p.add(field, v, 'must be a list'); return []; }
  if (v.length > max) { p.add(field, `${v.length} entries`, `must have at most ${max} items`); return []; }
  return v;
}

/** A Gateway API hostname: a DNS name, or `*.` then one (the wildcard is one or more labels in the spec; clusterdns serves it as one, like Ingress). */
function hostname(p: ProblemSink, field: string, v: unknown): void {
  if (typeof v !== 'string' || v === '') { p.add(field, v, 'must be a non-empty string'); return; }
  if (ipAddress(v).length === 0) { p.add(field, v, 'must be a DNS name, not an IP address'); return; }
  const name = v.startsWith('*.') ? v.slice(2) : v;
  const bad = dns1123Subdomain(name);
  if (bad.length) p.check(field, v, bad);
}

export function routeProblems(p: ProblemSink, kind: string, spec: Raw): void {
  if (kind !== 'TCPRoute' && kind !== 'UDPRoute') {
    const hs = list(p, 'spec.hostnames', spec.hostnames, MAX_ROUTE_HOSTNAMES);
    for (let i = 0; i < hs.length; i++) hostname(p, `spec.hostnames[${i}]`, hs[i]);
  }
  const refs = list(p, 'spec.parentRefs', spec.parentRefs, MAX_PARENT_REFS);
  for (let i = 0; i < refs.length; i++) {
    const r = refs[i];
    const f = `spec.parentRefs[${i}]`;
    if (!isObj(r)) { p.add(f, r, 'must be a mapping with name'); continue; }
    if (typeof r.name !== 'string' || r.name === '') p.add(`${f}.name`, r.name, 'must be a non-empty string');
    else p.check(`${f}.name`, r.name, dns1123Subdomain(r.name));
    if (r.namespace !== undefined && r.namespace !== null) p.check(`${f}.namespace`, r.namespace, typeof r.namespace === 'string' ? dns1123Subdomain(r.namespace) : ['must be a string']);
  }
}

export function gatewayProblems(p: ProblemSink, spec: Raw, status: unknown): void {
  const c = spec.gatewayClassName;
  if (typeof c !== 'string' || c === '') p.add('spec.gatewayClassName', c, 'is required');
  else p.check('spec.gatewayClassName', c, dns1123Subdomain(c));
  const ls = list(p, 'spec.listeners', spec.listeners, MAX_LISTENERS);
  for (let i = 0; i < ls.length; i++) {
    const l = ls[i];
    if (!isObj(l)) { p.add(`spec.listeners[${i}]`, l, 'must be a mapping'); continue; }
    if (l.hostname !== undefined && l.hostname !== null) hostname(p, `spec.listeners[${i}].hostname`, l.hostname);
  }
  const as = list(p, 'status.addresses', isObj(status) ? status.addresses : undefined, MAX_GATEWAY_ADDRESSES);
  for (let i = 0; i < as.length; i++) {
    const a = as[i];
    const f = `status.addresses[${i}]`;
    if (!isObj(a)) { p.add(f, a, 'must be a mapping with type and value'); continue; }
    const type = a.type ?? 'IPAddress';
    if (typeof a.value !== 'string' || a.value === '') { p.add(`${f}.value`, a.value, 'must be a non-empty string'); continue; }
    if (type === 'IPAddress') p.check(`${f}.value`, a.value, ipAddress(a.value));
    else if (type === 'Hostname') {
      if (ipAddress(a.value).length === 0) p.add(`${f}.value`, a.value, 'must be a DNS name, not an IP address');
      else p.check(`${f}.value`, a.value, dns1123Subdomain(a.value));
    }
  }
}
