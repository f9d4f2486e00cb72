// Encoded replies by question, bounded in bytes. Keyed by the question's bytes lower-cased, so 0x20-randomised or
// hostile random-case questions for one name share one reply; a hit patches the asker's spelling back in wherever
// the reply repeats it (the question, and e.g. SRV targets that carry the query's zone spelling). Whether a reply
// can be patched is proven, not assumed (see casePatch): a reply that cannot be is kept per exact spelling.
// Replies are stored with ID 0 and RD/CD clear; patchHit puts the query's own in.

/** Entry bookkeeping beyond the buffer: the Map slot, the object, the key string (an estimate). */
const ENTRY_OVERHEAD = 160;
/** At most this many exact spellings of one question are kept: random case cannot grow a chain without end. */
const MAX_CHAIN = 8;

/** A reply repeating the question's spelling in more places than this is kept per spelling. */
const MAX_SEGMENTS = 2048;

export const DEFAULT_CACHE_BYTES = 32 * 1024 * 1024;

const Mode = {
  /** kept for this exact spelling; whether other spellings could share it is not known yet */
  Exact: 0,
  /** kept for this exact spelling: another spelling was shown to need another reply */
  ExactOnly: 1,
  /** serves every spelling, patched by `segments` */
  AnyCase: 2,
} as const;
type Mode = (typeof Mode)[keyof typeof Mode];

export interface CacheEntry {
  variant: number;
  buf: Buffer;
  rcode: number;
  answers: number;
  /** the plugin that wrote it (the journal and metrics say so on a hit too) */
  plugin: string;
  mode: Mode;
  /** the question bytes [12, questionEnd) this reply was made for, as latin1; '' for AnyCase */
  spelling: string;
  /** AnyCase: (reply offset, query offset, length) triples copied from the asker's query besides the question */
  segments: Uint16Array | null;
  /** the spelling has no upper-case letter */
  lower: boolean;
  /** second-chance bit: set on every hit, cleared by the eviction sweep */
  ref: boolean;
  next: CacheEntry | undefined;
}

/** What a question's chain holds after a miss (missInfo); one object reused. */
export interface Found {
  /** an entry of the same variant made for another spelling, not yet tested for sharing */
  variantOf: CacheEntry | undefined;
  /** another spelling of this variant was shown to need its own reply */
  exactOnly: boolean;
  first: CacheEntry | undefined;
}

const keyScratch = Buffer.allocUnsafe(512);

export class AnswerCache {
  private map = new Map<string, CacheEntry>();
  private used = 0;
  private generation = -1;
  /** bytes the cache may hold; 0 turns it off */
  constructor(readonly maxBytes: number = DEFAULT_CACHE_BYTES) {}

  get bytes(): number {
    return this.used;
  }

  get size(): number {
    return this.map.size;
  }

  /** Empties the cache when the plugins' generation (the cluster's, the static table's, ...) moved. */
  sync(generation: number): void {
    if (generation === this.generation) return;
    this.map.clear();
    this.used = 0;
    this.generation = generation;
  }

  /** whether the last key() had an upper-case letter */
  private mixed = false;

  /**
   * The question bytes [12, end) as a string, the name lower-cased: one string per query, as an exact key cost.
   * QTYPE and QCLASS (the last 4 bytes) are kept as they are: folded, 65 (HTTPS) would read as 97 and share a reply.
   */
  key(msg: Buffer, end: number): string {
    const nameEnd = end - 4;
    let i = 12;
    while (i < nameEnd && (msg[i] < 65 || msg[i] > 90)) i++;
    this.mixed = i < nameEnd;
    // Resolvers ask in lower case: then the key is the bytes themselves, as cheap as an exact key.
    if (!this.mixed) return msg.toString('latin1', 12, end);
    for (let j = 12; j < end; j++) {
      const c = msg[j];
      keyScratch[j - 12] = j < nameEnd && c >= 65 && c <= 90 ? c | 0x20 : c;
    }
    return keyScratch.toString('latin1', 0, end - 12);
  }

