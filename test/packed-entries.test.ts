// The fixture source keeps a file's pods as columns and rebuilds them as objects when their namespace changes:
// what comes out must be exactly what went in, and a server fed through the packing must answer as one fed the
// manifests directly.
import t from 'tap';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { writeExplicitCluster } from '../bench/explicit-cluster.js';
import { ClusterStore } from '../lib/cluster/store.js';
import { defaultConfig } from '../lib/config.js';
import { listRecords } from '../lib/dns/zone-listing.js';
import { formatRR } from '../lib/dns/records.js';
import { resolverConfigFrom } from '../lib/start.js';
import { FixtureSource } from '../lib/sources/fixtures.js';
import { expandFixturePaths, readManifestFile, readEntriesFile, manifestsToEntries } from '../lib/sources/manifest-files.js';
import { synthesizeCluster } from '../lib/synth/index.js';
import { PackedByNamespace } from '../lib/synth/packed-entries.js';

const silent = { info() {}, warn() {}, error() {}, debug() {} };

const POD_YAML = `
apiVersion: v1
kind: Service
metadata: { name: web, namespace: apps }
spec: { clusterIP: None, selector: { app: web }, ports: [ { name: http, port: 80, targetPort: http } ] }
---
apiVersion: v1
kind: Pod
metadata:
  name: web-0
  namespace: apps
  labels: { app: web }
  ownerReferences: [ { kind: StatefulSet, name: web } ]
spec: { hostname: web-0, subdomain: web, nodeName: n1, containers: [ { name: c, ports: [ { name: http, containerPort: 8080 } ] } ] }
status: { phase: Running, podIP: 10.244.0.5, podIPs: [ { ip: 10.244.0.5 }, { ip: "fd00::5" } ], conditions: [ { type: Ready, status: "True" } ] }
---
apiVersion: v1
kind: Pod
metadata: { name: web-1, namespace: apps, labels: { app: web }, deletionTimestamp: "2026-01-01T00:00:00Z" }
spec: { containers: [ { name: c } ] }
status: { phase: Pending, conditions: [ { type: Ready, status: "False" } ] }
---
apiVersion: v1
kind: ConfigMap
metadata: { name: cfg, namespace: apps }
data: { a: b }
`;

t.test('pods come back field for field, after the other kinds, each time as new objects', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'packed-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'apps.yaml');
  await (await import('node:fs/promises')).writeFile(file, POD_YAML);
  const direct = manifestsToEntries(await readManifestFile(file), 'default');
  const packer = new PackedByNamespace();
  await readEntriesFile(file, 'default', packer.add);
  const packed = packer.finish().get('apps')!;
  t.equal(packed.size, 4);
  const out = [...packed.entries()];
  const others = direct.filter((e) => e.kind !== 'Pod');
  const pods = direct.filter((e) => e.kind === 'Pod');
  t.strictSame(out, [...others, ...pods], 'the same entries, pods last');
  const again = [...packed.entries()];
  t.not(again[2].objects![0], out[2].objects![0], 'a pod is rebuilt, not kept');
  for (const e of direct) t.ok(packed.has(e.key), `has ${e.key}`);
  t.notOk(packed.has('Pod/apps/web-2'));
  t.notOk(packed.has('Pod/other/web-0'));
  t.notOk(packed.has('Service/apps/web-0'));
  t.throws(() => packed.add(direct[0]), /after finish/);
});

t.test('a generated cluster served through packed entries lists the same records as synthesised directly', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'packed-cluster-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const info = await writeExplicitCluster(dir, { services: 60, pods: 600, servicesPerNamespace: 20 }, 'yaml');
  const cfg = defaultConfig();

  const store = new ClusterStore();
  const src = new FixtureSource(store, { paths: [info.dir], namespace: 'default', synthesis: cfg.synthesis, keepPods: true, watch: false, logger: silent });
  await src.start();

  const manifests = [];
  for (const f of await expandFixturePaths([info.dir])) for (const m of await readManifestFile(f)) manifests.push(m);
  const direct = synthesizeCluster(manifests, { ...cfg.synthesis, namespace: 'default' });
  const expected = new ClusterStore();
  expected.batch(() => { for (const o of direct.objects) expected.apply(o, 'fixtures'); });

  t.equal(store.counts().Pod, info.pods, 'every pod kept (pods verified needs them)');
  t.equal(store.counts().EndpointSlice, info.endpointSlices);
  const rc = resolverConfigFrom({ ...cfg, pods: 'verified' }, []);
  const list = (s: ClusterStore) => listRecords(s, rc).map((rr) => formatRR(rr)).filter((l) => !/\tSOA\t/.test(l));
  t.strictSame(list(store), list(expected), 'the same records');
});
