// explain: the exact answer DNS gives a question (asked through the responder, faults and cache included) and why:
// the rule behind each record, and for NXDOMAIN/NODATA the near misses (explain-near-miss.ts), the search-path walk
// a pod in a namespace makes (glibc's res_search order), and the faults that match. Shared by the admin route, the
// CLI (through the route) and dns.explain().
import type { ClusterStore } from '../cluster/store.js';
import { parseType, QTYPE, typeName } from '../dns/records.js';
import type { ResolverConfig } from '../dns/resolver-config.js';
import { answerJson, type AnswerJson, type AnswerSource, type RRJson } from './dns-answer.js';
import { ServiceNames } from './explain-names.js';
import { findNearMisses } from './explain-near-miss.js';
import type { ExplainedRecord, Explanation, ExplainOptions, NearMiss, SearchStep, SearchWalk } from './explain-types.js';
import type { Fault } from './faults.js';
import { compilePattern } from './name-pattern.js';
import { externalNearMisses } from '../plugins/ingress/near-miss.js';
import { NameError } from './resolve.js';

/** near misses listed per explain; the rest are counted */
export const MAX_NEAR_MISSES = 12;
/** glibc caps ndots at 15 (RES_MAXNDOTS) */
export const MAX_NDOTS = 15;
const NAMESPACE_RE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** The question is wrong: the message says what to fix (HTTP 400, TypeError in process). */
export class ExplainError extends Error {}

export interface ExplainDeps extends AnswerSource {
  store: ClusterStore;
  resolverConfig(): ResolverConfig;
  faults(): Fault[];
}

export interface CheckedQuestion { name: string; qtype: number; absolute: boolean; namespace?: string; ndots: number }

/** Checks explain's input as a user typed it (HTTP query string, CLI, in-process call). */
export function checkQuestion(name: unknown, opts: ExplainOptions = {}): CheckedQuestion {
  if (typeof name !== 'string' || name === '' || name === '.') throw new ExplainError('name: give the name to explain, e.g. web.default.svc.cluster.local or just "web" with namespace');
  if (name.length > 255) throw new ExplainError(`name: ${name.length} characters; a DNS name has at most 253 (255 with the trailing dot)`);
  const t = opts.type === undefined ? QTYPE.A : typeof opts.type === 'number' ? opts.type : parseType(String(opts.type));
  if (t === undefined || !Number.isInteger(t) || t < 1 || t > 65535) throw new ExplainError(`type "${String(opts.type).slice(0, 20)}" is not a DNS type: use A, AAAA, SRV, PTR, TXT, CNAME, SOA, NS or TYPEnn`);
  if (t === QTYPE.AXFR || t === QTYPE.IXFR || t === QTYPE.OPT) throw new ExplainError(`type ${typeName(t)}: explain answers questions, not zone transfers or EDNS; use A, AAAA, SRV...`);
  const ns = opts.namespace;
  if (ns !== undefined && (typeof ns !== 'string' || !NAMESPACE_RE.test(ns))) {
    throw new ExplainError(`namespace "${String(ns).slice(0, 70)}": a namespace is a DNS label (lower case letters, digits and "-", at most 63, starting and ending with a letter or digit)`);
  }
  const ndots = opts.ndots ?? 5;
  if (typeof ndots !== 'number' || !Number.isInteger(ndots) || ndots < 0 || ndots > MAX_NDOTS) {
    throw new ExplainError(`ndots ${String(ndots).slice(0, 20)}: a whole number from 0 to ${MAX_NDOTS} (glibc's bound; the kubelet sets 5)`);
  }
  const absolute = name.endsWith('.') && !name.endsWith('\\.');
  const bare = absolute ? name.slice(0, -1) : name;
  if (bare === '' || bare.startsWith('.') || /(^|[^\\])\.\./.test(bare)) throw new ExplainError(`name "${name.slice(0, 80)}" has an empty label (two dots in a row, or a leading dot): write labels between single dots`);
  if (/[^\x00-\x7f]/.test(bare)) throw new ExplainError(`name ${JSON.stringify(name.slice(0, 80))} is not ASCII: write IDN names in their xn-- (punycode) form`);
  if (/[\s\x00-\x1f\x7f]/.test(bare)) throw new ExplainError(`name ${JSON.stringify(name.slice(0, 80))} has spaces or control characters: a DNS name is labels of letters, digits, "-" and "_"`);
  return { name: bare, qtype: t, absolute, ...(ns !== undefined ? { namespace: ns } : {}), ndots };
}

export class Explainer {
  private readonly names: ServiceNames;

  constructor(private readonly deps: ExplainDeps) {
    this.names = new ServiceNames(deps.store);
  }

