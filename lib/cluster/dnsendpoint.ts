// external-dns's DNSEndpoint (externaldns.k8s.io/v1alpha1) → the slim model object, and the store's index of its
// records by name. Only the record types clusterdns serves are kept (A, AAAA, CNAME, TXT, SRV, MX); others (NS, PTR,
// NAPTR...) are dropped here, not refused. Targets are kept as external-dns writes them, normalised: lower-case
// names without the trailing dot, TXT without the surrounding quotes some providers' users write. Validation (what
// is refused, naming the field) is in validate-dnsendpoint.ts.
import type { DNSEndpoint, DnsEndpointRecord, DnsRecordType } from './model.js';
import { insertSorted } from './sorted-insert.js';

type Raw = Record<string, any>;
const isObj = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

export const DNSENDPOINT_API_VERSION = 'externaldns.k8s.io/v1alpha1';
export const DNS_RECORD_TYPES: readonly DnsRecordType[] = ['A', 'AAAA', 'CNAME', 'TXT', 'SRV', 'MX'];
export const isServedRecordType = (t: unknown): t is DnsRecordType => DNS_RECORD_TYPES.includes(t as DnsRecordType);

export const hostOf = (h: string) => h.toLowerCase().replace(/\.$/, '');

/** a TXT target as served: one pair of surrounding double quotes removed ("\"v=spf1 -all\"" is how many write it) */
export const txtText = (t: string) => (t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1) : t);

/** SRV "priority weight port target" and MX "preference host", split on runs of blanks; names normalised */
function normaliseTarget(type: DnsRecordType, t: string): string {
  switch (type) {
    case 'CNAME': return hostOf(t);
    case 'TXT': return txtText(t);
    case 'SRV': case 'MX': {
      const parts = t.trim().split(/\s+/);
      parts[parts.length - 1] = hostOf(parts[parts.length - 1]!);
      return parts.join(' ');
    }
    default: return t;
  }
}

export function toDnsEndpoint(raw: Raw, defaultNamespace: string): DNSEndpoint {
  const m: Raw = isObj(raw.metadata) ? raw.metadata : {};
  const labels: Record<string, string> = {};
  if (isObj(m.labels)) for (const [k, v] of Object.entries(m.labels)) if (typeof v === 'string') labels[k] = v;
  const records: DnsEndpointRecord[] = [];
  for (const e of arr(isObj(raw.spec) ? raw.spec.endpoints : undefined)) {
    if (!isObj(e)) continue;
    const type = str(e.recordType).toUpperCase();
    const name = hostOf(str(e.dnsName));
    if (!isServedRecordType(type) || name === '') continue;
    const targets: string[] = [];
    for (const t of arr(e.targets)) {
      const v = typeof t === 'string' ? normaliseTarget(type, t) : '';
      if (v !== '' && !targets.includes(v)) targets.push(v);
    }
    if (targets.length === 0) continue;
    const rec: DnsEndpointRecord = { name, type, targets };
    if (typeof e.recordTTL === 'number' && e.recordTTL > 0) rec.ttl = e.recordTTL;
    records.push(rec);
  }
  return { kind: 'DNSEndpoint', namespace: str(m.namespace) || defaultNamespace, name: str(m.name), labels, records };
}

/** One record set a DNSEndpoint gives a name, with the object it came from. */
export interface NamedRecord {
  record: DnsEndpointRecord;
  source: DNSEndpoint;
}

const keyOf = (r: NamedRecord) => `${r.source.namespace}/${r.source.name}`;

/** DNSEndpoints' records by name (`*.x` kept as written), each list sorted by namespace/name; names above counted. */
export class DnsEndpointIndex {
  private byName = new Map<string, NamedRecord[]>();
  private above = new Map<string, number>();

  /** the record sets naming exactly `name`, sorted by the DNSEndpoint's namespace/name */
  forName(name: string): readonly NamedRecord[] {
    return this.byName.get(name) ?? [];
  }

  /** whether some record's name lies below `name` (an empty non-terminal: NODATA, not NXDOMAIN) */
  hasBelow(name: string): boolean {
    return (this.above.get(name) ?? 0) > 0;
  }

  /** every name with records (for listings) */
  names(): IterableIterator<string> {
    return this.byName.keys();
  }

  add(o: DNSEndpoint): void {
    for (const record of o.records) {
      const list = this.byName.get(record.name);
      if (!list) this.byName.set(record.name, [{ record, source: o }]);
      else insertSorted(list, { record, source: o }, keyOf);
      this.ancestors(record.name, 1);
    }
  }

  remove(o: DNSEndpoint): void {
    for (const record of o.records) {
      const list = this.byName.get(record.name);
      if (list) {
        const i = list.findIndex((x) => x.record === record);
        if (i >= 0) list.splice(i, 1);
        if (list.length === 0) this.byName.delete(record.name);
      }
      this.ancestors(record.name, -1);
    }
  }

  private ancestors(name: string, delta: number): void {
    let rest = name.startsWith('*.') ? name.slice(2) : name;
    const bump = (n: string) => {
      const c = (this.above.get(n) ?? 0) + delta;
      if (c <= 0) this.above.delete(n);
      else this.above.set(n, c);
    };
    if (name.startsWith('*.')) bump(rest);
    for (let dot = rest.indexOf('.'); dot >= 0; dot = rest.indexOf('.')) {
      rest = rest.slice(dot + 1);
      bump(rest);
    }
  }
}
