// Workload manifests → the Pods their controllers would create, named the way those controllers name them:
//   Deployment            <name>-<pod-template-hash>-<5 chars>  (via its ReplicaSet <name>-<pod-template-hash>)
//   ReplicaSet / RC       <name>-<5 chars>
//   StatefulSet           <name>-<ordinal>, hostname = pod name, subdomain = spec.serviceName
//   DaemonSet             <name>-<5 chars>, one per node
//   Job                   <name>-<5 chars> (Indexed: <name>-<index>-<5 chars>, hostname <name>-<index>),
//                         min(parallelism, remaining completions) pods; none when suspended or finished
//   CronJob               none: nothing runs until the schedule fires
// The random parts of those names come from a hash of the object, so they are the same on every run.
import type { ContainerPort, Pod } from '../cluster/model.js';
import { ManifestError, toPod } from '../cluster/objects.js';
import {
  deterministicUid, generatedName, hash53, mix32, podTemplateHash, seriesSuffix,
} from './hash.js';
import { LimitError, MAX_CLUSTER_PODS, MAX_INT32 } from './limits.js';
import { STEP, TICK, drain, type Steps } from './steps.js';
import { matchesSelector, parseLabelSelector, selectorFromMap, type LabelSelector } from './selectors.js';

type Raw = Record<string, any>;

export type WorkloadKind =
  | 'Deployment' | 'ReplicaSet' | 'ReplicationController' | 'StatefulSet' | 'DaemonSet' | 'Job' | 'CronJob';

export const WORKLOAD_KINDS: ReadonlySet<string> = new Set<WorkloadKind>([
  'Deployment', 'ReplicaSet', 'ReplicationController', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob',
]);

/**
 * Annotation a fixture puts on a workload, a pod template or a Pod to make its pods not ready (value "false"),
 * for testing how DNS drops not-ready endpoints without writing Pod status by hand.
 */
export const READY_ANNOTATION = 'clusterdns.io/ready';

export interface OwnerRef {
  kind: string;
  name: string;
}

interface PodTemplate {
  raw: Raw;
  labels: Record<string, string>;
  hostname: string;
  subdomain: string;
  nodeName: string;
  containerPorts: ContainerPort[];
  ready: boolean;
}

export interface Workload {
  kind: WorkloadKind;
  namespace: string;
  name: string;
  /** the pods it owns, as its controller recognises them; used to find pods a fixture already lists */
  selector: LabelSelector;
  ownerRefs: OwnerRef[];
  /** pods it runs (for a DaemonSet: per node) */
  replicas: number;
  template?: PodTemplate;
  /** Deployment: status.collisionCount, part of the template hash */
  collisionCount: number;
  /** StatefulSet */
  serviceName: string;
  ordinalStart: number;
  /** Job */
  indexed: boolean;
  /** metadata.uid ('' when the manifest has none) */
  uid: string;
}

const isObj = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** false when `meta` carries clusterdns.io/ready: "false". */
export function readyByAnnotation(meta: unknown): boolean {
  if (!isObj(meta) || !isObj(meta.annotations)) return true;
  return String(meta.annotations[READY_ANNOTATION] ?? '').toLowerCase() !== 'false';
}

export function ownerRefsOf(meta: unknown): OwnerRef[] {
  if (!isObj(meta) || !Array.isArray(meta.ownerReferences)) return [];
  return meta.ownerReferences.filter(isObj).map((r: Raw) => ({ kind: str(r.kind), name: str(r.name) }));
}

function count(v: unknown, what: string, field: string, dflt: number): number {
  if (v === undefined || v === null) return dflt;
  // 1e300 is an integer to Number.isInteger; the API server takes int32s only.
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > MAX_INT32) {
    throw new LimitError(`${what}: ${field} must be a non-negative integer of at most ${MAX_INT32} (int32), got ${JSON.stringify(v)}`);
  }
  return v;
}

/** A count of pods: past what a whole cluster holds it is refused here, before anything is built. */
function podCount(v: unknown, what: string, field: string, dflt: number): number {
  const n = count(v, what, field, dflt);
  if (n > MAX_CLUSTER_PODS) {
    throw new LimitError(`${what}: ${field} is ${n}, more pods than a Kubernetes cluster holds (at most ${MAX_CLUSTER_PODS}); lower ${field}`);
  }
  return n;
}

function parseTemplate(raw: unknown, what: string, field: string, workloadReady: boolean): PodTemplate {
  if (!isObj(raw)) throw new ManifestError(`${what}: ${field} is missing`);
  const meta: Raw = isObj(raw.metadata) ? raw.metadata : {};
  if (meta.labels !== undefined && meta.labels !== null && !isObj(meta.labels)) {
    throw new ManifestError(`${what}: ${field}.metadata.labels must be a mapping`);
  }
  const spec: Raw = isObj(raw.spec) ? raw.spec : {};
  // Reuse the Pod conversion for labels and container ports, so a template reads exactly like a Pod.
  const asPod = toPod({ metadata: { name: 'template', labels: meta.labels }, spec });
  return {
    raw,
    labels: asPod.labels,
    hostname: asPod.hostname,
    subdomain: asPod.subdomain,
    nodeName: asPod.nodeName,
    containerPorts: asPod.containerPorts,
    ready: workloadReady && readyByAnnotation(meta),
  };
}

