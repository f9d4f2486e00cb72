// Every name the server answers, with its records: the content of `clusterdns records`, the admin API's
// /api/v1/records and the bench's zone file for knot. Built by asking the resolver itself for each (name, type),
// so the listing can never disagree with what DNS answers.
//
// At 50,000 Services that is seconds of work, and the admin API must not spend them in one block while DNS waits:
// the work is a generator that yields every few dozen items, run to the end at once by `listRecords` (the CLI) or
// in slices of a few milliseconds between which the event loop answers queries by `listRecordsSliced` (the API).
import type { Service } from '../cluster/model.js';
import type { ClusterStore } from '../cluster/store.js';
import { endpointLabel } from './names.js';
import { QTYPE, type RR } from './records.js';
import type { ResolverConfig } from './resolver-config.js';
import { resolve } from './resolver.js';
import { multiclusterCandidates } from './multicluster-listing.js';

/** Items between two yields: small enough that the time check lands within a fraction of a millisecond. */
const STEP = 64;

/** Work that yields between steps. */
export type Steps<T> = Generator<void, T, void>;

function reverseName(ip: string): string {
  if (!ip.includes(':')) return `${ip.split('.').reverse().join('.')}.in-addr.arpa`;
  const parts = ip.split('::');
  const head = parts[0] ? parts[0].split(':') : [];
  const tail = parts[1] ? parts[1].split(':') : [];
  const full = parts.length > 1 ? [...head, ...Array(8 - head.length - tail.length).fill('0'), ...tail] : head;
  const hex = full.map((w) => w.padStart(4, '0')).join('');
  return `${[...hex].reverse().join('.')}.ip6.arpa`;
}

function* candidateSteps(store: ClusterStore, cfg: ResolverConfig, out: [string, number][]): Steps<void> {
  const zone = cfg.zones[0];
  if (!zone) return;
  for (const z of cfg.zones) {
    out.push([z, QTYPE.SOA], [z, QTYPE.NS], [`dns-version.${z}`, QTYPE.TXT]);
  }
  const ips = new Set<string>();
  let n = 0;
  for (const svc of store.allServices()) {
    if (++n % STEP === 0) yield;
    serviceQuestions(store, cfg, svc, zone, out, ips);
  }
  yield* multiclusterCandidates(store, cfg, out);
  if (cfg.reverseZones.length > 0) {
    for (const ip of ips) {
      if (++n % STEP === 0) yield;
      out.push([reverseName(ip), QTYPE.PTR]);
    }
  }
}

/**
 * The questions worth asking about one Service under `zone` (its name, SRV names, headless endpoint names), added
 * to `out`; the addresses it hands out are added to `ips` (PTR candidates). The console's tree asks these too.
 */
export function serviceQuestions(store: ClusterStore, cfg: ResolverConfig, svc: Service, zone: string, out: [string, number][], ips?: Set<string>): void {
  const base = `${svc.name}.${svc.namespace}.svc.${zone}`;
  if (svc.type === 'ExternalName') { out.push([base, QTYPE.CNAME]); return; }
  out.push([base, QTYPE.A], [base, QTYPE.AAAA], [base, QTYPE.SRV]);
  for (const ip of svc.clusterIPs) ips?.add(ip);
  const named = new Set<string>();
  for (const p of svc.ports) if (p.name) named.add(`_${p.name.toLowerCase()}._${p.protocol.toLowerCase()}.${base}`);
  const labels = new Set<string>();
  for (const slice of store.readyEndpoints(svc.namespace, svc.name)) {
    for (const p of slice.ports) if (p.name) named.add(`_${p.name.toLowerCase()}._${p.protocol.toLowerCase()}.${base}`);
    for (const ep of slice.endpoints) {
      for (const a of ep.addresses) {
        ips?.add(a);
        if (svc.headless) labels.add(endpointLabel(ep, a, cfg.endpointPodNames).toLowerCase());
      }
    }
  }
  for (const nm of named) out.push([nm, QTYPE.SRV]);
  for (const l of labels) out.push([`${l}.${base}`, QTYPE.A], [`${l}.${base}`, QTYPE.AAAA]);
}

/** Names and types worth asking about, derived from the store. */
export function candidateQuestions(store: ClusterStore, cfg: ResolverConfig): [string, number][] {
  const out: [string, number][] = [];
  runToEnd(candidateSteps(store, cfg, out));
  return out;
}

