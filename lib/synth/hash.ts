// Deterministic stand-ins for the randomness Kubernetes controllers use (generated name suffixes, UIDs), and the
// template hash Deployments put in ReplicaSet and Pod names. Same input, same output, on every run and machine.

/** The alphabet of Kubernetes generated-name suffixes (k8s.io/apimachinery/pkg/util/rand): no vowels, no 0/1/3. */
export const SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** 32-bit FNV-1a over the UTF-16 code units (Kubernetes hashes templates with FNV-32a too). */
export function fnv32a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A well-mixed 53-bit string hash (cyrb53), exact in a JS number; used to place IPs in large CIDRs. */
export function hash53(s: string, seed = 0): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** rand.SafeEncodeString: each character mapped into the suffix alphabet, as pod-template-hash values are made. */
export function safeEncodeString(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += SUFFIX_ALPHABET[s.charCodeAt(i) % SUFFIX_ALPHABET.length];
  return out;
}

/** A 5-character generated-name suffix, derived from `seed` instead of drawn at random. */
export function nameSuffix(seed: string, length = 5): string {
  let h = hash53(seed);
  let out = '';
  for (let i = 0; i < length; i++) {
    out += SUFFIX_ALPHABET[h % SUFFIX_ALPHABET.length];
    h = Math.floor(h / SUFFIX_ALPHABET.length);
  }
  return out;
}

/** 32-bit integer mix (murmur3 fmix32): spreads `seed` combined with `i` over all 32 bits. */
export function mix32(seed: number, i: number): number {
  let h = (seed ^ Math.imul(i + 1, 0x9e3779b1)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The `i`-th generated-name suffix of a series seeded by `seed` (one hash of the seed for the whole series). */
export function seriesSuffix(seedHash: number, i: number): string {
  // Five characters in one string allocation: this runs once per synthesised pod.
  const h = mix32(seedHash, i);
  const n = SUFFIX_ALPHABET.length;
  const c = (d: number) => SUFFIX_CODES[Math.floor(h / d) % n];
  return String.fromCharCode(c(1), c(n), c(n * n), c(n * n * n), c(n * n * n * n));
}

const SUFFIX_CODES = Array.from(SUFFIX_ALPHABET, (ch) => ch.charCodeAt(0));

/** JSON with object keys sorted, so equal objects hash equally whatever order their keys were written in. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const keys = Object.keys(v as object).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** The pod-template-hash label value: FNV-32a of the template, decimal, safe-encoded (controller.ComputeHash). */
export function podTemplateHash(template: unknown, collisionCount = 0): string {
  const text = canonicalJson(template) + (collisionCount ? `#${collisionCount}` : '');
  return safeEncodeString(String(fnv32a(text)));
}

/** A UUID-shaped deterministic identifier (for controller-uid labels). */
export function deterministicUid(seed: string): string {
  const hex = (n: number, len: number) => n.toString(16).padStart(len, '0').slice(-len);
  const a = hash53(seed, 1);
  const b = hash53(seed, 2);
  return `${hex(a, 8)}-${hex(Math.floor(a / 2 ** 32), 4)}-4${hex(b, 3)}-${hex(8 + (b % 4), 1)}${hex(Math.floor(b / 4096), 3)}-${hex(hash53(seed, 3), 12)}`;
}

/** Kubernetes' names.SimpleNameGenerator: the generateName base is cut to leave room for a 5-character suffix. */
export function generatedName(base: string, suffix: string): string {
  return `${base.length > 58 ? base.slice(0, 58) : base}${suffix}`;
}