function jobFinished(status: unknown): boolean {
  if (!isObj(status) || !Array.isArray(status.conditions)) return false;
  return status.conditions.some((c: unknown) => isObj(c) && (c.type === 'Complete' || c.type === 'Failed')
    && String(c.status) === 'True');
}

/** Parses and validates a workload manifest. Throws ManifestError naming the object when it is malformed. */
export function parseWorkload(raw: Raw, defaultNamespace: string): Workload {
  const kind = raw.kind as WorkloadKind;
  const meta = raw.metadata;
  const name = isObj(meta) ? str(meta.name) : '';
  const what = `${kind}${name ? ` "${name}"` : ''}`;
  if (!isObj(meta)) throw new ManifestError(`${what}: metadata is missing`);
  if (!name) throw new ManifestError(`${what}: metadata.name is missing`);
  if (raw.spec !== undefined && !isObj(raw.spec)) throw new ManifestError(`${what}: spec must be a mapping`);
  const spec: Raw = isObj(raw.spec) ? raw.spec : {};
  const status: Raw = isObj(raw.status) ? raw.status : {};
  const w: Workload = {
    kind,
    namespace: str(meta.namespace) || defaultNamespace,
    name,
    selector: selectorFromMap({}),
    ownerRefs: ownerRefsOf(meta),
    replicas: 0,
    collisionCount: 0,
    serviceName: '',
    ordinalStart: 0,
    indexed: false,
    uid: str(meta.uid),
  };
  const ready = readyByAnnotation(meta);

  if (kind === 'CronJob') {
    // Validated like the Job it would create, though it creates none now.
    const jobSpec = isObj(spec.jobTemplate) && isObj(spec.jobTemplate.spec) ? spec.jobTemplate.spec : undefined;
    if (!jobSpec) throw new ManifestError(`${what}: spec.jobTemplate.spec is missing`);
    parseTemplate(jobSpec.template, what, 'spec.jobTemplate.spec.template', ready);
    return w;
  }

  w.template = parseTemplate(spec.template, what, 'spec.template', ready);
  if (spec.selector !== undefined && spec.selector !== null) {
    w.selector = kind === 'ReplicationController'
      ? selectorFromMap(Object.fromEntries(Object.entries(isObj(spec.selector) ? spec.selector : {}).map(([k, v]) => [k, String(v)])))
      : parseLabelSelector(spec.selector, what);
    if (!matchesSelector(w.selector, w.template.labels)) {
      throw new ManifestError(`${what}: spec.selector does not match spec.template.metadata.labels`);
    }
  } else if (kind === 'Job') {
    // The Job controller generates a controller-uid selector; its pods also carry job-name.
    w.selector = selectorFromMap({ 'job-name': name });
  } else {
    // apps/v1 requires a selector; older APIs defaulted it to the template's labels, which is the useful reading.
    w.selector = selectorFromMap({ ...w.template.labels });
  }

  switch (kind) {
    case 'Deployment':
      w.replicas = podCount(spec.replicas, what, 'spec.replicas', 1);
      w.collisionCount = count(status.collisionCount, what, 'status.collisionCount', 0);
      break;
    case 'ReplicaSet':
    case 'ReplicationController':
      w.replicas = podCount(spec.replicas, what, 'spec.replicas', 1);
      break;
    case 'StatefulSet':
      w.replicas = podCount(spec.replicas, what, 'spec.replicas', 1);
      w.serviceName = str(spec.serviceName);
      w.ordinalStart = isObj(spec.ordinals) ? count(spec.ordinals.start, what, 'spec.ordinals.start', 0) : 0;
      break;
    case 'DaemonSet':
      w.replicas = 1;
      break;
    case 'Job': {
      const parallelism = podCount(spec.parallelism, what, 'spec.parallelism', 1);
      const completions = spec.completions === undefined || spec.completions === null
        ? undefined : count(spec.completions, what, 'spec.completions', 1);
      const succeeded = count(status.succeeded, what, 'status.succeeded', 0);
      w.indexed = spec.completionMode === 'Indexed';
      w.replicas = spec.suspend === true || jobFinished(raw.status)
        ? 0
        : completions === undefined ? parallelism : Math.max(0, Math.min(parallelism, completions - succeeded));
      break;
    }
  }
  return w;
}

export interface ExpandContext {
  /** node names; DaemonSets run one pod on each, other pods are spread over them */
  nodes: readonly string[];
  /** pod names already used per namespace (explicit pods and earlier synthesised ones); expansion adds its own */
  podNames: Map<string, Set<string>>;
}