  async explain(name: unknown, opts: ExplainOptions = {}): Promise<Explanation> {
    const q = checkQuestion(name, opts);
    let ans: AnswerJson;
    try {
      ans = await answerJson(this.deps, q.name, q.qtype);
    } catch (err) {
      if (err instanceof NameError) throw new ExplainError(`${err.message}: no DNS query can carry it`);
      throw err;
    }
    const cfg = this.deps.resolverConfig();
    const store = this.deps.store;
    const rule = (sec: 'answer' | 'authority' | 'additional') => (rr: RRJson): ExplainedRecord => ({ ...rr, rule: ruleFor(rr, sec, store, cfg) });
    const negative = ans.rcode !== 'NOERROR' || ans.answer.length === 0;
    // A negative answer from an external zone carries the ingress plugin's SOA: its own near misses.
    const externalZone = negative && ans.authority[0]?.type === 'SOA' && ans.authority[0].source === 'ingress' ? ans.authority[0].name.replace(/\.$/, '') : undefined;
    let misses: NearMiss[] = externalZone !== undefined
      ? externalNearMisses({ store, name: q.name, zone: externalZone, rcode: ans.rcode, type: ans.type, otherFamily: await this.otherFamily(q) })
      : negative
        ? findNearMisses({ store, cfg, names: this.names, name: q.name, qtype: q.qtype, rcode: ans.rcode, empty: ans.answer.length === 0, ...(q.namespace !== undefined ? { namespace: q.namespace } : {}) })
        : [];
    const faults = matchingFaults(this.deps.faults(), q.name, q.qtype);
    for (const f of faults.slice(0, 3)) {
      misses.unshift({ kind: 'fault', message: `fault #${f.id} (${f.fault}${f.type ? ` ${f.type}` : ''}, name "${f.name}") matches this question${f.hits ? `; it acted ${f.hits} time(s)` : ''}: DELETE /api/v1/faults/${f.id} removes it` });
    }
    let search: SearchWalk | undefined;
    if (q.namespace !== undefined && cfg.zones[0] !== undefined) {
      search = await this.walk(q, q.namespace, cfg.zones[0]);
      if (negative && search.resolvedAs && search.resolvedAs !== q.name.toLowerCase()) {
        misses.unshift({ kind: 'search-list', message: `a pod in namespace ${q.namespace} (ndots ${q.ndots}) asking "${q.name}${q.absolute ? '.' : ''}" gets an answer: its resolver tries ${search.walk.map((s) => s.name).join(', ')} and stops at ${search.resolvedAs}.`, names: [search.resolvedAs] });
      }
    }
    let leftOut = 0;
    if (misses.length > MAX_NEAR_MISSES) {
      leftOut = misses.length - MAX_NEAR_MISSES;
      misses = misses.slice(0, MAX_NEAR_MISSES);
    }
    return {
      name: ans.name, type: ans.type, rcode: ans.rcode, aa: ans.aa, ...(ans.note ? { note: ans.note } : {}),
      answer: ans.answer.map(rule('answer')), authority: ans.authority.map(rule('authority')), additional: ans.additional.map(rule('additional')),
      nearMisses: misses, ...(leftOut ? { nearMissesLeftOut: leftOut } : {}),
      ...(search ? { search } : {}),
      faults: faults.map((f) => ({ id: f.id, name: f.name, fault: f.fault, ...(f.type ? { type: f.type } : {}) })),
    };
  }

  /** For a NODATA A/AAAA: the addresses of the other family, as DNS answers them. */
  private async otherFamily(q: CheckedQuestion): Promise<string[]> {
    if (q.qtype !== QTYPE.A && q.qtype !== QTYPE.AAAA) return [];
    const other = await answerJson(this.deps, q.name, q.qtype === QTYPE.A ? QTYPE.AAAA : QTYPE.A);
    return other.answer.filter((r) => r.type === 'A' || r.type === 'AAAA').map((r) => String(r.data));
  }