  /** The entry for this variant that serves the query's spelling (call key() for this query first). */
  lookup(key: string, variant: number, msg: Buffer, end: number): CacheEntry | undefined {
    for (let e = this.map.get(key); e; e = e.next) {
      if (e.variant !== variant) continue;
      // An entry asked in lower case matches a lower-case query without comparing: its spelling is the key.
      if (e.mode === Mode.AnyCase || (e.lower ? !this.mixed : this.mixed && sameSpelling(e.spelling, msg, end))) {
        e.ref = true;
        return e;
      }
    }
    return undefined;
  }

  /** After a miss: what the question's chain holds for this variant under other spellings. */
  missInfo(key: string, variant: number, out: Found): void {
    const first = this.map.get(key);
    out.first = first;
    out.variantOf = undefined;
    out.exactOnly = false;
    for (let e = first; e; e = e.next) {
      if (e.variant !== variant) continue;
      if (e.mode === Mode.Exact) out.variantOf = e;
      else if (e.mode === Mode.ExactOnly) out.exactOnly = true;
    }
  }

  /** Keeps a reply made for the query's exact spelling. */
  addExact(key: string, first: CacheEntry | undefined, variant: number, buf: Buffer, rcode: number, answers: number,
    plugin: string, msg: Buffer, end: number, exactOnly = false): void {
    if (!this.fits(buf)) return;
    let n = 0;
    let tail = first;
    for (let e = first; e; e = e.next) { n++; tail = e; }
    // A full chain (random case, a spread of EDNS sizes) lets its oldest entry go: refusing the newcomer would leave
    // the common variant of a name uncached until the cluster next changes.
    if (n >= MAX_CHAIN && tail) first = this.unlinkFrom(key, first, tail);
    const spelling = msg.toString('latin1', 12, end);
    const mode = exactOnly ? Mode.ExactOnly : Mode.Exact;
    this.link(key, first, { variant, buf, rcode, answers, plugin, mode, spelling, lower: !this.mixed, segments: null, ref: false, next: first });
  }

  /** Replaces `old` (made for another spelling) by one reply for every spelling. */
  addAnyCase(key: string, first: CacheEntry | undefined, old: CacheEntry, buf: Buffer, segments: Uint16Array | null): void {
    const head = this.unlinkFrom(key, first, old);
    if (!this.fits(buf)) return;
    this.link(key, head, { variant: old.variant, buf, rcode: old.rcode, answers: old.answers, plugin: old.plugin, mode: Mode.AnyCase, spelling: '', lower: false, segments, ref: true, next: head });
  }

  /** Records that another spelling of `old`'s question needed another reply. */
  markExactOnly(old: CacheEntry): void {
    old.mode = Mode.ExactOnly;
  }

  private fits(buf: Buffer): boolean {
    // One reply may take an eighth of the cache at most, so a few giant answers cannot flush all the others.
    return this.maxBytes > 0 && buf.length + ENTRY_OVERHEAD <= this.maxBytes / 8;
  }

  private cost(e: CacheEntry): number {
    return e.buf.length + e.spelling.length + (e.segments ? e.segments.byteLength : 0) + ENTRY_OVERHEAD;
  }

  private link(key: string, head: CacheEntry | undefined, e: CacheEntry): void {
    this.used += this.cost(e) + (head ? 0 : key.length);
    this.map.set(key, e);
    if (this.used > this.maxBytes) this.evict(key);
  }

  private unlinkFrom(key: string, first: CacheEntry | undefined, old: CacheEntry): CacheEntry | undefined {
    let head = first;
    if (head === old) head = old.next;
    else for (let e = first; e; e = e.next) if (e.next === old) { e.next = old.next; break; }
    this.used -= this.cost(old);
    if (head) this.map.set(key, head);
    else { this.map.delete(key); this.used -= key.length; }
    return head;
  }

  /**
   * Second chance in insertion order (CLOCK on the Map's order): a question hit since the sweep last passed it
   * moves to the back, one not hit goes. Bounded: every question is moved at most once per call.
   */
  private evict(keep: string): void {
    let budget = this.map.size * 2 + 2;
    while (this.used > this.maxBytes * 0.9 && budget-- > 0) {
      const next = this.map.entries().next();
      if (next.done) return;
      const [key, head] = next.value;
      let ref = false;
      let bytes = 0;
      for (let e: CacheEntry | undefined = head; e; e = e.next) { ref ||= e.ref; e.ref = false; bytes += this.cost(e); }
      this.map.delete(key);
      if (ref || key === keep) { this.map.set(key, head); continue; }
      this.used -= bytes + key.length;
    }
  }
}

