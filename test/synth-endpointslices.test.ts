import t from 'tap';
import { SERVICE_NAME_LABEL } from '../lib/cluster/objects.js';
import { podOf, podsOf, serviceOf, slicesOf, synth } from './helpers/synth.js';

const pod = (name: string, labels: string, spec = '{ containers: [ { name: c, image: x } ] }', extra = '') => `
---
apiVersion: v1
kind: Pod
metadata: { name: ${name}, labels: ${labels}${extra} }
spec: ${spec}
`;

t.test('named target ports resolve per pod; pods lacking the port land in their own slice', async (t) => {
  const r = synth(`
apiVersion: v1
kind: Service
metadata: { name: api }
spec:
  selector: { app: api }
  ports:
    - { name: web, port: 80, targetPort: http }
    - { name: metrics, port: 9090, targetPort: 9100 }
    - { name: dns, port: 53, protocol: UDP, targetPort: dns }
${pod('api-a', '{ app: api }', '{ containers: [ { name: c, image: x, ports: [ { name: http, containerPort: 8080 }, { name: dns, containerPort: 5353, protocol: UDP } ] } ] }')}
${pod('api-b', '{ app: api }', '{ containers: [ { name: c, image: x, ports: [ { name: http, containerPort: 8081 } ] } ] }')}
${pod('api-c', '{ app: api }', '{ containers: [ { name: c, image: x, ports: [ { name: http, containerPort: 8080, protocol: UDP } ] } ] }')}
${pod('other', '{ app: other }')}
`);
  const slices = slicesOf(r, 'api');
  const byPods = new Map(slices.map((s) => [s.endpoints.map((e) => e.podName).join(','), s.ports]));
  t.same(byPods.get('api-a'), [
    { name: 'web', protocol: 'TCP', port: 8080 },
    { name: 'metrics', protocol: 'TCP', port: 9100 },
    { name: 'dns', protocol: 'UDP', port: 5353 },
  ]);
  t.same(byPods.get('api-b'), [{ name: 'web', protocol: 'TCP', port: 8081 }, { name: 'metrics', protocol: 'TCP', port: 9100 }]);
  t.same(byPods.get('api-c'), [{ name: 'metrics', protocol: 'TCP', port: 9100 }], 'the protocol must match too');
  t.equal(slices.length, 3);
  for (const s of slices) {
    t.equal(s.labels[SERVICE_NAME_LABEL], 'api');
    t.equal(s.labels['endpointslice.kubernetes.io/managed-by'], 'endpointslice-controller.k8s.io');
    t.equal(s.addressType, 'IPv4');
    t.match(s.name, /^api-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  }
  t.equal(new Set(slices.map((s) => s.name)).size, 3);
  t.equal(slices.flatMap((s) => s.endpoints).some((e) => e.podName === 'other'), false, 'selector applies');
});

t.test('targetPort defaults to port; endpoint carries pod IP, pod name and node', async (t) => {
  const r = synth(`
apiVersion: v1
kind: Service
metadata: { name: s }
spec: { selector: { app: s }, ports: [ { port: 80 } ] }
${pod('s-1', '{ app: s }')}
`);
  const [slice] = slicesOf(r, 's');
  t.same(slice.ports, [{ name: '', protocol: 'TCP', port: 80 }]);
  t.same(slice.endpoints, [{ addresses: [podOf(r, 's-1').podIP], ready: true, podName: 's-1', nodeName: '' }].map((e) => {
    const { nodeName, ...rest } = e; void nodeName; return rest;
  }));
});

t.test('hostname is set only when spec.subdomain is the Service name', async (t) => {
  const r = synth(`
apiVersion: v1
kind: Service
metadata: { name: hl }
spec: { clusterIP: None, selector: { app: q } }
---
apiVersion: v1
kind: Service
metadata: { name: other }
spec: { clusterIP: None, selector: { app: q } }
${pod('querier-1', '{ app: q }', '{ hostname: dns-querier-1, subdomain: hl, containers: [ { name: c, image: x } ] }')}
${pod('querier-2', '{ app: q }', '{ hostname: dns-querier-2, containers: [ { name: c, image: x } ] }')}
`);
  const hl = slicesOf(r, 'hl')[0].endpoints;
  t.same(hl.map((e) => [e.podName, e.hostname]), [['querier-1', 'dns-querier-1'], ['querier-2', undefined]]);
  t.same(slicesOf(r, 'other')[0].endpoints.map((e) => e.hostname), [undefined, undefined]);
  t.same(slicesOf(r, 'hl')[0].ports, [], 'a headless Service without ports has portless slices');
});

t.test('not-ready pods: Ready=False condition, the clusterdns.io/ready annotation, terminating and terminal pods', async (t) => {
  const r = synth(`
apiVersion: v1
kind: Service
metadata: { name: s }
spec: { selector: { app: s }, ports: [ { port: 80 } ] }
${pod('cond', '{ app: s }', '{ containers: [] }')}
status: { phase: Running, podIP: 10.244.9.9, conditions: [ { type: Ready, status: "False" } ] }
${pod('annotated', '{ app: s }', '{ containers: [] }', ', annotations: { clusterdns.io/ready: "false" }')}
${pod('terminating', '{ app: s }', '{ containers: [] }', ', deletionTimestamp: "2024-01-01T00:00:00Z"')}
status: { phase: Running, podIP: 10.244.9.10 }
${pod('done', '{ app: s }', '{ containers: [] }')}
status: { phase: Succeeded, podIP: 10.244.9.11 }
${pod('pending', '{ app: s }', '{ containers: [] }')}
status: { phase: Pending }
${pod('fine', '{ app: s }', '{ containers: [] }')}
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: slow, annotations: { clusterdns.io/ready: "false" } }
spec:
  replicas: 1
  selector: { matchLabels: { app: s } }
  template: { metadata: { labels: { app: s, v: slow } }, spec: { containers: [ { name: c, image: x } ] } }
---
apiVersion: apps/v1
kind: StatefulSet
metadata: { name: tpl }
spec:
  replicas: 1
  selector: { matchLabels: { role: tpl } }
  template: { metadata: { labels: { app: s, role: tpl }, annotations: { clusterdns.io/ready: "false" } }, spec: { containers: [ { name: c, image: x } ] } }
`);
  const eps = slicesOf(r, 's').flatMap((s) => s.endpoints);
  const ready = Object.fromEntries(eps.map((e) => [e.podName, e.ready]));
  t.same(ready, { annotated: false, cond: false, fine: true, terminating: false, 'tpl-0': false });
  t.notOk(eps.some((e) => e.podName === 'done'), 'Succeeded pods are no endpoints');
  t.notOk(eps.some((e) => e.podName === 'pending'), 'a Pending pod without IP is no endpoint');
  t.equal(podOf(r, 'pending').podIP, '', 'real Pending pods get no invented IP');
  t.same(podsOf(r).filter((p) => p.labels.v === 'slow'), [], 'the Deployment matches explicit pods, so it adds none');
});

t.test('a not-ready workload still gets endpoints, marked not ready', async (t) => {
  const r = synth(`
apiVersion: apps/v1
kind: Deployment
metadata: { name: slow, annotations: { clusterdns.io/ready: "false" } }
spec:
  replicas: 2
  selector: { matchLabels: { app: slow } }
  template: { metadata: { labels: { app: slow } }, spec: { containers: [ { name: c, image: x } ] } }
---
apiVersion: v1
kind: Service
metadata: { name: slow }
spec: { selector: { app: slow }, ports: [ { port: 80 } ] }
---
apiVersion: v1
kind: Service
metadata: { name: slow-published }
spec: { selector: { app: slow }, publishNotReadyAddresses: true, ports: [ { port: 80 } ] }
`);
  t.same(slicesOf(r, 'slow')[0].endpoints.map((e) => e.ready), [false, false]);
  t.same(slicesOf(r, 'slow-published')[0].endpoints.map((e) => e.ready), [true, true], 'publishNotReadyAddresses');
});

t.test('dual-stack: ClusterIPs and pod IPs of both families, one slice per family', async (t) => {
  const r = synth(`
apiVersion: apps/v1
kind: Deployment
metadata: { name: ds }
spec:
  replicas: 2
  selector: { matchLabels: { app: ds } }
  template: { metadata: { labels: { app: ds } }, spec: { containers: [ { name: c, image: x } ] } }
---
apiVersion: v1
kind: Service
metadata: { name: ds }
spec: { ipFamilyPolicy: PreferDualStack, selector: { app: ds }, ports: [ { port: 80 } ] }
---
apiVersion: v1
kind: Service
metadata: { name: v6-first }
spec: { ipFamilyPolicy: RequireDualStack, ipFamilies: [IPv6, IPv4], selector: { app: ds }, ports: [ { port: 80 } ] }
---
apiVersion: v1
kind: Service
metadata: { name: v6-only }
spec: { ipFamilies: [IPv6], ports: [ { port: 80 } ] }
---
apiVersion: v1
kind: Service
metadata: { name: hl6 }
spec: { clusterIP: None, ipFamilyPolicy: PreferDualStack, selector: { app: ds } }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: v4 }
spec:
  selector: { matchLabels: { app: v4 } }
  template: { metadata: { labels: { app: v4 } }, spec: { containers: [ { name: c, image: x } ] } }
---
apiVersion: v1
kind: Service
metadata: { name: v4 }
spec: { selector: { app: v4 }, ports: [ { port: 80 } ] }
`);
  const ds = serviceOf(r, 'ds');
  t.match(ds.clusterIPs, [/^10\./, /^fd00:10:96::/]);
  t.same(ds.ipFamilies, ['IPv4', 'IPv6']);
  t.match(serviceOf(r, 'v6-first').clusterIPs, [/^fd00:10:96::/, /^10\./]);
  t.match(serviceOf(r, 'v6-only').clusterIPs, [/^fd00:10:96::[0-9a-f]+$/]);
  t.equal(serviceOf(r, 'v6-only').clusterIPs.length, 1);
  t.match(serviceOf(r, 'v4').clusterIPs, [/^10\./]);
  t.equal(serviceOf(r, 'v4').clusterIPs.length, 1);
  for (const p of podsOf(r).filter((p) => p.labels.app === 'ds')) {
    t.match(p.podIPs, [/^10\.244\./, /^fd00:10:244:/]);
    t.equal(p.podIP, p.podIPs[0]);
  }
  t.equal(podsOf(r).find((p) => p.labels.app === 'v4')!.podIPs.length, 1, 'pods no dual-stack Service selects stay IPv4');
  for (const name of ['ds', 'hl6']) {
    const slices = slicesOf(r, name);
    t.same(slices.map((s) => s.addressType).sort(), ['IPv4', 'IPv6'], name);
    const v6 = slices.find((s) => s.addressType === 'IPv6')!;
    t.equal(v6.endpoints.length, 2);
    for (const e of v6.endpoints) t.match(e.addresses, [/^fd00:10:244:/]);
  }
  t.same(slicesOf(r, 'v4').map((s) => s.addressType), ['IPv4']);
});

t.test('more than 100 endpoints are split over several slices; ExternalName and selector-less Services get none', async (t) => {
  const r = synth(`
apiVersion: apps/v1
kind: Deployment
metadata: { name: big }
spec:
  replicas: 250
  selector: { matchLabels: { app: big } }
  template: { metadata: { labels: { app: big } }, spec: { containers: [ { name: c, image: x } ] } }
---
apiVersion: v1
kind: Service
metadata: { name: big }
spec: { selector: { app: big }, ports: [ { port: 80 } ] }
---
apiVersion: v1
kind: Service
metadata: { name: ext }
spec: { type: ExternalName, externalName: db.example.com, selector: { app: big } }
---
apiVersion: v1
kind: Service
metadata: { name: manual }
spec: { ports: [ { port: 80 } ] }
---
apiVersion: v1
kind: Service
metadata: { name: empty }
spec: { selector: { app: nothing }, ports: [ { port: 80 } ] }
`);
  const slices = slicesOf(r, 'big');
  t.same(slices.map((s) => s.endpoints.length).sort(), [100, 100, 50]);
  t.equal(new Set(slices.flatMap((s) => s.endpoints.map((e) => e.podName))).size, 250);
  t.same(slicesOf(r, 'ext'), []);
  t.same(slicesOf(r, 'manual'), []);
  t.same(serviceOf(r, 'ext').clusterIPs, []);
  const empty = slicesOf(r, 'empty');
  t.equal(empty.length, 1, 'a placeholder slice, as the controller writes');
  t.same(empty[0].endpoints, []);
  t.match(r.warnings.join('\n'), /Service default\/empty: its selector matches no running pod/);
});
