// external-dns's hostname annotations on Services (`external-dns.alpha.kubernetes.io/hostname`, and CoreDNS
// k8s_gateway's `coredns.io/hostname`): comma-separated hosts, each answered under the ingress plugin's zones with
// the Service's external addresses (LoadBalancer status or spec.externalIPs; fixture mode synthesises the status).
// ClusterIPs are never published: external-dns does so only with --publish-internal-services, which we do not copy.
import { dns1123Subdomain, ipAddress } from './name-rules.js';

type Raw = Record<string, any>;
const isObj = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);

export const HOSTNAME_ANNOTATIONS = ['external-dns.alpha.kubernetes.io/hostname', 'coredns.io/hostname'] as const;
/** hosts one Service may name over both annotations (external-dns has no limit; ours bounds the index) */
export const MAX_ANNOTATION_HOSTS = 64;
/** an annotation value longer than this is refused before it is split (64 names of 253 characters and commas) */
const MAX_VALUE = MAX_ANNOTATION_HOSTS * 254;

const split = (v: string): string[] => v.split(',').map((h) => h.trim()).filter((h) => h !== '');
const norm = (h: string): string => h.toLowerCase().replace(/\.$/, '');

/** The hosts the annotations name (lower case, no trailing dot, no repeats), in annotation then written order. */
export function annotationHosts(meta: Raw): string[] | undefined {
  return annotationHostsWithKeys(meta)?.hosts;
}

/** The hosts, and for each the annotation key that named it first (provenance). */
export function annotationHostsWithKeys(meta: Raw): { hosts: string[]; keys: string[] } | undefined {
  const ann: Raw = isObj(meta.annotations) ? meta.annotations : {};
  const hosts: string[] = [];
  const keys: string[] = [];
  for (const key of HOSTNAME_ANNOTATIONS) {
    const v = ann[key];
    if (typeof v !== 'string' || v.length > MAX_VALUE) continue;
    for (const h of split(v)) if (!hosts.includes(norm(h)) && hosts.length < MAX_ANNOTATION_HOSTS) { hosts.push(norm(h)); keys.push(key); }
  }
  return hosts.length > 0 ? { hosts, keys } : undefined;
}

interface ProblemSink {
  add(field: string, value: unknown, detail: string): void;
}

/** Each annotation host must be a DNS name (a leading `*.` allowed, one label, as external-dns takes it). */
export function hostnameAnnotationProblems(p: ProblemSink, meta: Raw): void {
  const ann: Raw = isObj(meta.annotations) ? meta.annotations : {};
  let count = 0;
  for (const key of HOSTNAME_ANNOTATIONS) {
    const v = ann[key];
    if (v === undefined || v === null) continue;
    const field = `metadata.annotations[${key}]`;
    if (typeof v !== 'string') { p.add(field, v, 'must be a string'); continue; }
    if (v.length > MAX_VALUE) { p.add(field, `${v.length} characters`, `clusterdns reads at most ${MAX_VALUE} characters of hostnames`); continue; }
    for (const h of split(v)) {
      count++;
      const name = norm(h);
      const bare = name.startsWith('*.') ? name.slice(2) : name;
      if (ipAddress(bare).length === 0) { p.add(field, h, 'must be a DNS name, not an IP address'); continue; }
      // A DNS label holds 63 bytes: a longer one could never be asked for (a subdomain's rule alone allows it).
      const bad = [...dns1123Subdomain(bare), ...(bare.split('.').some((l) => l.length > 63) ? ['each label must be no more than 63 characters'] : [])];
      if (bad.length > 0) p.add(field, h, `each comma-separated host must be a DNS name: ${bad[0]}`);
    }
  }
  if (count > MAX_ANNOTATION_HOSTS) p.add('metadata.annotations', `${count} hosts`, `clusterdns serves at most ${MAX_ANNOTATION_HOSTS} hostnames per Service`);
}