/** The order of a zone file: owner names compared label by label from the right, then type. */
export function orderKey(rr: RR): string {
  return rr.name.split('.').reverse().join('.');
}

/**
 * A stable merge sort of `idx` by (keys, types), yielding as it goes: sorting 200,000 records is a few hundred
 * milliseconds. Stable, so records of one name and type keep the resolver's order, as Array#sort kept it.
 */
function* sortSteps(idx: Int32Array, keys: string[], types: Uint16Array): Steps<Int32Array> {
  const before = (a: number, b: number) => {
    const x = keys[a]; const y = keys[b];
    return x < y ? -1 : x > y ? 1 : types[a] - types[b];
  };
  const n = idx.length;
  const RUN = 32;
  for (let lo = 0; lo < n; lo += RUN) {
    const hi = Math.min(lo + RUN, n);
    for (let i = lo + 1; i < hi; i++) {
      const v = idx[i];
      let j = i - 1;
      while (j >= lo && before(idx[j], v) > 0) { idx[j + 1] = idx[j]; j--; }
      idx[j + 1] = v;
    }
    if ((lo / RUN) % 8 === 0) yield;
  }
  let src: Int32Array = idx;
  let dst: Int32Array = new Int32Array(n);
  let moved = 0;
  for (let width = RUN; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(lo + width, n);
      const hi = Math.min(lo + 2 * width, n);
      let i = lo; let j = mid; let k = lo;
      while (i < mid && j < hi) {
        dst[k++] = before(src[j], src[i]) < 0 ? src[j++] : src[i++];
        if (++moved % (STEP * 8) === 0) yield;
      }
      while (i < mid) dst[k++] = src[i++];
      while (j < hi) dst[k++] = src[j++];
    }
    [src, dst] = [dst, src];
  }
  return src;
}

function* listingSteps(store: ClusterStore, cfg: ResolverConfig): Steps<RR[]> {
  const questions: [string, number][] = [];
  yield* candidateSteps(store, cfg, questions);
  const seen = new Set<string>();
  const out: RR[] = [];
  for (let q = 0; q < questions.length; q++) {
    if (q % STEP === 0) yield;
    const [name, type] = questions[q];
    const ans = resolve(store, cfg, name, type);
    for (const rr of ans.answer) {
      if (rr.type !== type && !(type === QTYPE.CNAME && rr.type === QTYPE.CNAME)) continue;
      const k = `${rr.name}|${rr.type}|${JSON.stringify(rr.data)}`;
      if (seen.has(k)) continue;
      seen.add(k);
      out.push(rr);
    }
  }
  // Static records (lib/static) as they are: a wildcard is listed as its owner, *.example.test.
  let n = 0;
  for (const rr of cfg.statics?.records() ?? []) {
    if (++n % (STEP * 4) === 0) yield;
    out.push(rr);
  }
  seen.clear();
  const keys: string[] = new Array(out.length);
  const types = new Uint16Array(out.length);
  const idx = new Int32Array(out.length);
  for (let i = 0; i < out.length; i++) {
    if (i % (STEP * 4) === 0) yield;
    keys[i] = orderKey(out[i]);
    types[i] = out[i].type;
    idx[i] = i;
  }
  const sorted = yield* sortSteps(idx, keys, types);
  const result: RR[] = new Array(out.length);
  for (let i = 0; i < sorted.length; i++) result[i] = out[sorted[i]];
  return result;
}

/** Runs steps to the end in one go. */
export function runToEnd<T>(steps: Steps<T>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/** Runs steps in slices of about `sliceMs`, letting the event loop run (DNS answer) between slices. */
export async function runInSlices<T>(steps: Steps<T>, sliceMs = 4): Promise<T> {
  for (;;) {
    const until = performance.now() + sliceMs;
    for (;;) {
      const r = steps.next();
      if (r.done) return r.value;
      if (performance.now() >= until) break;
    }
    await new Promise((resolveSlice) => setImmediate(resolveSlice));
  }
}

/** All records, de-duplicated and sorted by owner then type: what a zone file of the cluster would hold. */
export function listRecords(store: ClusterStore, cfg: ResolverConfig): RR[] {
  return runToEnd(listingSteps(store, cfg));
}

/** The same listing, built in slices that leave the event loop free between them. */
export function listRecordsSliced(store: ClusterStore, cfg: ResolverConfig, sliceMs?: number): Promise<RR[]> {
  return runInSlices(listingSteps(store, cfg), sliceMs);
}
