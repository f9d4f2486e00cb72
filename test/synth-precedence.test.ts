import t from 'tap';
import { podOf, podsOf, serviceOf, slicesOf, synth } from './helpers/synth.js';

// What `kubectl get all,endpointslices -A -o yaml` prints for a small real cluster (trimmed to the fields that matter,
// the rest of each object left as kubectl writes it).
const realCluster = (withSlices: boolean) => `
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Pod
  metadata:
    name: web-0
    namespace: shop
    labels: { app: web, statefulset.kubernetes.io/pod-name: web-0, controller-revision-hash: web-7d9f }
    ownerReferences: [ { apiVersion: apps/v1, kind: StatefulSet, name: web, controller: true, uid: a1 } ]
  spec: { hostname: web-0, subdomain: web, nodeName: kind-worker, containers: [ { name: nginx, image: nginx, ports: [ { name: http, containerPort: 80 } ] } ] }
  status:
    phase: Running
    podIP: 10.244.1.7
    podIPs: [ { ip: 10.244.1.7 } ]
    conditions: [ { type: Ready, status: "True" } ]
- apiVersion: v1
  kind: Pod
  metadata:
    name: web-1
    namespace: shop
    labels: { app: web, statefulset.kubernetes.io/pod-name: web-1 }
    ownerReferences: [ { apiVersion: apps/v1, kind: StatefulSet, name: web, controller: true, uid: a1 } ]
  spec: { hostname: web-1, subdomain: web, nodeName: kind-worker2, containers: [ { name: nginx, image: nginx } ] }
  status:
    phase: Running
    podIP: 10.244.2.9
    conditions: [ { type: Ready, status: "False" } ]
- apiVersion: v1
  kind: Pod
  metadata:
    name: api-5d4f8c7b9-x2x9z
    namespace: shop
    labels: { app: api, pod-template-hash: 5d4f8c7b9 }
    ownerReferences: [ { apiVersion: apps/v1, kind: ReplicaSet, name: api-5d4f8c7b9, controller: true, uid: b1 } ]
  spec: { nodeName: kind-worker, containers: [ { name: api, image: api } ] }
  status: { phase: Running, podIP: 10.244.1.12, conditions: [ { type: Ready, status: "True" } ] }
- apiVersion: v1
  kind: Pod
  metadata:
    name: migrate-hx7qz
    namespace: shop
    labels: { job-name: migrate, batch.kubernetes.io/controller-uid: c1, controller-uid: c1 }
    ownerReferences: [ { apiVersion: batch/v1, kind: Job, name: migrate, controller: true, uid: c1 } ]
  spec: { containers: [ { name: m, image: m } ] }
  status: { phase: Succeeded, podIP: 10.244.1.13 }
- apiVersion: v1
  kind: Service
  metadata: { name: web, namespace: shop }
  spec: { clusterIP: None, clusterIPs: [ None ], ipFamilies: [ IPv4 ], ipFamilyPolicy: SingleStack, selector: { app: web }, ports: [ { name: http, port: 80, targetPort: http } ] }
- apiVersion: v1
  kind: Service
  metadata: { name: api, namespace: shop }
  spec: { type: ClusterIP, clusterIP: 10.96.14.2, clusterIPs: [ 10.96.14.2 ], ipFamilies: [ IPv4 ], ipFamilyPolicy: PreferDualStack, selector: { app: api }, ports: [ { port: 80, targetPort: 8080 } ] }
- apiVersion: v1
  kind: Service
  metadata: { name: kube-dns, namespace: kube-system }
  spec: { clusterIP: 10.96.0.10, clusterIPs: [ 10.96.0.10 ], selector: { k8s-app: kube-dns }, ports: [ { name: dns, port: 53, protocol: UDP } ] }
- apiVersion: apps/v1
  kind: Deployment
  metadata: { name: api, namespace: shop }
  spec:
    replicas: 1
    selector: { matchLabels: { app: api } }
    template: { metadata: { labels: { app: api } }, spec: { containers: [ { name: api, image: api } ] } }
  status: { replicas: 1, readyReplicas: 1 }
- apiVersion: apps/v1
  kind: ReplicaSet
  metadata:
    name: api-5d4f8c7b9
    namespace: shop
    ownerReferences: [ { apiVersion: apps/v1, kind: Deployment, name: api, controller: true, uid: d1 } ]
  spec:
    replicas: 1
    selector: { matchLabels: { app: api, pod-template-hash: 5d4f8c7b9 } }
    template: { metadata: { labels: { app: api, pod-template-hash: 5d4f8c7b9 } }, spec: { containers: [ { name: api, image: api } ] } }
- apiVersion: apps/v1
  kind: ReplicaSet
  metadata:
    name: api-66b8d7f4c
    namespace: shop
    ownerReferences: [ { apiVersion: apps/v1, kind: Deployment, name: api, controller: true, uid: d1 } ]
  spec:
    replicas: 0
    selector: { matchLabels: { app: api, pod-template-hash: 66b8d7f4c } }
    template: { metadata: { labels: { app: api, pod-template-hash: 66b8d7f4c } }, spec: { containers: [ { name: api, image: api:old } ] } }
- apiVersion: apps/v1
  kind: StatefulSet
  metadata: { name: web, namespace: shop }
  spec:
    replicas: 2
    serviceName: web
    selector: { matchLabels: { app: web } }
    template: { metadata: { labels: { app: web } }, spec: { containers: [ { name: nginx, image: nginx } ] } }
- apiVersion: apps/v1
  kind: Deployment
  metadata: { name: coredns, namespace: kube-system }
  spec:
    replicas: 2
    selector: { matchLabels: { k8s-app: kube-dns } }
    template: { metadata: { labels: { k8s-app: kube-dns } }, spec: { containers: [ { name: coredns, image: coredns } ] } }
- apiVersion: v1
  kind: Pod
  metadata:
    name: coredns-7db6d8ff4d-4hcq8
    namespace: kube-system
    labels: { k8s-app: kube-dns, pod-template-hash: 7db6d8ff4d }
  spec: { containers: [ { name: coredns, image: coredns } ] }
  status: { phase: Running, podIP: 10.244.0.3, conditions: [ { type: Ready, status: "True" } ] }
- apiVersion: batch/v1
  kind: Job
  metadata: { name: migrate, namespace: shop }
  spec:
    completions: 1
    selector: { matchLabels: { batch.kubernetes.io/controller-uid: c1 } }
    template: { metadata: { labels: { batch.kubernetes.io/controller-uid: c1, job-name: migrate } }, spec: { restartPolicy: Never, containers: [ { name: m, image: m } ] } }
  status: { succeeded: 1, conditions: [ { type: Complete, status: "True" } ] }
${withSlices ? `- apiVersion: discovery.k8s.io/v1
  kind: EndpointSlice
  metadata: { name: web-abcde, namespace: shop, labels: { kubernetes.io/service-name: web } }
  addressType: IPv4
  endpoints:
  - addresses: [ 10.244.1.7 ]
    conditions: { ready: true }
    hostname: web-0
    targetRef: { kind: Pod, name: web-0, namespace: shop }
  ports: [ { name: http, port: 80, protocol: TCP } ]
