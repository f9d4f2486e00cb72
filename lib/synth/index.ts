// Manifests → the cluster objects DNS needs, doing offline what a cluster's controllers would do: workloads become
// Pods, Services get ClusterIPs, Pods get IPs, selector Services get EndpointSlices. Pure: no I/O, no clock, no
// randomness, so the same manifests always give the same objects.
//
// Explicit objects always win. A manifest's own Pods, EndpointSlices, Endpoints and ClusterIPs are kept as written;
// a workload whose pods are already listed (by ownerReference, or by its selector in its namespace, as in
// `kubectl get all -A -o yaml` output) gets no synthesised pods; a Service with explicit slices or Endpoints gets no
// synthesised slice.
//
// Dual-stack: a Pod gets an IPv4 address, plus an IPv6 one when a Service selecting it has IPv6 among its families
// (see families.ts). Deciding per pod rather than cluster-wide keeps the stability promise: adding a dual-stack
// Service does not change the addresses of pods it does not select.
//
// Incremental: every controller works inside one namespace; only address allocation spans the cluster. So a
// Synthesizer plans each namespace on its own (plan), allocates addresses for all of them at once from what each
// plan requested (cheap: homes are hashed once per plan, explicit addresses parsed once), and builds the objects
// of the namespaces that changed, plus any whose allocated addresses moved because of the change (finish). The
// result is exactly what synthesising the whole cluster from scratch gives, at the cost of one namespace.
// Planning is in namespace-plan.ts, finishing in namespace-finish.ts; both run in steps (steps.ts).
import type { SynthesisConfig } from '../config.js';
import type { ClusterObject } from '../cluster/model.js';
import { parseIP } from './cidr.js';
import { toEntries, type FixtureEntry } from './entries.js';
import { AddressPool, POD_V4_PER_NODE_RESERVED, podPoolReserved, servicePoolReserved } from './ipam.js';
import { MAX_CLUSTER_PODS, UNLIMITED } from './limits.js';
import { finishNamespace, type Unaddressed } from './namespace-finish.js';
import { LB4, POD4, POD6, POOLS, SVC4, SVC6, planNamespace, type NamespacePlan, type Skipped } from './namespace-plan.js';
import { STEP, TICK, drain, type Steps } from './steps.js';
import { DEFAULT_LB_CIDR, lbPoolReserved, needsLBAddress } from './loadbalancer.js';
import { nodeNames } from './workloads.js';

export { READY_ANNOTATION } from './workloads.js';
export { SourcedManifestError, toEntries, type FixtureEntry } from './entries.js';
export type { Unaddressed } from './namespace-finish.js';

/** One parsed manifest (a List already flattened), with where it came from for error messages. */
export interface SourcedManifest {
  raw: unknown;
  file?: string;
  line?: number;
}

export interface SynthesisOptions extends SynthesisConfig {
  /** namespace for manifests without metadata.namespace */
  namespace: string;
}

export interface SynthesisResult {
  objects: ClusterObject[];
  warnings: string[];
  /** manifests of kinds DNS does not use (ConfigMap, Ingress, ...) */
  skipped: Skipped;
}

/** Longest updateInSteps runs inside one namespace before it lets queries through. */
const SLICE_MS = 3;


/** Synthesises a whole cluster from its manifests at once (the fixture source uses a Synthesizer). */
export function synthesizeCluster(manifests: readonly SourcedManifest[], opts: SynthesisOptions): SynthesisResult {
  const byNs = new Map<string, FixtureEntry[]>();
  for (const m of manifests) {
    for (const e of toEntries(m.raw, m, opts.namespace)) {
      let list = byNs.get(e.namespace);
      if (!list) byNs.set(e.namespace, list = []);
      list.push(e);
    }
  }
  const out = new Synthesizer(opts).update(new Set(byNs.keys()), (ns) => byNs.get(ns) ?? []);
  const objects: ClusterObject[] = [];
  for (const list of out.objects.values()) for (const o of list) objects.push(o);
  return { objects, warnings: out.warnings, skipped: out.skipped };
}

