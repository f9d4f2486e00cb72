// The static record table: names outside the cluster zones an app under test also resolves (api.stripe.test, an MX
// for mail tests, a TXT). Records come from origins (each --records file, the admin API, the in-process API); an
// origin is replaced or edited as a whole, checked before anything changes, so a bad change leaves the table as it
// was. Every change bumps `generation` (the answer cache keys on it, as on the cluster store's).
//
// lookup(name, qtype) is the interface the resolver (and later CoreDNS's hosts plugin) builds on:
// records | nodata (the name exists with other types, or only has names below it) | miss (not ours: forward it).
import { QTYPE, typeName, type RR } from '../dns/records.js';
import { RecordError } from './rdata.js';
import { inZone } from '../dns/names.js';

export type StaticLookup =
  | { kind: 'records'; records: RR[] }
  | { kind: 'nodata' }
  | { kind: 'miss' };

/** What the resolver needs from the table. */
export interface StaticSource {
  readonly generation: number;
  lookup(name: string, qtype: number): StaticLookup;
  /** every record, in no particular order (listings sort) */
  records(): Iterable<RR>;
}

export const DEFAULT_MAX_STATIC_RECORDS = 100_000;
/** owner names and every domain above them: bounds the index when names are long (127 labels each) */
const MAX_NODES_PER_RECORD = 8;

export interface StaticTableOptions {
  /** forward zones the cluster serves: names in them are refused (use a manifest) */
  zones: readonly string[];
  maxRecords?: number;
}

export class StaticTable implements StaticSource {
  generation = 0;
  readonly maxRecords: number;
  private owners = new Map<string, RR[]>();
  /** every owner name and every name above one, with how many owners sit at or below it (empty non-terminals) */
  private nodes = new Map<string, number>();
  /** each origin's records by identity (name, type, data): an add replaces an equal record in place */
  private origins = new Map<string, Map<string, RR>>();
  private count = 0;

  constructor(private readonly opts: StaticTableOptions) {
    this.maxRecords = opts.maxRecords ?? DEFAULT_MAX_STATIC_RECORDS;
  }

  get size(): number {
    return this.count;
  }

  *records(): Iterable<RR> {
    for (const rrs of this.origins.values()) yield* rrs.values();
  }

