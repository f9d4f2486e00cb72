// The near-miss fixture (test/fixtures/explain) read as the tests' source of expected values: which Service lives
// where, which endpoints are not ready, which ports are unnamed. Tests derive names from it, not from literals.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

export const EXPLAIN_FIXTURES = fileURLToPath(new URL('../fixtures/explain/', import.meta.url));
export const ZONE = 'cluster.local';

interface Doc { kind: string; metadata: { name: string; namespace: string; labels?: Record<string, string> }; spec?: any; endpoints?: any[]; ports?: any[] }

export const DOCS: Doc[] = parseAllDocuments(readFileSync(new URL('../fixtures/explain/near-misses.yaml', import.meta.url), 'utf8')).map((d) => d.toJSON() as Doc);

export const services = () => DOCS.filter((d) => d.kind === 'Service');
export const svcName = (name: string, ns: string) => `${name}.${ns}.svc.${ZONE}`;
export const slicesOf = (name: string) => DOCS.filter((d) => d.kind === 'EndpointSlice' && d.metadata.labels?.['kubernetes.io/service-name'] === name);

/** A Service present in exactly one namespace, and a namespace (with other objects) where it is not. */
export function serviceInOneNamespace() {
  const s = services().find((x) => services().filter((y) => y.metadata.name === x.metadata.name).length === 1 && x.metadata.namespace !== 'default')!;
  return { name: s.metadata.name, ns: s.metadata.namespace, otherNs: 'default' };
}

/** A headless Service with a ready and a not-ready endpoint: the not-ready one's hostname. */
export function unreadyEndpoint() {
  for (const s of services().filter((x) => x.spec.clusterIP === 'None')) {
    const eps = slicesOf(s.metadata.name).flatMap((sl) => sl.endpoints ?? []);
    const bad = eps.find((e) => e.conditions?.ready === false && e.hostname);
    if (bad && eps.some((e) => e.conditions?.ready !== false)) return { svc: s.metadata.name, ns: s.metadata.namespace, hostname: bad.hostname as string, pod: bad.targetRef.name as string };
  }
  throw new Error('fixture has no headless Service with a not-ready endpoint');
}

/** A headless Service none of whose endpoints is ready, with its pods. */
export function headlessNothingReady() {
  for (const s of services().filter((x) => x.spec.clusterIP === 'None')) {
    const eps = slicesOf(s.metadata.name).flatMap((sl) => sl.endpoints ?? []);
    if (eps.length > 0 && eps.every((e) => e.conditions?.ready === false)) return { svc: s.metadata.name, ns: s.metadata.namespace, pods: eps.map((e) => e.targetRef.name as string) };
  }
  throw new Error('fixture has no headless Service with nothing ready');
}

/** A Service whose ports all lack a name. */
export function unnamedPortService() {
  const s = services().find((x) => (x.spec.ports ?? []).length > 0 && x.spec.ports.every((p: any) => !p.name))!;
  return { svc: s.metadata.name, ns: s.metadata.namespace, port: s.spec.ports[0].port as number };
}

/** A ClusterIP Service in default and a one-letter-deleted typo of its name that no Service has. */
export function typo() {
  const names = new Set(services().map((s) => s.metadata.name));
  for (const s of services().filter((x) => x.metadata.namespace === 'default' && x.spec.clusterIP !== 'None')) {
    const n = s.metadata.name;
    for (let i = 1; i < n.length - 1; i++) {
      const t = n.slice(0, i) + n.slice(i + 1);
      if (!names.has(t)) return { svc: n, ns: 'default', typo: t, clusterIP: s.spec.clusterIP as string };
    }
  }
  throw new Error('no typo candidate');
}
