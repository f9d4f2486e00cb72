// Which of the queries a fault's name and type match it acts on: every Nth, a seeded random fraction, one client
// address or network, one transport. Checked only for a fault whose name and type already matched, so they cost
// nothing on the queries of other names. Random draws come from a PRNG seeded per fault: a test run that sends the
// same queries sees the same faults fire, and a failure reproduces from the seed the fault reports.
import net from 'node:net';
import { ipv6Words } from '../dns/names.js';
import type { Transport } from '../wire/responder.js';

/** `every` above this is no test's need, and keeps the counter an exact small integer */
export const MAX_EVERY = 1_000_000;

export interface SelectorSpec {
  /** act on the Nth, 2Nth, ... query that matches (name, type, client, transport) */
  every?: number;
  /** act on this fraction of the matching queries, 0 < p <= 1 */
  probability?: number;
  /** the PRNG's seed for `probability` (0 to 2^32-1); chosen at random and reported when absent */
  seed?: number;
  /** only queries from this source address or network ("127.0.0.2", "10.0.0.0/8", "::1") */
  client?: string;
  /** only queries over this transport */
  transport?: Transport;
}

export interface Selector {
  /**
   * Whether the fault acts on this query. `advance` false (a look through the admin resolve route) answers for the
   * next query without moving the every-counter or the PRNG.
   */
  test(client: string, transport: Transport, advance: boolean): boolean;
}

export class SelectorError extends Error {}

/** mulberry32: 32 bits of state, so a fault's sequence is fixed by its seed alone. */
function nextState(a: number): number {
  return (a + 0x6d2b79f5) >>> 0;
}
function draw(a: number): number {
  let x = Math.imul(a ^ (a >>> 15), a | 1);
  x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
  return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
}

/** A source address as text without the IPv4-mapped prefix a dual-stack socket reports ("::ffff:127.0.0.1"). */
function plainAddress(client: string): string {
  return client.length > 7 && client.startsWith('::ffff:') && net.isIPv4(client.slice(7)) ? client.slice(7) : client;
}

/** An address as 16-bit words (2 for IPv4, 8 for IPv6), or undefined when the text is not an address. */
function addressWords(ip: string): number[] | undefined {
  if (net.isIPv4(ip)) {
    const b = ip.split('.').map(Number);
    return [(b[0] << 8) | b[1], (b[2] << 8) | b[3]];
  }
  return ip.includes('%') ? undefined : ipv6Words(ip);
}

/** A network as its words and prefix length; an address is a network of all its bits. */
interface Network { words: number[]; bits: number }

function inNetwork(words: readonly number[], n: Network): boolean {
  if (words.length !== n.words.length) return false;
  let left = n.bits;
  for (let i = 0; left > 0; i++, left -= 16) {
    const mask = left >= 16 ? 0xffff : (0xffff << (16 - left)) & 0xffff;
    if ((words[i] & mask) !== (n.words[i] & mask)) return false;
  }
  return true;
}

/**
 * The words of the query's source address. BlockList#check cost ~8 µs a call (a full table of client faults on one
 * name: 8 ms a query); the faults a query reaches share one parse of its address instead.
 */
let lastClient = '';
let lastWords: number[] | undefined;
function clientWords(client: string): number[] | undefined {
  if (client !== lastClient) {
    lastClient = client;
    lastWords = addressWords(plainAddress(client));
  }
  return lastWords;
}

function parseClient(text: unknown): { net: Network; source: string } {
  const hint = 'use an address or a network such as "127.0.0.2", "10.0.0.0/8" or "::1/128"';
  if (typeof text !== 'string' || text === '' || text.length > 50) throw new SelectorError(`"client" must be a string: ${hint}`);
  const [ip, prefix, more] = text.split('/');
  const family = net.isIP(ip);
  const shown = JSON.stringify(text);
  const words = family === 0 ? undefined : addressWords(prefix === undefined ? plainAddress(ip) : ip);
  if (!words) throw new SelectorError(`"client" ${shown}: ${JSON.stringify(ip)} is not an IPv4 or IPv6 address; ${hint}`);
  const max = family === 4 ? 32 : 128;
  if (prefix === undefined) return { net: { words, bits: words.length * 16 }, source: text };
  if (more !== undefined || !/^\d{1,3}$/.test(prefix) || Number(prefix) > max) {
    throw new SelectorError(`"client" ${shown}: the prefix length after "/" must be 0 to ${max} for an IPv${family} network; ${hint}`);
  }
  // Clients from a dual-stack socket are compared as IPv4 (plainAddress), so an IPv4-mapped network is one too.
  const v4 = plainAddress(ip);
  if (v4 !== ip) {
    if (Number(prefix) < 96) throw new SelectorError(`"client" ${shown}: an IPv4-mapped network needs a prefix of 96 to 128 (or write the IPv4 network, e.g. "${v4}/${Math.max(0, Number(prefix) - 96)}")`);
    return { net: { words: addressWords(v4)!, bits: Number(prefix) - 96 }, source: text };
  }
  return { net: { words, bits: Number(prefix) }, source: text };
}

/** Checks the selector fields of a spec; returns the selector (undefined when the spec has none) and the fields to echo. */
export function compileSelector(spec: SelectorSpec): { selector?: Selector; echo: SelectorSpec } {
  const { every, probability, seed, client, transport } = spec;
  if (every !== undefined && !(Number.isInteger(every) && every >= 1 && every <= MAX_EVERY)) {
    throw new SelectorError(`"every" must be a whole number from 1 to ${MAX_EVERY} (1 = every matching query, 3 = the 3rd, 6th, 9th...), not ${JSON.stringify(every)}`);
  }
  if (probability !== undefined && !(typeof probability === 'number' && probability > 0 && probability <= 1)) {
    throw new SelectorError(`"probability" must be a number with 0 < p <= 1 (0.25 = a quarter of the matching queries), not ${JSON.stringify(probability)}`);
  }
  if (seed !== undefined && !(Number.isInteger(seed) && seed >= 0 && seed <= 0xffffffff)) {
    throw new SelectorError(`"seed" must be a whole number from 0 to 4294967295, not ${JSON.stringify(seed)}`);
  }
  if (seed !== undefined && probability === undefined) throw new SelectorError('"seed" seeds "probability": give "probability" too, or leave "seed" out');
  if (transport !== undefined && transport !== 'udp' && transport !== 'tcp') {
    throw new SelectorError(`"transport" must be "udp" or "tcp", not ${JSON.stringify(transport)}`);
  }
  const from = client !== undefined ? parseClient(client) : undefined;
  if (every === undefined && probability === undefined && from === undefined && transport === undefined) return { echo: {} };

  const seedUsed = probability !== undefined ? (seed ?? (Math.random() * 0x100000000) >>> 0) : undefined;
  let state = seedUsed ?? 0;
  let count = 0;
  const selector: Selector = {
    test(c, t, advance) {
      if (transport !== undefined && t !== transport) return false;
      if (from) {
        const words = clientWords(c);
        if (!words || !inNetwork(words, from.net)) return false;
      }
      if (every !== undefined) {
        const n = count + 1;
        if (advance) count = n === every ? 0 : n;
        if (n !== every) return false;
      }
      if (probability !== undefined) {
        const next = nextState(state);
        if (advance) state = next;
        return draw(next) < probability;
      }
      return true;
    },
  };
  return {
    selector,
    echo: {
      ...(every !== undefined ? { every } : {}),
      ...(probability !== undefined ? { probability, seed: seedUsed } : {}),
      ...(from ? { client: from.source } : {}),
      ...(transport !== undefined ? { transport } : {}),
    },
  };
}