  /** Every record, sorted by name then type (the listing's order). */
  list(): RR[] {
    const all = [...this.records()].map((r) => ({ k: r.name.toLowerCase(), r }));
    all.sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : a.r.type - b.r.type));
    return all.map((x) => x.r);
  }

  /** Records of one origin ('api', 'file:/path', ...). */
  originRecords(origin: string): readonly RR[] {
    return [...(this.origins.get(origin)?.values() ?? [])];
  }

  originSize(origin: string): number {
    return this.origins.get(origin)?.size ?? 0;
  }

  /** Replaces an origin's records; throws RecordError (naming the record's source) and changes nothing on a problem. */
  replace(origin: string, records: readonly RR[]): void {
    const next = new Map<string, RR>();
    for (const r of records) next.set(identity(r), r);
    this.change(origin, [...(this.origins.get(origin)?.values() ?? [])], [...next.values()], next);
  }

  /**
   * Adds records to an origin: a record equal to one it has (same name, type and data) replaces it (its TTL).
   * Costs the records given, not the table's size: batches of 10,000 into a table of 90,000 stay cheap.
   */
  add(origin: string, records: readonly RR[]): void {
    const have = this.origins.get(origin) ?? new Map<string, RR>();
    const fresh = new Map<string, RR>();
    for (const r of records) fresh.set(identity(r), r);
    const replaced: RR[] = [];
    for (const k of fresh.keys()) { const o = have.get(k); if (o) replaced.push(o); }
    this.change(origin, replaced, [...fresh.values()], undefined, () => {
      for (const [k, r] of fresh) have.set(k, r);
      this.origins.set(origin, have);
    });
  }

  /** Removes an origin's records at `name` (of `type`, or all types); how many went. */
  remove(origin: string, name: string, type?: number): number {
    const have = this.origins.get(origin);
    if (!have) return 0;
    const lname = name.replace(/\.$/, '').toLowerCase();
    const gone = (this.owners.get(lname) ?? []).filter((r) => (type === undefined || r.type === type) && have.get(identity(r)) === r);
    if (gone.length === 0) return 0;
    this.change(origin, gone, [], undefined, () => {
      for (const r of gone) have.delete(identity(r));
      if (have.size === 0) this.origins.delete(origin);
    });
    return gone.length;
  }

  /** Where records at `name` that `except` does not hold come from (a file:line), if any. */
  heldElsewhere(name: string, except: string): string | undefined {
    const lname = name.replace(/\.$/, '').toLowerCase();
    const mine = this.origins.get(except);
    for (const r of this.owners.get(lname) ?? []) {
      if (mine?.get(identity(r)) !== r) return r.source ?? 'another origin';
    }
    return undefined;
  }

  clear(origin: string): void {
    this.replace(origin, []);
  }

  /**
   * Takes `out` out of the index and puts `into` in, all or nothing; then either sets the origin to `whole` or
   * lets `commit` update it.
   */
  private change(origin: string, out: readonly RR[], into: readonly RR[], whole?: Map<string, RR>, commit?: () => void): void {
    for (const r of into) this.checkZone(r);
    const count = this.count - out.length + into.length;
    if (count > this.maxRecords) throw new RecordError(`the static table would hold ${count} records, over its cap of ${this.maxRecords}: remove some first`);
    for (const r of out) this.unindex(r);
    let done = 0;
    try {
      for (const r of into) { this.index(r); done++; }
    } catch (err) {
      // Undo: the records taken out were consistent with the rest before.
      for (let i = 0; i < done; i++) this.unindex(into[i]);
      for (const r of out) this.index(r);
      throw err;
    }
    this.count = count;
    if (commit) commit();
    else if (whole && whole.size) this.origins.set(origin, whole);
    else this.origins.delete(origin);
    this.generation++;
  }

  private checkZone(r: RR): void {
    const lname = r.name.toLowerCase();
    for (const z of this.opts.zones) {
      if (inZone(lname, z)) {
        throw new RecordError(`${where(r)}"${r.name}" is inside the cluster zone ${z || '.'} this server answers from its objects: give it as a manifest (a Service, an ExternalName) instead`);
      }
    }
  }

  private index(r: RR): void {
    const lname = r.name.toLowerCase();
    const at = this.owners.get(lname);
    if (at) {
      // RFC 1034 §3.6.2: a CNAME owner has no other data (and one CNAME).
      const cname = at.find((x) => x.type === QTYPE.CNAME);
      if (cname && (r.type !== QTYPE.CNAME || identity(cname) !== identity(r))) {
        throw new RecordError(`${where(r)}${r.name} already has a CNAME (${cname.source ?? 'api'}): a CNAME owner can hold no other record; remove one of them`);
      }
      if (r.type === QTYPE.CNAME && at.some((x) => x.type !== QTYPE.CNAME)) {
        throw new RecordError(`${where(r)}${r.name} already holds ${typeName(at.find((x) => x.type !== QTYPE.CNAME)!.type)} records: a CNAME cannot sit beside other data; use another name`);
      }
      at.push(r);
      return;
    }
    const labels = lname.split('.');
    if (this.nodes.size + labels.length > this.maxRecords * MAX_NODES_PER_RECORD) {
      throw new RecordError(`${where(r)}the static table's names and the domains above them would pass ${this.maxRecords * MAX_NODES_PER_RECORD}: use fewer or shorter names`);
    }
    this.owners.set(lname, [r]);
    for (let i = 0, n = lname; ; ) {
      this.nodes.set(n, (this.nodes.get(n) ?? 0) + 1);
      i = lname.indexOf('.', i);
      if (i === -1) break;
      i++;
      n = lname.slice(i);
    }
  }

  private unindex(r: RR): void {
    const lname = r.name.toLowerCase();
    const at = this.owners.get(lname);
    if (!at) return;
    const k = at.indexOf(r);
    if (k === -1) return;
    at.splice(k, 1);
    if (at.length > 0) return;
    this.owners.delete(lname);
    for (let i = 0, n = lname; ; ) {
      const c = (this.nodes.get(n) ?? 1) - 1;
      if (c <= 0) this.nodes.delete(n); else this.nodes.set(n, c);
      i = lname.indexOf('.', i);
      if (i === -1) break;
      i++;
      n = lname.slice(i);
    }
  }

  /**
   * The records at `name` for `qtype`, owners spelled as asked. A CNAME answers every type but CNAME's own
   * holders (the caller follows it). A wildcard `*.d` answers a name below d when no name between them exists
   * (RFC 4592's closest encloser). Linear in the name's labels.
   */
  lookup(name: string, qtype: number): StaticLookup {
    if (this.count === 0) return MISS;
    const asked = name.endsWith('.') ? name.slice(0, -1) : name;
    const lname = asked.toLowerCase();
    let rrs = this.owners.get(lname);
    if (!rrs) {
      if (this.nodes.has(lname)) return NODATA;
      for (let i = lname.indexOf('.'); i !== -1; i = lname.indexOf('.', i + 1)) {
        const above = lname.slice(i + 1);
        rrs = this.owners.get(`*.${above}`);
        if (rrs) break;
        if (this.nodes.has(above)) return MISS;
      }
      if (!rrs) return MISS;
    }
    const out: RR[] = [];
    for (const r of rrs) {
      if (r.type === qtype || qtype === QTYPE.ANY || (r.type === QTYPE.CNAME && qtype !== QTYPE.CNAME)) out.push({ ...r, name: asked } as RR);
    }
    return out.length ? { kind: 'records', records: out } : NODATA;
  }
}

const MISS: StaticLookup = { kind: 'miss' };
const NODATA: StaticLookup = { kind: 'nodata' };

/** name, type and data: two records with the same identity are one record (TTL aside) */
export function identity(r: RR): string {
  const d = r.data;
  const data = typeof d === 'string' ? d.toLowerCase() : Array.isArray(d) ? JSON.stringify(d) : JSON.stringify(d).toLowerCase();
  return `${r.name.toLowerCase()}\t${r.type}\t${data}`;
}

function where(r: RR): string {
  return r.source && r.source !== 'api' && r.source !== 'in-process' ? `${r.source}: ` : '';
}
