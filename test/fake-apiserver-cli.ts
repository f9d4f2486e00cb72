// `npm run fake-apiserver -- --fixtures DIR [--port N] [--token T] [--tls] [--kubeconfig-out FILE]`
// Serves the manifests in DIR through the fake API server, so live mode can be tried with no cluster:
//   clusterdns --kubeconfig FILE
// Edits to the fixture files become watch events (changed objects MODIFIED, removed ones DELETED). Objects can
// also be changed with curl, e.g.
//   curl -X DELETE -H 'Authorization: Bearer T' URL/api/v1/namespaces/default/services/web
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { watch } from 'chokidar';
import { parseAllDocuments } from 'yaml';
import { FakeApiServer, kubeconfigFor, RESOURCES, resourceOfKind } from './fake-apiserver.js';

function manifestFiles(path: string): string[] {
  if (statSync(path).isFile()) return [path];
  return readdirSync(path, { recursive: true, encoding: 'utf8' })
    .filter((f) => ['.yaml', '.yml', '.json'].includes(extname(f)))
    .sort()
    .map((f) => join(path, f));
}

function flatten(doc: unknown): Record<string, any>[] {
  if (typeof doc !== 'object' || doc === null) return [];
  const o = doc as Record<string, any>;
  if (typeof o.kind === 'string' && o.kind.endsWith('List') && Array.isArray(o.items)) return o.items.flatMap(flatten);
  return [o];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      fixtures: { type: 'string', multiple: true },
      port: { type: 'string', default: '0' },
      host: { type: 'string', default: '127.0.0.1' },
      token: { type: 'string', default: 'fake-token' },
      tls: { type: 'boolean', default: false },
      'kubeconfig-out': { type: 'string' },
    },
  });
  const srv = await FakeApiServer.start({
    port: Number(values.port), host: values.host, token: values.token, tls: values.tls, bookmarkIntervalMs: 60_000,
  });
  const served = new Set(Object.values(RESOURCES).map((r) => r.kind));
  const paths = values.fixtures ?? [];
  // What the files said last time, by object: edits to the files become watch events.
  let current = new Map<string, string>();
  const readAll = (): Map<string, Record<string, any>> => {
    const out = new Map<string, Record<string, any>>();
    // A real cluster always has these, and every namespace objects live in.
    const namespaces = new Set(['default', 'kube-system', 'kube-public', 'kube-node-lease']);
    for (const path of paths) {
      for (const file of manifestFiles(path)) {
        for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
          for (const obj of flatten(doc.toJS())) {
            if (!served.has(obj.kind) || !obj.metadata?.name) continue;
            resourceOfKind(obj.kind);
            if (obj.kind !== 'Namespace') namespaces.add(obj.metadata.namespace || 'default');
            out.set(`${obj.kind}/${obj.kind === 'Namespace' ? '' : obj.metadata.namespace || 'default'}/${obj.metadata.name}`, obj);
          }
        }
      }
    }
    for (const name of namespaces) {
      const k = `Namespace//${name}`;
      if (!out.has(k)) out.set(k, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    }
    return out;
  };
  const sync = (): { applied: number; deleted: number } => {
    const next = readAll();
    const seen = new Map<string, string>();
    let applied = 0;
    let deleted = 0;
    for (const [k, obj] of next) {
      const text = JSON.stringify(obj);
      seen.set(k, text);
      if (current.get(k) !== text) { srv.apply(obj); applied++; }
    }
    for (const k of current.keys()) {
      if (seen.has(k)) continue;
      const [kind, ns, name] = k.split('/');
      srv.delete(kind, ns, name);
      deleted++;
    }
    current = seen;
    return { applied, deleted };
  };
  const { applied: count } = sync();
  if (paths.length > 0) {
    let timer: NodeJS.Timeout | undefined;
    watch(paths, { ignoreInitial: true }).on('all', () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        try {
          const r = sync();
          console.log(`fixtures changed: ${r.applied} applied, ${r.deleted} deleted (resourceVersion ${srv.resourceVersion})`);
        } catch (err) {
          console.error(`fixtures not reloaded: ${(err as Error).message}`);
        }
      }, 100);
    });
  }
  const kubeconfigPath = values['kubeconfig-out'] ?? join(tmpdir(), `fake-apiserver-${srv.port}.kubeconfig`);
  let caNote = '';
  if (srv.caPem) {
    const caFile = `${kubeconfigPath}.ca.crt`;
    writeFileSync(caFile, srv.caPem);
    writeFileSync(kubeconfigPath, kubeconfigFor(srv, { caFile }));
    caNote = ` (CA ${caFile})`;
  } else {
    writeFileSync(kubeconfigPath, kubeconfigFor(srv));
  }
  console.log(`fake API server on ${srv.url} serving ${count} objects`);
  console.log(`kubeconfig: ${kubeconfigPath}${caNote}`);
  console.log(`try: clusterdns --kubeconfig ${kubeconfigPath}`);
  const stop = () => { void srv.close().then(() => process.exit(0)); };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