// ---- address pools ----


interface PoolRequests {
  keys: string[];
  homes: Float64Array;
}

/** What one namespace asks of the pools, kept between updates so allocation never re-reads a namespace. */
interface NamespaceAllocation {
  /** offsets of the namespace's explicit addresses, per pool */
  reserved: Int32Array[];
  requests: PoolRequests[];
  /** the last addresses handed out, per pool, aligned with requests[pool].keys */
  addresses: (string | undefined)[][];
}

// ---- the incremental synthesizer ----

export interface SynthesisUpdate {
  /** the objects of every namespace that may have changed: those asked for, plus any whose addresses moved */
  objects: Map<string, ClusterObject[]>;
  warnings: string[];
  skipped: SynthesisResult['skipped'];
}

export class Synthesizer {
  private allocations = new Map<string, NamespaceAllocation>();
  private unaddressedByNs = new Map<string, Unaddressed>();
  /** pods (explicit and synthesised) per namespace, against MAX_CLUSTER_PODS */
  private podsByNs = new Map<string, number>();
  private readonly nodes: string[];
  /** empty pools, built once: each update copies nothing from them but their CIDRs and seeds */
  private readonly shapes: AddressPool[];

  constructor(private readonly opts: SynthesisOptions) {
    this.nodes = nodeNames(Math.max(0, Math.floor(opts.nodes)));
    this.shapes = Array.from({ length: POOLS }, (_, i) => this.newPool(i));
  }

  /**
   * Re-synthesises the namespaces in `changed`, reading their manifests through `entriesOf` (in manifest order; an
   * empty list means the namespace is gone). Each namespace's objects go to `emit` as soon as they are final (a
   * namespace that needs no address is finished right after it is planned, so its objects die young); without
   * `emit` they are returned in `objects`. Nothing is kept when it throws.
   */
  update(
    changed: ReadonlySet<string>, entriesOf: (ns: string) => readonly FixtureEntry[],
    emit?: (ns: string, objects: ClusterObject[]) => void,
  ): SynthesisUpdate {
    return drain(this.steps(changed, entriesOf, emit));
  }

  /**
   * The same, awaiting `pause()` between namespaces and between planning and finishing one, and inside one
   * namespace whenever SLICE_MS have passed since the last pause (a 150,000-pod workload takes seconds), so a
   * server answers queries in between instead of waiting for the whole rebuild. The caller must not change what
   * `entriesOf` reads, nor start another update, until this one has settled.
   */
  async updateInSteps(
    changed: ReadonlySet<string>, entriesOf: (ns: string) => readonly FixtureEntry[],
    emit: ((ns: string, objects: ClusterObject[]) => void) | undefined, pause: () => Promise<void>,
  ): Promise<SynthesisUpdate> {
    const run = this.steps(changed, entriesOf, emit);
    let step = run.next();
    let since = performance.now();
    while (!step.done) {
      if (step.value !== TICK || performance.now() - since > SLICE_MS) {
        await pause();
        since = performance.now();
      }
      step = run.next();
    }
    return step.value;
  }