  /**
   * glibc's res_search: a name with a trailing dot is asked as is, alone; with at least ndots dots, as is first,
   * then with each search domain; otherwise each search domain first and as is last. NXDOMAIN, NODATA and SERVFAIL
   * go on to the next; an answer ends the walk, and so does any other rcode (REFUSED, ...) inside the search list.
   */
  private async walk(q: CheckedQuestion, ns: string, zone: string): Promise<SearchWalk> {
    const search = [`${ns}.svc.${zone}`, `svc.${zone}`, zone];
    const dots = q.name.split('.').length - 1;
    const candidates: { name: string; asIs: boolean }[] = [];
    if (q.absolute) candidates.push({ name: q.name, asIs: true });
    else {
      if (dots >= q.ndots) candidates.push({ name: q.name, asIs: true });
      for (const s of search) candidates.push({ name: `${q.name}.${s}`, asIs: false });
      if (dots < q.ndots) candidates.push({ name: q.name, asIs: true });
    }
    const walk: SearchStep[] = [];
    let resolvedAs: string | undefined;
    let searchDone = false;
    for (const c of candidates) {
      if (!c.asIs && searchDone) continue;
      let rcode: string; let answers = 0;
      try {
        const a = await answerJson(this.deps, c.name, q.qtype);
        rcode = a.rcode; answers = a.answer.length;
      } catch (err) {
        if (!(err instanceof NameError)) throw err;
        // Over 255 bytes with the search domain: glibc skips that candidate too.
        walk.push({ name: `${c.name}.`, rcode: 'SKIPPED (name too long)', answers: 0 });
        continue;
      }
      const step: SearchStep = { name: `${c.name}.`, rcode, answers };
      walk.push(step);
      if (rcode === 'NOERROR' && answers > 0) { step.stop = true; resolvedAs = c.name.toLowerCase(); break; }
      if (!c.asIs && !['NXDOMAIN', 'NOERROR', 'SERVFAIL', 'NOREPLY'].includes(rcode)) { step.stop = true; searchDone = true; }
    }
    return { namespace: ns, ndots: q.ndots, search, walk, ...(resolvedAs ? { resolvedAs } : {}) };
  }
}

function matchingFaults(faults: Fault[], name: string, qtype: number): Fault[] {
  const lname = name.toLowerCase();
  return faults.filter((f) => {
    if (f.type !== undefined && parseType(f.type) !== qtype) return false;
    try {
      return compilePattern(f.name).matches(lname);
    } catch {
      return false;
    }
  });
}

/** The schema rule (or server rule) behind one record of the reply. */
export function ruleFor(rr: RRJson, section: 'answer' | 'authority' | 'additional', store: ClusterStore, cfg: ResolverConfig): string {
  const src = rr.source ?? '';
  // External names (the ingress plugin) say themselves which object, field and address source gave them.
  if (rr.rule) return rr.rule;
  if (rr.type === 'SOA') return section === 'authority'
    ? `the zone's SOA in a negative answer: resolvers cache the NXDOMAIN/NODATA for its minimum (${(rr.data as { minimum?: number })?.minimum ?? '?'} s) at most`
    : 'the zone apex: the SOA CoreDNS synthesises (serial = last change)';
  if (src === 'schema') return 'dns-version.ZONE: the DNS schema version (Kubernetes DNS spec)';
  if (src === 'server' || rr.type === 'NS') return 'the apex NS / ns.dns.ZONE: this server\'s own addresses (or the kube-dns Service)';
  const m = /^(Service|Pod)\/([^/]*)\/(.*)$/.exec(src);
  if (!m) return src ? `from ${src}` : section === 'answer' && rr.type !== 'CNAME' ? 'not from the cluster: the CNAME target\'s records, from the upstreams or static records' : 'no cluster object: an upstream or static record';
  if (m[1] === 'Pod') return 'pod A/AAAA record (pods insecure/verified): the address written with dashes in the name';
  const svc = store.service(m[2], m[3]);
  const base = `${m[3]}.${m[2]}.svc.`;
  const lname = rr.name.toLowerCase();
  const atBase = lname.startsWith(base);
  switch (rr.type) {
    case 'CNAME': return 'ExternalName Service: a CNAME to spec.externalName';
    case 'PTR': return svc?.headless || !svc?.clusterIPs.includes(reverseToIp(rr.name))
      ? 'reverse of a ready endpoint address: PTR to its endpoint name (hostname, or the address with dashes)'
      : 'reverse of a Service cluster IP: PTR to SERVICE.NAMESPACE.svc.ZONE';
    case 'SRV': return lname.startsWith('_')
      ? `SRV for the named port _PORT._PROTO: one per ${svc?.headless ? 'ready endpoint, target its endpoint name' : 'matching port, target the Service name'}`
      : `SRV at the Service name: one per port${svc?.headless ? ' and ready endpoint' : ''}, weight 100 split evenly`;
    case 'A': case 'AAAA': {
      if (section === 'additional') return 'the address of an SRV target (additional section)';
      if (svc?.type === 'ExternalName') return 'the ExternalName target\'s address, resolved in our zones';
      if (!atBase && !lname.includes(`.${base}`)) return 'the target of a CNAME in our zones: the records of the Service it names';
      if (!atBase) return `endpoint name of ${svc?.headless ? 'the headless' : 'the'} Service: one ready endpoint's address`;
      return svc?.headless ? 'headless Service: one record per ready endpoint address' : `ClusterIP Service: its spec.clusterIPs (${rr.type === 'A' ? 'IPv4' : 'IPv6'})`;
    }
    default: return `from ${src}`;
  }
}

function reverseToIp(name: string): string {
  const l = name.toLowerCase().replace(/\.$/, '');
  if (!l.endsWith('.in-addr.arpa')) return '';
  return l.slice(0, -'.in-addr.arpa'.length).split('.').reverse().join('.');
}
