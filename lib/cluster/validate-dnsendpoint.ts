// A DNSEndpoint's records, checked before they are served. The CRD's schema only asks for strings; external-dns
// checks the content (endpoint.CheckEndpoint: SRV and MX target forms) and drops a bad endpoint. clusterdns refuses
// the whole object instead, naming the field (spec.endpoints[2].targets[0]): a half-published record set is harder
// to notice than a refused object. Bounds of our own keep one object from filling the index or an answer.
import { ipAddress } from './name-rules.js';
import { isServedRecordType, txtText } from './dnsendpoint.js';
import type { ProblemSink } from './validate-ingress.js';

type Raw = Record<string, any>;
const isObj = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);

export const MAX_DNS_ENDPOINTS = 256;
export const MAX_DNS_TARGETS = 64;
/** one TXT target, in bytes (served as several 255-byte character-strings) */
export const MAX_TXT_BYTES = 4096;
/** RFC 2181 §8: a TTL is at most 2^31 - 1 */
export const MAX_RECORD_TTL = 2_147_483_647;

const LABEL = /^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$/i;

/** A DNS name as external-dns takes it: labels of letters, digits, '-' and '_' (SRV and TXT owners: _sip._tcp.x). */
export function dnsNameProblem(v: string, wildcard: boolean): string | undefined {
  const name = v.replace(/\.$/, '');
  const rest = wildcard && name.startsWith('*.') ? name.slice(2) : name;
  if (name.length === 0 || name.length > 253) return 'must be a DNS name of 1 to 253 characters';
  if (ipAddress(name).length === 0) return 'must be a DNS name, not an IP address';
  if (!rest.split('.').every((l) => LABEL.test(l))) {
    return `must be a DNS name: labels of 1 to 63 letters, digits, '-' or '_'${wildcard ? ", optionally after '*.'" : ''}`;
  }
  return undefined;
}

function u16(s: string | undefined): boolean {
  return s !== undefined && /^\d{1,5}$/.test(s) && Number(s) <= 65535;
}

/** What is wrong with a target for its record type, or undefined. */
export function targetProblem(type: string, t: string): string | undefined {
  switch (type) {
    case 'A': return ipAddress(t, 'IPv4').length ? 'must be an IPv4 address' : undefined;
    case 'AAAA': return ipAddress(t, 'IPv6').length ? 'must be an IPv6 address' : undefined;
    case 'CNAME': return dnsNameProblem(t, false);
    case 'TXT': return Buffer.byteLength(txtText(t)) > MAX_TXT_BYTES ? `must be at most ${MAX_TXT_BYTES} bytes` : undefined;
    case 'MX': {
      const p = t.trim().split(/\s+/);
      if (p.length !== 2 || !u16(p[0]) || dnsNameProblem(p[1]!, false)) return 'must be "preference host" (10 mail.example.com)';
      return undefined;
    }
    case 'SRV': {
      const p = t.trim().split(/\s+/);
      if (p.length !== 4 || !u16(p[0]) || !u16(p[1]) || !u16(p[2]) || (p[3] !== '.' && dnsNameProblem(p[3]!, false))) {
        return 'must be "priority weight port target" (10 5 5060 sip.example.com)';
      }
      return undefined;
    }
    default: return undefined;
  }
}

export function dnsEndpointProblems(p: ProblemSink, spec: Raw): void {
  const eps = spec.endpoints;
  if (eps === undefined || eps === null) return;
  if (!Array.isArray(eps)) { p.add('spec.endpoints', eps, 'must be a list'); return; }
  if (eps.length > MAX_DNS_ENDPOINTS) { p.add('spec.endpoints', `${eps.length} entries`, `must have at most ${MAX_DNS_ENDPOINTS} items`); return; }
  for (let i = 0; i < eps.length; i++) {
    const e = eps[i];
    const f = `spec.endpoints[${i}]`;
    if (!isObj(e)) { p.add(f, e, 'must be a mapping with dnsName, recordType and targets'); continue; }
    if (typeof e.dnsName !== 'string') p.add(`${f}.dnsName`, e.dnsName, 'must be a string');
    else { const bad = dnsNameProblem(e.dnsName, true); if (bad) p.add(`${f}.dnsName`, e.dnsName, bad); }
    if (typeof e.recordType !== 'string' || e.recordType === '') p.add(`${f}.recordType`, e.recordType, 'must be a record type (A, AAAA, CNAME, TXT, SRV, MX...)');
    if (e.recordTTL !== undefined && e.recordTTL !== null && (!Number.isInteger(e.recordTTL) || e.recordTTL < 0 || e.recordTTL > MAX_RECORD_TTL)) {
      p.add(`${f}.recordTTL`, e.recordTTL, `must be an integer from 0 to ${MAX_RECORD_TTL}`);
    }
    const ts = e.targets;
    if (ts === undefined || ts === null) continue;
    if (!Array.isArray(ts)) { p.add(`${f}.targets`, ts, 'must be a list of strings'); continue; }
    if (ts.length > MAX_DNS_TARGETS) { p.add(`${f}.targets`, `${ts.length} entries`, `must have at most ${MAX_DNS_TARGETS} items`); continue; }
    const type = typeof e.recordType === 'string' ? e.recordType.toUpperCase() : '';
    for (let j = 0; j < ts.length; j++) {
      if (typeof ts[j] !== 'string') { p.add(`${f}.targets[${j}]`, ts[j], 'must be a string'); continue; }
      // types clusterdns does not serve (NS, PTR...) are not checked: they are dropped, not refused
      const bad = isServedRecordType(type) ? targetProblem(type, ts[j]) : undefined;
      if (bad) p.add(`${f}.targets[${j}]`, ts[j], `${type} target ${bad}`);
    }
  }
}