/** Node names the way kind names them: kind-control-plane, kind-worker, kind-worker2, ... */
export function nodeNames(n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(i === 0 ? 'kind-control-plane' : i === 1 ? 'kind-worker' : `kind-worker${i}`);
  return out;
}

/** The pods a workload's controller would create. Pod IPs are left empty for the allocator. */
export function expandWorkload(w: Workload, ctx: ExpandContext): Pod[] {
  return drain(expandWorkloadSteps(w, ctx));
}

/** expandWorkload in steps: a tick every STEP pods. */
export function* expandWorkloadSteps(w: Workload, ctx: ExpandContext): Steps<Pod[]> {
  const t = w.template;
  if (!t || w.replicas === 0) return [];
  const pods: Pod[] = [];
  const names = ctx.podNames.get(w.namespace) ?? new Set<string>();
  ctx.podNames.set(w.namespace, names);
  // One hash per workload; each pod's name suffix and node come from mixing in its index (27^5 suffixes fit in the
  // 32 mixed bits), which keeps expanding 100,000+ pods cheap.
  const key = `${w.namespace}/${w.name}`;
  const seriesHash = hash53(`${w.kind}/${key}`) % 4294967296;
  const nodeFor = (i: number) => t.nodeName
    || (ctx.nodes.length > 1 ? ctx.nodes[mix32(seriesHash ^ 0x5bd1e995, i) % ctx.nodes.length] : ctx.nodes[0] ?? '');
  // Generated names retry with another suffix when taken, as the API server's generateName retry would.
  const generate = (base: string, i: number) => {
    for (let attempt = 0; ; attempt++) {
      const name = generatedName(base, seriesSuffix(seriesHash, attempt ? i + attempt * 1000003 : i));
      if (!names.has(name)) return name;
    }
  };
  // Pods of one workload share their labels (where equal) and containerPorts objects: at 150,000 pods that is real
  // memory, and model objects are never mutated once built.
  const add = (name: string, labels: Record<string, string>, i: number, extra?: Partial<Pod>) => {
    names.add(name);
    const pod: Pod = {
      kind: 'Pod',
      namespace: w.namespace,
      name,
      labels,
      podIP: '',
      podIPs: [],
      phase: 'Running',
      ready: t.ready,
      hostname: t.hostname,
      subdomain: t.subdomain,
      nodeName: nodeFor(i),
      containerPorts: t.containerPorts,
      terminating: false,
    };
    pods.push(extra ? Object.assign(pod, extra) : pod);
  };

  switch (w.kind) {
    case 'Deployment': {
      const hash = podTemplateHash(t.raw, w.collisionCount);
      const rs = `${w.name}-${hash}`;
      const labels = { ...t.labels, 'pod-template-hash': hash };
      for (let i = 0; i < w.replicas; i++) {
        add(generate(`${rs}-`, i), labels, i);
        if (i % STEP === STEP - 1) yield TICK;
      }
      break;
    }
    case 'ReplicaSet':
    case 'ReplicationController':
      for (let i = 0; i < w.replicas; i++) {
        add(generate(`${w.name}-`, i), t.labels, i);
        if (i % STEP === STEP - 1) yield TICK;
      }
      break;
    case 'StatefulSet': {
      const revision = `${w.name}-${podTemplateHash(t.raw)}`;
      for (let i = 0; i < w.replicas; i++) {
        if (i % STEP === STEP - 1) yield TICK;
        const ordinal = w.ordinalStart + i;
        const name = `${w.name}-${ordinal}`;
        if (names.has(name)) continue; // a fixture's own pod of that name wins
        add(name, {
          ...t.labels,
          'controller-revision-hash': revision,
          'statefulset.kubernetes.io/pod-name': name,
          'apps.kubernetes.io/pod-index': String(ordinal),
        }, i, { hostname: name, subdomain: w.serviceName });
      }
      break;
    }
    case 'DaemonSet': {
      const labels = { ...t.labels, 'controller-revision-hash': podTemplateHash(t.raw), 'pod-template-generation': '1' };
      ctx.nodes.forEach((node, i) => add(generate(`${w.name}-`, i), labels, i, { nodeName: node }));
      break;
    }
    case 'Job': {
      const uid = w.uid || deterministicUid(`Job/${key}`);
      const jobLabels = {
        ...t.labels,
        'batch.kubernetes.io/controller-uid': uid,
        'batch.kubernetes.io/job-name': w.name,
        'controller-uid': uid,
        'job-name': w.name,
      };
      for (let i = 0; i < w.replicas; i++) {
        if (i % STEP === STEP - 1) yield TICK;
        if (w.indexed) {
          add(generate(`${w.name}-${i}-`, i), { ...jobLabels, 'batch.kubernetes.io/job-completion-index': String(i) }, i,
            { hostname: `${w.name}-${i}` });
        } else {
          add(generate(`${w.name}-`, i), jobLabels, i);
        }
      }
      break;
    }
    case 'CronJob':
      break;
  }
  return pods;
}
