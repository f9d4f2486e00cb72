// A walk over an encoded DNS message that finds where each record is and where every compression pointer is, without
// decoding a name: enough to move whole records around and keep the pointers right (permute.ts). Bounded by the
// message: one pass, each byte looked at a constant number of times, into scratch arrays sized for the largest
// message (64 KiB), so a reply costs no allocation.

/** the most records a 64 KiB message can hold (an RR is at least 11 bytes) */
const MAX_RECORDS = 65535 / 11 + 1 | 0;
/** the most pointers a 64 KiB message can hold (2 bytes each) */
const MAX_POINTERS = 32768;

/** The records and pointers of the message last walked. Shared scratch: valid until the next walk. */
export interface Walk {
  /** where the first record starts (after the header and question) */
  recordsStart: number;
  /** records in the answer, authority and additional sections */
  counts: [number, number, number];
  /** record i spans [start[i], end[i]) and has type type[i] */
  start: Int32Array;
  end: Int32Array;
  type: Int32Array;
  /** where record i's rdata starts */
  rdata: Int32Array;
  /** pointer j sits at ptrAt[j] and points at ptrTo[j] */
  ptrAt: Int32Array;
  ptrTo: Int32Array;
  pointers: number;
}

const walk: Walk = {
  recordsStart: 0,
  counts: [0, 0, 0],
  start: new Int32Array(MAX_RECORDS),
  end: new Int32Array(MAX_RECORDS),
  type: new Int32Array(MAX_RECORDS),
  rdata: new Int32Array(MAX_RECORDS),
  ptrAt: new Int32Array(MAX_POINTERS),
  ptrTo: new Int32Array(MAX_POINTERS),
  pointers: 0,
};

/**
 * The types whose rdata holds names a server may compress (RFC 1035's, and the few that later RFCs or common
 * practice compress too); RFC 3597 forbids compression in any other type's rdata. Value: how the names sit.
 */
const NAME_LAYOUT = new Map<number, 'name' | 'two' | 'u16name' | 'srv' | 'naptr'>([
  [2, 'name'], [3, 'name'], [4, 'name'], [5, 'name'], [7, 'name'], [8, 'name'], [9, 'name'], [12, 'name'],
  [6, 'two'], [14, 'two'], [17, 'two'],
  [15, 'u16name'], [18, 'u16name'], [21, 'u16name'], [36, 'u16name'],
  [33, 'srv'],
  [35, 'naptr'],
]);

/** Skips a name at `o` (no further than `limit`), noting its pointer; the offset after it, or -1 when malformed. */
function name(b: Buffer, o: number, limit: number): number {
  for (let labels = 0; labels < 128; labels++) {
    if (o >= limit) return -1;
    const len = b[o]!;
    if (len === 0) return o + 1;
    if ((len & 0xc0) === 0xc0) {
      if (o + 2 > limit || walk.pointers >= MAX_POINTERS) return -1;
      walk.ptrAt[walk.pointers] = o;
      walk.ptrTo[walk.pointers++] = ((len & 0x3f) << 8) | b[o + 1]!;
      return o + 2;
    }
    if (len > 63) return -1;
    o += 1 + len;
  }
  return -1;
}

/** Walks the rdata names of a record whose rdata spans [o, end); false when they do not fit it. */
function rdataNames(b: Buffer, type: number, o: number, end: number): boolean {
  const layout = NAME_LAYOUT.get(type);
  if (!layout) return true;
  let p = o;
  switch (layout) {
    case 'name': p = name(b, p, end); break;
    case 'two': p = name(b, p, end); if (p >= 0) p = name(b, p, end); break;
    case 'u16name': p = name(b, p + 2, end); break;
    case 'srv': p = name(b, p + 6, end); break;
    case 'naptr': {
      p += 4;
      for (let i = 0; i < 3 && p < end; i++) p += 1 + b[p]!;
      p = name(b, p, end);
      break;
    }
  }
  return p >= 0 && p <= end;
}

/** Walks `b`; null when it is not a well-formed message with one question (nothing then gets moved). */
export function walkMessage(b: Buffer): Walk | null {
  if (b.length < 12 || b.length > 65535) return null;
  walk.pointers = 0;
  const qd = b.readUInt16BE(4);
  if (qd > 1) return null;
  let o = 12;
  if (qd === 1) {
    o = name(b, o, b.length);
    if (o < 0 || o + 4 > b.length) return null;
    o += 4;
  }
  walk.recordsStart = o;
  let n = 0;
  for (let s = 0; s < 3; s++) {
    const count = b.readUInt16BE(6 + 2 * s);
    walk.counts[s] = count;
    for (let i = 0; i < count; i++) {
      if (n >= MAX_RECORDS) return null;
      walk.start[n] = o;
      o = name(b, o, b.length);
      if (o < 0 || o + 10 > b.length) return null;
      const type = b.readUInt16BE(o);
      const rdlen = b.readUInt16BE(o + 8);
      o += 10;
      const end = o + rdlen;
      if (end > b.length || !rdataNames(b, type, o, end)) return null;
      walk.type[n] = type;
      walk.rdata[n] = o;
      walk.end[n] = end;
      o = end;
      n++;
    }
  }
  return walk;
}
