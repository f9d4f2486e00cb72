// Runs synthesis on YAML text the way the fixture loader will: every document a SourcedManifest.
import { parseAllDocuments } from 'yaml';
import { defaultConfig } from '../../lib/config.js';
import type { EndpointSlice, Pod, Service } from '../../lib/cluster/model.js';
import { synthesizeCluster, type SynthesisOptions, type SynthesisResult } from '../../lib/synth/index.js';

export function manifestsOf(yaml: string, file = 'test.yaml') {
  const lineAt = (offset: number) => yaml.slice(0, offset).split('\n').length;
  return parseAllDocuments(yaml).map((d) => ({ raw: d.toJS(), file, line: lineAt(d.contents?.range?.[0] ?? d.range[0]) }));
}

export function synth(yaml: string, opts: Partial<SynthesisOptions> = {}): SynthesisResult {
  return synthesizeCluster(manifestsOf(yaml), { ...defaultConfig().synthesis, namespace: 'default', ...opts });
}

export const podsOf = (r: SynthesisResult, ns?: string): Pod[] =>
  r.objects.filter((o): o is Pod => o.kind === 'Pod' && (ns === undefined || o.namespace === ns));

export const slicesOf = (r: SynthesisResult, svc: string, ns = 'default'): EndpointSlice[] =>
  r.objects.filter((o): o is EndpointSlice => o.kind === 'EndpointSlice' && o.serviceName === svc && o.namespace === ns);

export const serviceOf = (r: SynthesisResult, name: string, ns = 'default'): Service => {
  const s = r.objects.find((o): o is Service => o.kind === 'Service' && o.name === name && o.namespace === ns);
  if (!s) throw new Error(`no Service ${ns}/${name}`);
  return s;
};

export const podOf = (r: SynthesisResult, name: string, ns = 'default'): Pod => {
  const p = podsOf(r, ns).find((o) => o.name === name);
  if (!p) throw new Error(`no Pod ${ns}/${name}`);
  return p;
};

/** Every address the result hands out: ClusterIPs and pod IPs. */
export function allIPs(r: SynthesisResult): string[] {
  const out: string[] = [];
  for (const o of r.objects) {
    if (o.kind === 'Service') out.push(...o.clusterIPs);
    if (o.kind === 'Pod') out.push(...o.podIPs);
  }
  return out;
}

/** "Kind/ns/name" → its IPs joined, for comparing allocations between runs. */
export function ipMap(r: SynthesisResult): Map<string, string> {
  const m = new Map<string, string>();
  for (const o of r.objects) {
    if (o.kind === 'Service') m.set(`Service/${o.namespace}/${o.name}`, o.clusterIPs.join(','));
    if (o.kind === 'Pod') m.set(`Pod/${o.namespace}/${o.name}`, o.podIPs.join(','));
  }
  return m;
}

/** The seed example of issue 3: the classic StatefulSet and its headless Service, nothing else. */
export const SEED = `
apiVersion: apps/v1
kind: StatefulSet
metadata: { name: web }
spec:
  serviceName: web-headless
  replicas: 3
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec: { containers: [ { name: web, image: nginx } ] }
---
apiVersion: v1
kind: Service
metadata: { name: web-headless }
spec: { clusterIP: None, selector: { app: web }, ports: [ { port: 80 } ] }
`;