  /** The update itself; each `yield` is a point where the caller may let other work run. */
  private *steps(
    changed: ReadonlySet<string>, entriesOf: (ns: string) => readonly FixtureEntry[],
    emit?: (ns: string, objects: ClusterObject[]) => void,
  ): Steps<SynthesisUpdate> {
    const objects = new Map<string, ClusterObject[]>();
    const out = emit ?? ((ns: string, objs: ClusterObject[]) => { objects.set(ns, objs); });
    const warnings: string[] = [];
    const skipped: SynthesisResult['skipped'] = [];
    const unaddressed = new Map(this.unaddressedByNs);
    const shapes = this.shapes;
    const lbAddress = this.opts.lbAddress;
    function* finish(ns: string, plan: NamespacePlan, addresses: (string | undefined)[][]): Steps<void> {
      const short: Unaddressed = { pods: 0, services: 0 };
      out(ns, yield* finishNamespace(plan, addresses, shapes, warnings, short, lbAddress));
      if (short.pods + short.services > 0) unaddressed.set(ns, short);
      else unaddressed.delete(ns);
      for (const w of plan.warnings) warnings.push(w);
      for (const s of plan.skipped) skipped.push(s);
    }
    const plans = new Map<string, NamespacePlan>();
    const allocations = new Map(this.allocations);
    // Pods of the changed namespaces count from zero and grow as each is planned: a lower bound of the final total
    // until the last one, so a change is refused exactly when its result would pass the limit, before the
    // namespace that passes it has built its pods.
    const podsByNs = new Map(this.podsByNs);
    for (const ns of changed) podsByNs.delete(ns);
    let pods = 0;
    for (const n of podsByNs.values()) pods += n;
    const podPool = this.shapes[POD4];
    for (const ns of changed) {
      const entries = entriesOf(ns);
      if (entries.length === 0) { allocations.delete(ns); unaddressed.delete(ns); out(ns, []); continue; }
      const plan = yield* planNamespace(ns, entries, this.nodes, { budget: MAX_CLUSTER_PODS - pods, podAddresses: podPool.free, podCIDR: podPool.cidr.text });
      podsByNs.set(ns, plan.pods);
      pods += plan.pods;
      const requests = yield* this.requestsOf(plan);
      allocations.set(ns, requests);
      yield;
      // Allocation hands a namespace that requests nothing nothing, whatever the others request.
      if (requests.requests.every((r) => r.keys.length === 0)) yield* finish(ns, plan, emptyPerPool());
      else plans.set(ns, plan);
    }
    const addresses = yield* this.allocate(allocations);
    // A namespace that did not change but whose addresses moved (it lost or won a shared home) is redone too.
    for (const [ns, a] of allocations) {
      if (changed.has(ns)) continue;
      if (!sameAddresses(a.addresses, addresses.get(ns)!)) plans.set(ns, yield* planNamespace(ns, entriesOf(ns), this.nodes, UNLIMITED));
    }
    for (const [ns, plan] of plans) {
      yield;
      yield* finish(ns, plan, addresses.get(ns)!);
    }
    for (const [ns, a] of allocations) a.addresses = addresses.get(ns)!;
    this.allocations = allocations;
    this.unaddressedByNs = unaddressed;
    this.podsByNs = podsByNs;
    return { objects, warnings, skipped };
  }

  /** What the last update left without an address, cluster-wide: a full pod or Service CIDR. */
  get unaddressed(): Unaddressed {
    const sum: Unaddressed = { pods: 0, services: 0 };
    for (const u of this.unaddressedByNs.values()) { sum.pods += u.pods; sum.services += u.services; }
    return sum;
  }

  /** The CIDRs addresses come from, as the pools read them (for reports). */
  get cidrs(): { pod: string[]; service: string[] } {
    return { pod: [this.shapes[POD4].cidr.text, this.shapes[POD6].cidr.text], service: [this.shapes[SVC4].cidr.text, this.shapes[SVC6].cidr.text] };
  }

  private newPool(i: number): AddressPool {
    const o = this.opts;
    switch (i) {
      case SVC4: return new AddressPool(o.serviceCIDR, servicePoolReserved('IPv4'));
      case SVC6: return new AddressPool(o.serviceCIDRv6, servicePoolReserved('IPv6'));
      case POD4: return new AddressPool(o.podCIDR, podPoolReserved('IPv4'), POD_V4_PER_NODE_RESERVED);
      case LB4: return new AddressPool(o.lbCIDR ?? DEFAULT_LB_CIDR, lbPoolReserved());
      default: return new AddressPool(o.podCIDRv6, podPoolReserved('IPv6'));
    }
  }