- apiVersion: discovery.k8s.io/v1
  kind: EndpointSlice
  metadata: { name: api-fghij, namespace: shop, labels: { kubernetes.io/service-name: api } }
  addressType: IPv4
  endpoints:
  - addresses: [ 10.244.1.12 ]
    conditions: { ready: true }
    targetRef: { kind: Pod, name: api-5d4f8c7b9-x2x9z, namespace: shop }
  ports: [ { port: 8080, protocol: TCP } ]
- apiVersion: v1
  kind: Endpoints
  metadata: { name: kube-dns, namespace: kube-system }
  subsets: [ { addresses: [ { ip: 10.244.0.3 } ], ports: [ { name: dns, port: 53, protocol: UDP } ] } ]
` : ''}`;

t.test('kubectl get all output: pods, IPs and ClusterIPs taken as given, no pod invented', async (t) => {
  const r = synth(realCluster(false));
  t.same(podsOf(r).map((p) => p.name).sort(),
    ['api-5d4f8c7b9-x2x9z', 'coredns-7db6d8ff4d-4hcq8', 'migrate-hx7qz', 'web-0', 'web-1']);
  t.same(serviceOf(r, 'api', 'shop').clusterIPs, ['10.96.14.2'], 'PreferDualStack on a single-stack cluster stays single');
  t.same(serviceOf(r, 'kube-dns', 'kube-system').clusterIPs, ['10.96.0.10']);
  t.same(serviceOf(r, 'web', 'shop').clusterIPs, []);
  t.equal(podOf(r, 'web-0', 'shop').podIP, '10.244.1.7');
  t.equal(podOf(r, 'migrate-hx7qz', 'shop').podIP, '10.244.1.13');
  // `get all` has no EndpointSlices: they are derived from the real pods, as the controller derived them.
  const web = slicesOf(r, 'web', 'shop');
  t.equal(web.length, 2, 'web-1 lacks the named port http: the controller puts it in a slice of its own');
  const withPort = web.find((s) => s.ports.length === 1)!;
  const without = web.find((s) => s.ports.length === 0)!;
  t.same(withPort.ports, [{ name: 'http', protocol: 'TCP', port: 80 }]);
  t.same(withPort.endpoints, [{ addresses: ['10.244.1.7'], ready: true, hostname: 'web-0', podName: 'web-0', nodeName: 'kind-worker' }]);
  t.same(without.endpoints, [{ addresses: ['10.244.2.9'], ready: false, hostname: 'web-1', podName: 'web-1', nodeName: 'kind-worker2' }]);
  t.same(slicesOf(r, 'api', 'shop').flatMap((s) => s.endpoints.map((e) => e.addresses[0])), ['10.244.1.12']);
  t.same(slicesOf(r, 'kube-dns', 'kube-system').flatMap((s) => s.endpoints.map((e) => e.addresses[0])), ['10.244.0.3']);
  t.same(r.warnings, []);
});

