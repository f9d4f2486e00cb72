// Assertions for whole DNS replies, phrased like a row of CoreDNS's handler tests: rcode, answer set, additional set,
// and for negative replies exactly one SOA in the authority section with the fields CoreDNS puts there.
import type { Reply } from './dns-wire.js';
import { answers, expectedSoaFields, extras, rr, sorted } from './records.js';

/** The slice of tap's assertion API these helpers need (structural, so any tap Test fits). */
/* eslint-disable @typescript-eslint/no-explicit-any */
export interface Asserts {
  equal(found: unknown, wanted: unknown, ...msg: any[]): boolean;
  same(found: unknown, wanted: unknown, ...msg: any[]): boolean;
  ok(found: unknown, ...msg: any[]): boolean;
  has(found: unknown, wanted: unknown, ...msg: any[]): boolean;
}
/* eslint-enable @typescript-eslint/no-explicit-any */

function label(reply: Reply): string {
  const q = reply.msg.questions[0];
  return q ? `${q.name} ${q.type}` : `id ${reply.msg.id}`;
}

export interface Positive {
  answer: string[];
  /** the additional section without OPT; omitted = not checked */
  extra?: string[];
  /** omitted = must be empty */
  authority?: string[];
}

/** NOERROR, AA=1, exactly these answer records (any order). */
export function expectAnswer(t: Asserts, reply: Reply, want: Positive): void {
  const l = label(reply);
  t.equal(reply.msg.rcode, 'NOERROR', `${l}: rcode`);
  t.equal(reply.msg.flag_aa, true, `${l}: AA`);
  t.equal(reply.msg.flag_tc, false, `${l}: TC`);
  t.same(answers(reply), sorted(want.answer), `${l}: answer section`);
  if (want.extra) t.same(extras(reply), sorted(want.extra), `${l}: additional section`);
  t.same(reply.msg.authorities.map(rr).sort(), sorted(want.authority ?? []), `${l}: authority section`);
}

export interface NegativeOpts {
  /** the zone as spelled in the query (the SOA owner), default cluster.local */
  zone?: string;
  ttl?: number;
}

function expectSoaOnly(t: Asserts, reply: Reply, opts: NegativeOpts, what: string): void {
  const l = label(reply);
  t.equal(reply.msg.flag_aa, true, `${l}: AA on ${what}`);
  t.same(reply.msg.answers.map(rr), [], `${l}: empty answer on ${what}`);
  t.equal(reply.msg.authorities.length, 1, `${l}: exactly one authority record on ${what}`);
  const soa = reply.msg.authorities[0];
  if (soa) t.has(soa, expectedSoaFields({ zone: opts.zone ?? 'cluster.local', ttl: opts.ttl }), `${l}: SOA in authority on ${what}`);
}

/** NOERROR with an empty answer and the zone's SOA in authority. */
export function expectNoData(t: Asserts, reply: Reply, opts: NegativeOpts = {}): void {
  t.equal(reply.msg.rcode, 'NOERROR', `${label(reply)}: rcode (NODATA)`);
  expectSoaOnly(t, reply, opts, 'NODATA');
}

/** NXDOMAIN with the zone's SOA in authority. */
export function expectNxdomain(t: Asserts, reply: Reply, opts: NegativeOpts = {}): void {
  t.equal(reply.msg.rcode, 'NXDOMAIN', `${label(reply)}: rcode`);
  expectSoaOnly(t, reply, opts, 'NXDOMAIN');
}

/** The question section echoes the query byte for byte in name (case kept), type and class. */
export function expectQuestionEcho(t: Asserts, reply: Reply, name: string, type: string): void {
  t.same(reply.msg.questions, [{ name, type, class: 'IN' }], `${name} ${type}: question echoed as sent`);
}