  private *requestsOf(plan: NamespacePlan): Steps<NamespaceAllocation> {
    const reserved: number[][] = emptyPerPool();
    // Every address a manifest writes is taken before anything is allocated, so synthesis never duplicates one.
    const reserve = (ip: string) => {
      const parsed = parseIP(ip);
      if (!parsed) return;
      for (let i = 0; i < POOLS; i++) {
        const o = this.shapes[i].offsetOf(parsed.family, parsed.value);
        if (o !== undefined) reserved[i].push(o);
      }
    };
    for (const s of plan.services) { s.clusterIPs.forEach(reserve); s.external?.forEach(reserve); }
    for (const o of plan.explicit.values()) if (o.kind === 'Gateway') o.addresses.forEach(reserve);
    let n = 0;
    for (const p of plan.explicitPods) {
      if (++n % STEP === 0) yield TICK;
      if (p.podIP && !p.podIPs.includes(p.podIP)) reserve(p.podIP);
      p.podIPs.forEach(reserve);
    }
    for (const sl of plan.explicitSlices) for (const ep of sl.endpoints) ep.addresses.forEach(reserve);
    const keys: string[][] = emptyPerPool();
    for (const s of plan.services) {
      const fams = plan.serviceFamilies.get(s);
      if (!fams) continue;
      for (const f of fams) keys[f === 'IPv4' ? SVC4 : SVC6].push(`Service/${s.namespace}/${s.name}`);
    }
    if (this.opts.lbAddress === undefined) for (const s of plan.services) if (needsLBAddress(s)) keys[LB4].push(`Service/${s.namespace}/${s.name}`);
    // A Gateway with no status.addresses gets one from the same pool, after the Services (namespace-finish.ts).
    if (this.opts.lbAddress === undefined) for (const o of plan.explicit.values()) if (o.kind === 'Gateway' && o.addresses.length === 0) keys[LB4].push(`Gateway/${o.namespace}/${o.name}`);
    for (const p of plan.needIP) {
      if (++n % STEP === 0) yield TICK;
      keys[POD4].push(`Pod/${p.namespace}/${p.name}`);
      if (plan.needsV6.has(p)) keys[POD6].push(`Pod/${p.namespace}/${p.name}`);
    }
    const requests: PoolRequests[] = [];
    for (let i = 0; i < POOLS; i++) {
      const k = keys[i];
      const homes = new Float64Array(k.length);
      for (let j = 0; j < k.length; j++) {
        if (++n % STEP === 0) yield TICK;
        homes[j] = this.shapes[i].home(k[j]);
      }
      requests.push({ keys: k, homes });
    }
    return { reserved: reserved.map((r) => Int32Array.from(r)), requests, addresses: emptyPerPool() };
  }

  /** Allocates every namespace's requests together, exactly as one pass over the whole cluster would. */
  private *allocate(allocations: Map<string, NamespaceAllocation>): Steps<Map<string, (string | undefined)[][]>> {
    const out = new Map<string, (string | undefined)[][]>();
    for (const ns of allocations.keys()) out.set(ns, emptyPerPool());
    for (let i = 0; i < POOLS; i++) {
      let total = 0;
      for (const a of allocations.values()) total += a.requests[i].keys.length;
      if (total === 0) continue;
      const pool = this.newPool(i);
      for (const a of allocations.values()) for (const o of a.reserved[i]) pool.reserveOffset(o);
      const keys = new Array<string>(total);
      const homes = new Float64Array(total);
      let n = 0;
      for (const a of allocations.values()) {
        const r = a.requests[i];
        for (let j = 0; j < r.keys.length; j++, n++) { keys[n] = r.keys[j]; homes[n] = r.homes[j]; }
      }
      yield TICK;
      const got = yield* pool.allocateAtHomesSteps(keys, homes);
      n = 0;
      for (const [ns, a] of allocations) {
        const len = a.requests[i].keys.length;
        out.get(ns)![i] = got.slice(n, n + len);
        n += len;
      }
    }
    return out;
  }
}

const emptyPerPool = <T>(): T[][] => Array.from({ length: POOLS }, () => []);

function sameAddresses(a: (string | undefined)[][], b: (string | undefined)[][]): boolean {
  for (let i = 0; i < POOLS; i++) {
    if (a[i].length !== b[i].length) return false;
    for (let j = 0; j < a[i].length; j++) if (a[i][j] !== b[i][j]) return false;
  }
  return true;
}