t.test('kubectl output with EndpointSlices and Endpoints: those are kept and nothing is added', async (t) => {
  const r = synth(realCluster(true));
  const slices = r.objects.filter((o) => o.kind === 'EndpointSlice').map((o) => o.name).sort();
  t.same(slices, ['api-fghij', 'kube-dns-endpoints-0', 'web-abcde']);
  t.same(slicesOf(r, 'web', 'shop')[0].endpoints, [{ addresses: ['10.244.1.7'], ready: true, hostname: 'web-0', podName: 'web-0' }]);
  t.equal(podsOf(r).length, 5);
});

t.test('explicit Pods win over a workload: matching pods stand for the whole workload', async (t) => {
  const sts = (podLabels: string) => `
apiVersion: apps/v1
kind: StatefulSet
metadata: { name: web }
spec:
  replicas: 3
  serviceName: web
  selector: { matchLabels: { app: web } }
  template: { metadata: { labels: { app: web } }, spec: { containers: [ { name: c, image: x } ] } }
---
apiVersion: v1
kind: Pod
metadata: { name: web-1, labels: ${podLabels} }
spec: { containers: [ { name: c, image: x } ] }
status: { podIP: 10.244.7.7 }
`;
  const matching = synth(sts('{ app: web }'));
  t.same(podsOf(matching).map((p) => p.name), ['web-1'], 'selector matches an explicit pod: the StatefulSet is already running');
  const unrelated = synth(sts('{ app: other }'));
  t.same(podsOf(unrelated).map((p) => p.name).sort(), ['web-0', 'web-1', 'web-2']);
  t.equal(podOf(unrelated, 'web-1').podIP, '10.244.7.7', 'the explicit web-1 is kept, not replaced');
  t.equal(podOf(unrelated, 'web-1').hostname, '');
  t.match(unrelated.warnings.join('\n'), /StatefulSet default\/web: 1 pod name\(s\) are taken by explicit Pods/);
});

t.test('explicit ClusterIPs, pod IPs and slice addresses are never handed out again', async (t) => {
  // A /28 service range (12 usable) and a /28 pod range (14 usable): every address is contested.
  let yaml = '';
  for (let i = 0; i < 10; i++) yaml += `---\napiVersion: v1\nkind: Service\nmetadata: { name: s${i} }\nspec: { ports: [ { port: 80 } ] }\n`;
  yaml += '---\napiVersion: v1\nkind: Service\nmetadata: { name: fixed }\nspec: { clusterIP: 10.96.0.5, ports: [ { port: 80 } ] }\n';
  yaml += '---\napiVersion: v1\nkind: Service\nmetadata: { name: fixed-dual }\nspec: { clusterIPs: [ 10.96.0.6, "fd00:10:96::6" ], ports: [ { port: 80 } ] }\n';
  for (let i = 0; i < 10; i++) yaml += `---\napiVersion: v1\nkind: Pod\nmetadata: { name: p${i} }\nspec: { containers: [] }\n`;
  yaml += '---\napiVersion: v1\nkind: Pod\nmetadata: { name: given }\nspec: { containers: [] }\nstatus: { podIP: 10.244.0.7 }\n';
  yaml += `---\napiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: { name: ext-1, labels: { kubernetes.io/service-name: ext } }
addressType: IPv4\nendpoints: [ { addresses: [ 10.244.0.8 ] } ]\n`;
  const r = synth(yaml, { serviceCIDR: '10.96.0.0/28', podCIDR: '10.244.0.0/28' });
  t.same(serviceOf(r, 'fixed').clusterIPs, ['10.96.0.5']);
  t.same(serviceOf(r, 'fixed-dual').clusterIPs, ['10.96.0.6', 'fd00:10:96::6']);
  t.equal(podOf(r, 'given').podIP, '10.244.0.7');
  const svcIPs = r.objects.flatMap((o) => (o.kind === 'Service' ? o.clusterIPs : []));
  t.equal(new Set(svcIPs).size, svcIPs.length, 'no duplicate ClusterIP');
  t.equal(svcIPs.length, 13);
  t.notOk(svcIPs.some((ip) => ['10.96.0.0', '10.96.0.1', '10.96.0.10', '10.96.0.15'].includes(ip)), 'reserved addresses skipped');
  const podIPs = podsOf(r).map((p) => p.podIP);
  t.equal(new Set(podIPs).size, 11, 'no duplicate pod IP');
  t.notOk(podIPs.filter((ip) => ip === '10.244.0.8').length, 'an explicit slice address is not given to a pod');
});

t.test('a full CIDR is a warning, not an error', async (t) => {
  let yaml = '';
  for (let i = 0; i < 5; i++) yaml += `---\napiVersion: v1\nkind: Pod\nmetadata: { name: p${i} }\nspec: { containers: [] }\n`;
  const r = synth(yaml, { podCIDR: '10.244.0.0/30' });
  t.equal(podsOf(r).filter((p) => p.podIP).length, 1, '/30 minus network, gateway and broadcast');
  t.match(r.warnings.join('\n'), /4 pod\(s\) got no IP.*pod CIDR.*is full/);
});
