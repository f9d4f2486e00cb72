// Runnable: `npm run build && node examples/in-process.mjs`. A test suite's view of clusterdns.
import { promises as dns } from 'node:dns';
import { startClusterDns } from '../dist/lib/index.js'; // from another project: 'clusterdns'

const cluster = await startClusterDns({
  fixtures: ['fixtures/'],                 // manifests: files or folders
  listen: '127.0.0.1:0',                   // a free port
});
const resolver = new dns.Resolver();
resolver.setServers([cluster.address]);

console.log(await resolver.resolve4('myapp-headless.default.svc.cluster.local')); // one IP per ready pod

// Change the cluster while it runs, like kubectl apply / delete.
await cluster.apply(`
apiVersion: v1
kind: Service
metadata: { name: payments, namespace: shop }
spec: { clusterIP: 10.96.44.4, ports: [ { name: grpc, port: 9090 } ] }
`);
console.log(await resolver.resolveSrv('_grpc._tcp.payments.shop.svc.cluster.local'));
await cluster.delete('Service', 'shop', 'payments');

// Make one name fail the way a flaky DNS would, and see what the client asked.
const fault = cluster.fault({ name: 'myapp.default.svc.cluster.local', fault: 'servfail', times: 1 });
await resolver.resolve4('myapp.default.svc.cluster.local').catch((e) => console.log('first try:', e.code));
console.log('retry:', await resolver.resolve4('myapp.default.svc.cluster.local'));
console.log(cluster.queries({ name: 'myapp.default.svc.cluster.local' }).map((q) => q.rcode));
cluster.removeFault(fault.id);

await cluster.close();
