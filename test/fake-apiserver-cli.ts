// `npm run fake-apiserver -- --fixtures DIR [--port N] [--token T] [--tls] [--kubeconfig-out FILE]`
// Serves the manifests in DIR through the fake API server, so live mode can be tried with no cluster:
//   clusterdns --kubeconfig FILE
// Objects can then be changed with curl, e.g.
//   curl -X DELETE -H 'Authorization: Bearer T' URL/api/v1/namespaces/default/services/web
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { parseArgs } from 'node:util';
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
  let count = 0;
  for (const path of values.fixtures ?? []) {
    for (const file of manifestFiles(path)) {
      for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
        for (const obj of flatten(doc.toJS())) {
          if (!served.has(obj.kind)) continue;
          resourceOfKind(obj.kind);
          srv.apply(obj);
          count++;
        }
      }
    }
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
