// Child process of bench/live-churn.ts: a fake API server holding a big generated cluster, so its memory is not
// counted in the benchmark's. Prints one JSON line {url, token} when ready; changes come in over HTTP (PUT/POST/DELETE).
import { parseArgs } from 'node:util';
import { FakeApiServer } from '../test/fake-apiserver.js';
import { generateCluster } from './live-cluster.js';

const { values } = parseArgs({
  options: {
    services: { type: 'string', default: '10000' },
    pods: { type: 'string', default: '150000' },
    namespaces: { type: 'string', default: '100' },
    'serve-pods': { type: 'boolean', default: false },
  },
});

const token = 'bench-token';
const srv = await FakeApiServer.start({ token, historyLimit: 200_000 });
const cluster = generateCluster({
  services: Number(values.services), pods: Number(values.pods), namespaces: Number(values.namespaces),
  podObjects: values['serve-pods'] ?? false,
});
srv.load(cluster.objects);
process.stdout.write(`${JSON.stringify({ url: srv.url, token, objects: cluster.objects.length })}\n`);
process.on('SIGTERM', () => { void srv.close().then(() => process.exit(0)); });
