// `npm run fake-apiserver -- --fixtures DIR [--port N] [--token T] [--tls] [--kubeconfig-out FILE]
//   [--namespace NS] [--pod-cidr CIDR] [--service-cidr CIDR] [--pod-cidr-v6 CIDR] [--service-cidr-v6 CIDR] [--nodes N] [--ingresses] [--crds]`
// Serves the cluster `clusterdns --fixtures DIR` serves, through the fake API server, so live mode can be tried with
// no cluster: `clusterdns --source kubernetes --kubeconfig FILE`. The manifests go through the same synthesis as
// fixture mode (fake-apiserver-cluster.ts): Services have ClusterIPs, workloads Pods, selector Services
// EndpointSlices. kubectl works against it (`kubectl --kubeconfig FILE get svc -A`, `apply -f`, `delete`).
// Edits to the fixture files, and writes through the API, become watch events.
//
// kubectl sends credentials only over HTTPS: without --tls the server asks for none (unless --token is given).
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { watch } from 'chokidar';
import { defaultConfig } from '../lib/config.js';
import { synthesisConfigProblems } from '../lib/synth/options.js';
import { FakeApiServer, kubeconfigFor } from './fake-apiserver.js';
import { FakeCluster } from './fake-apiserver-cluster.js';
import { parseInstalledCrds } from './fake-apiserver-crds.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      fixtures: { type: 'string', multiple: true },
      port: { type: 'string', default: '0' },
      host: { type: 'string', default: '127.0.0.1' },
      token: { type: 'string' },
      tls: { type: 'boolean', default: false },
      'kubeconfig-out': { type: 'string' },
      namespace: { type: 'string', default: 'default' },
      'pod-cidr': { type: 'string' },
      'service-cidr': { type: 'string' },
      'pod-cidr-v6': { type: 'string' },
      'service-cidr-v6': { type: 'string' },
      nodes: { type: 'string' },
      // serve the manifests' Ingresses too (for clusterdns --external-zone in live mode)
      ingresses: { type: 'boolean', default: false },
      // serve the manifests' Gateway API objects and DNSEndpoints too (their CRDs are installed either way)
      crds: { type: 'boolean', default: false },
      // the CRDs the server has installed: none, or resource[=version,...] entries (httproutes=v1beta1;gateways)
      'installed-crds': { type: 'string' },
    },
  });
  const defaults = defaultConfig().synthesis;
  const synthesis = {
    podCIDR: values['pod-cidr'] ?? defaults.podCIDR,
    serviceCIDR: values['service-cidr'] ?? defaults.serviceCIDR,
    podCIDRv6: values['pod-cidr-v6'] ?? defaults.podCIDRv6,
    serviceCIDRv6: values['service-cidr-v6'] ?? defaults.serviceCIDRv6,
    nodes: values.nodes === undefined ? defaults.nodes : Number(values.nodes),
  };
  const problem = synthesisConfigProblems(synthesis)[0];
  if (problem) throw new Error(problem);
  const token = values.token ?? (values.tls ? 'fake-token' : undefined);
  const srv = await FakeApiServer.start({
    port: Number(values.port), host: values.host, token, tls: values.tls, bookmarkIntervalMs: 60_000,
    ...(values['installed-crds'] === undefined ? {} : { crds: parseInstalledCrds(values['installed-crds']) }),
  });
  const paths = values.fixtures ?? [];
  const cluster = new FakeCluster(srv, { paths, namespace: values.namespace, synthesis, ingresses: values.ingresses, crds: values.crds });
  srv.writable = cluster;
  await cluster.readFiles();
  cluster.sync();
  for (const w of cluster.warnings) console.error(`warning: ${w}`);
  const count = Object.values(srv.counts()).reduce((a, b) => a + b, 0);
  if (paths.length > 0) {
    let timer: NodeJS.Timeout | undefined;
    watch(paths, { ignoreInitial: true }).on('all', () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        cluster.readFiles().then(() => {
          const r = cluster.sync();
          for (const w of cluster.warnings) console.error(`warning: ${w}`);
          console.log(`fixtures changed: ${r.applied} applied, ${r.deleted} deleted (resourceVersion ${srv.resourceVersion})`);
        }).catch((err: unknown) => console.error(`fixtures not reloaded, still serving the last good state: ${(err as Error).message}`));
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
  console.log(`kubectl: kubectl --kubeconfig ${kubeconfigPath} get svc -A`);
  console.log(`try: clusterdns --source kubernetes --kubeconfig ${kubeconfigPath}`);
  const stop = () => { void srv.close().then(() => process.exit(0)); };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
