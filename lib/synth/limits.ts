import { ManifestError } from '../cluster/objects.js';

// What synthesis refuses to build, because no real cluster holds it. A workload's replicas multiply a few bytes of
// manifest into that many pods, so without these `replicas: 100000000` would build every pod in one go (OOM at
// start-up; a stalled, then aborted server on a hot reload or an admin apply).

/** Kubernetes' largest supported cluster: "no more than 150,000 total pods" (kubernetes.io, considerations for large clusters). */
export const MAX_CLUSTER_PODS = 150_000;

/** Counts in the API (replicas, parallelism, completions...) are int32s; the API server rejects anything above. */
export const MAX_INT32 = 2_147_483_647;

/** Pods of workloads planned so far, against the cluster-wide limit and the pod CIDR's size. */
export interface PodLimits {
  /** pods this namespace may hold: MAX_CLUSTER_PODS minus the pods of every other namespace */
  budget: number;
  /** addresses the IPv4 pod CIDR has to give (no workload may run more pods than that) */
  podAddresses: number;
  /** the pod CIDR, for messages */
  podCIDR: string;
}

/** An object refused because no real cluster holds it (the admin API answers 422, as the API server would). */
export class LimitError extends ManifestError {}

export const UNLIMITED: PodLimits = { budget: Infinity, podAddresses: Infinity, podCIDR: '' };