function sameSpelling(spelling: string, msg: Buffer, end: number): boolean {
  if (spelling.length !== end - 12) return false;
  for (let i = 0; i < spelling.length; i++) if (spelling.charCodeAt(i) !== msg[12 + i]) return false;
  return true;
}

/** The reply for the asker: a copy with its ID, RD, CD and, for an any-case entry, its spelling patched in. */
export function patchHit(e: CacheEntry, msg: Buffer, nameEnd: number, id: number, rd: boolean, cd: boolean): Buffer {
  const out = Buffer.allocUnsafe(e.buf.length);
  e.buf.copy(out);
  out[0] = id >> 8;
  out[1] = id & 0xff;
  if (rd) out[2] |= 0x01;
  if (cd) out[3] |= 0x10;
  if (e.mode === Mode.AnyCase) {
    msg.copy(out, 12, 12, nameEnd);
    const s = e.segments;
    if (s) {
      // Segments are a zone's labels, a few bytes each: a loop beats a native copy call per segment.
      for (let i = 0; i < s.length; i += 3) {
        const to = s[i];
        const from = s[i + 1];
        for (let k = 0; k < s[i + 2]; k++) out[to + k] = msg[from + k];
      }
    }
  }
  return out;
}

/** The name with every ASCII letter's case flipped (presentation form: escapes hold no letters). */
export function flipCase(name: string): string {
  let s = '';
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    s += String.fromCharCode((c >= 65 && c <= 90) || (c >= 97 && c <= 122) ? c ^ 0x20 : c);
  }
  return s;
}

/** Letters in each label alternately upper and lower case, starting upper: "svc1.testns" -> "SvC1.TeStNs". */
export function alternateCase(name: string): string {
  let s = '';
  let upper = true;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c === 46) upper = true;
    const letter = (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
    s += String.fromCharCode(letter ? (upper ? c & ~0x20 : c | 0x20) : c);
    if (letter) upper = !upper;
  }
  return s;
}

/**
 * Whether one reply can serve every spelling of its question, from two real replies: `a` for one spelling and `b`
 * for the same name with every letter's case flipped. Every reply byte copied from a question letter
 * differs between them; each such byte must sit in a name ending at a zero byte the same distance from the end as
 * the question's own letter, so the asker's bytes can be copied there. The segments found must turn `a` into `b`
 * exactly, or the reply is kept per spelling. Returns the segments (null when only the question differs), or
 * undefined when the reply cannot be shared.
 */
export function casePatch(a: Buffer, b: Buffer, nameEnd: number): Uint16Array | null | undefined {
  if (a.length !== b.length) return undefined;
  const qZero = nameEnd - 1;
  const segs: number[] = [];
  for (let p = nameEnd; p < a.length; p++) {
    if (a[p] === b[p]) continue;
    let z = p;
    while (z < a.length && a[z] !== 0) z++;
    const q = qZero - (z - p);
    if (z >= a.length || q < 12 || (a[p] | 0x20) !== (a[q] | 0x20)) return undefined;
    const n = segs.length;
    // Joined with the previous segment when the bytes between are the same in the question (a label length).
    const gap = n > 0 ? p - (segs[n - 3] + segs[n - 1]) : -1;
    if (gap >= 0 && gap <= 2 && segs[n - 2] + segs[n - 1] + gap === q && a.compare(a, q - gap, q, p - gap, p) === 0) segs[n - 1] += gap + 1;
    else segs.push(p, q, 1);
    if (segs.length > MAX_SEGMENTS * 3) return undefined;
  }
  const check = Buffer.from(a);
  b.copy(check, 12, 12, nameEnd);
  for (let i = 0; i < segs.length; i += 3) b.copy(check, segs[i], segs[i + 1], segs[i + 1] + segs[i + 2]);
  if (!check.equals(b)) return undefined;
  return segs.length ? Uint16Array.from(segs) : null;
}
