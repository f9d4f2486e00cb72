import t from 'tap';
import { ManifestError } from '../lib/cluster/objects.js';
import { SourcedManifestError } from '../lib/synth/index.js';
import { podOf, podsOf, synth } from './helpers/synth.js';

const S = '[bcdfghjklmnpqrstvwxz2456789]';

const deployment = (name: string, replicas: number, image = 'nginx', extra = '') => `
apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name}${extra} }
spec:
  replicas: ${replicas}
  selector: { matchLabels: { app: ${name} } }
  template:
    metadata: { labels: { app: ${name}, tier: front } }
    spec: { containers: [ { name: c, image: ${image}, ports: [ { name: http, containerPort: 8080 } ] } ] }
`;

t.test('Deployment: <name>-<pod-template-hash>-<suffix> pods with the template labels', async (t) => {
  const r = synth(deployment('shop', 3));
  const pods = podsOf(r);
  t.equal(pods.length, 3);
  const hash = pods[0].labels['pod-template-hash'];
  t.match(hash, new RegExp(`^${S}{6,10}$`), 'hash in the suffix alphabet');
  for (const p of pods) {
    t.match(p.name, new RegExp(`^shop-${hash}-${S}{5}$`));
    t.same(p.labels, { app: 'shop', tier: 'front', 'pod-template-hash': hash });
    t.same(p.containerPorts, [{ name: 'http', containerPort: 8080, protocol: 'TCP' }]);
    t.equal(p.phase, 'Running');
    t.equal(p.ready, true);
    t.equal(p.nodeName, 'kind-control-plane');
    t.match(p.podIP, /^10\.244\.\d+\.\d+$/);
  }
  t.equal(new Set(pods.map((p) => p.name)).size, 3);
  const changed = podsOf(synth(deployment('shop', 3, 'nginx:1.27')));
  t.not(changed[0].labels['pod-template-hash'], hash, 'a new template is a new ReplicaSet');
  t.same(podsOf(synth(deployment('shop', 3))).map((p) => p.name), pods.map((p) => p.name), 'names are deterministic');
  t.equal(podsOf(synth(deployment('shop', 0))).length, 0, 'replicas: 0');
});

t.test('Deployment without replicas runs one pod; missing namespace means opts.namespace', async (t) => {
  const yaml = deployment('one', 1).replace('  replicas: 1\n', '');
  t.equal(podsOf(synth(yaml)).length, 1);
  const r = synth(yaml, { namespace: 'team-a' });
  t.equal(podsOf(r)[0].namespace, 'team-a');
  const inNs = synth(deployment('one', 1, 'nginx', ', namespace: prod'), { namespace: 'team-a' });
  t.equal(podsOf(inNs)[0].namespace, 'prod', 'metadata.namespace wins over the default');
});

t.test('ReplicaSet and ReplicationController: <name>-<suffix>', async (t) => {
  const r = synth(`
apiVersion: apps/v1
kind: ReplicaSet
metadata: { name: front }
spec:
  replicas: 2
  selector: { matchExpressions: [ { key: app, operator: In, values: [front] } ] }
  template:
    metadata: { labels: { app: front } }
    spec: { containers: [ { name: c, image: x } ] }
---
apiVersion: v1
kind: ReplicationController
metadata: { name: legacy }
spec:
  replicas: 2
  selector: { app: legacy }
  template:
    metadata: { labels: { app: legacy } }
    spec: { containers: [ { name: c, image: x } ] }
`);
  const names = podsOf(r).map((p) => p.name);
  t.equal(names.filter((n) => new RegExp(`^front-${S}{5}$`).test(n)).length, 2);
  t.equal(names.filter((n) => new RegExp(`^legacy-${S}{5}$`).test(n)).length, 2);
  t.same(podsOf(r).find((p) => p.name.startsWith('front'))!.labels, { app: 'front' });
});

t.test('StatefulSet: ordinal names, hostname = pod name, subdomain = serviceName, controller labels', async (t) => {
  const r = synth(`
apiVersion: apps/v1
kind: StatefulSet
metadata: { name: db }
spec:
  serviceName: db-hl
  replicas: 2
  ordinals: { start: 5 }
  selector: { matchLabels: { app: db } }
  template:
    metadata: { labels: { app: db } }
    spec: { hostname: ignored, containers: [ { name: pg, image: postgres } ] }
---
apiVersion: v1
kind: Service
metadata: { name: db-hl }
spec: { clusterIP: None, selector: { app: db } }
`);
  t.same(podsOf(r).map((p) => p.name), ['db-5', 'db-6']);
  const p = podOf(r, 'db-5');
  t.equal(p.hostname, 'db-5');
  t.equal(p.subdomain, 'db-hl');
  t.equal(p.labels['statefulset.kubernetes.io/pod-name'], 'db-5');
  t.equal(p.labels['apps.kubernetes.io/pod-index'], '5');
  t.match(p.labels['controller-revision-hash'], new RegExp(`^db-${S}+$`));
  t.same(r.warnings, []);
});

t.test('StatefulSet whose serviceName names no Service is warned about', async (t) => {
  const r = synth(`
apiVersion: apps/v1
kind: StatefulSet
metadata: { name: db }
spec:
  serviceName: nowhere
  selector: { matchLabels: { app: db } }
  template: { metadata: { labels: { app: db } }, spec: { containers: [ { name: pg, image: postgres } ] } }
`);
  t.equal(podsOf(r).length, 1);
  t.match(r.warnings.join('\n'), /serviceName "nowhere" is not a Service/);
});

t.test('DaemonSet: one pod per node', async (t) => {
  const yaml = `
apiVersion: apps/v1
kind: DaemonSet
metadata: { name: agent, namespace: kube-system }
spec:
  selector: { matchLabels: { app: agent } }
  template: { metadata: { labels: { app: agent } }, spec: { containers: [ { name: a, image: x } ] } }
`;
  t.same(podsOf(synth(yaml)).map((p) => p.nodeName), ['kind-control-plane'], 'default: one node');
  const r = synth(yaml, { nodes: 3 });
  const pods = podsOf(r, 'kube-system');
  t.same(pods.map((p) => p.nodeName).sort(), ['kind-control-plane', 'kind-worker', 'kind-worker2']);
  for (const p of pods) {
    t.match(p.name, new RegExp(`^agent-${S}{5}$`));
    t.equal(p.labels['pod-template-generation'], '1');
  }
  t.equal(new Set(pods.map((p) => p.podIP)).size, 3);
});

t.test('Job: min(parallelism, remaining completions) pods; Indexed jobs get index hostnames', async (t) => {
  const job = (spec: string, status = '') => `
apiVersion: batch/v1
kind: Job
metadata: { name: migrate }
spec:
  ${spec}
  template: { metadata: { labels: { app: migrate } }, spec: { restartPolicy: Never, containers: [ { name: m, image: x } ] } }
${status}`;
  t.equal(podsOf(synth(job('completions: 5'))).length, 1, 'parallelism defaults to 1');
  t.equal(podsOf(synth(job('parallelism: 3'))).length, 3);
  t.equal(podsOf(synth(job('parallelism: 4\n  completions: 2'))).length, 2);
  t.equal(podsOf(synth(job('parallelism: 4\n  completions: 5', 'status: { succeeded: 4 }'))).length, 1);
  t.equal(podsOf(synth(job('suspend: true'))).length, 0, 'suspended');
  t.equal(podsOf(synth(job('parallelism: 2', 'status: { conditions: [ { type: Complete, status: "True" } ] }'))).length, 0, 'finished');
  const plain = podsOf(synth(job('parallelism: 2')));
  for (const p of plain) {
    t.match(p.name, new RegExp(`^migrate-${S}{5}$`));
    t.equal(p.labels['job-name'], 'migrate');
    t.equal(p.labels['batch.kubernetes.io/job-name'], 'migrate');
    t.match(p.labels['controller-uid'], /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  }
  const indexed = podsOf(synth(job('parallelism: 2\n  completions: 2\n  completionMode: Indexed')));
  t.same(indexed.map((p) => p.hostname).sort(), ['migrate-0', 'migrate-1']);
  for (const p of indexed) t.match(p.name, new RegExp(`^${p.hostname}-${S}{5}$`));
});

t.test('CronJob creates no pods until it runs, and is not an error', async (t) => {
  const r = synth(`
apiVersion: batch/v1
kind: CronJob
metadata: { name: nightly }
spec:
  schedule: "0 3 * * *"
  jobTemplate: { spec: { template: { spec: { restartPolicy: Never, containers: [ { name: n, image: x } ] } } } }
`);
  t.same(r.objects, []);
  t.same(r.skipped, []);
});

t.test('bare Pods get an IP; kinds DNS does not use are skipped', async (t) => {
  const r = synth(`
apiVersion: v1
kind: Pod
metadata: { name: solo, labels: { app: solo } }
spec: { hostname: solo, containers: [ { name: c, image: x } ] }
---
apiVersion: v1
kind: ConfigMap
metadata: { name: settings }
data: { a: b }
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: edge }
---
`);
  t.match(podOf(r, 'solo').podIP, /^10\.244\./);
  t.same(podOf(r, 'solo').podIPs, [podOf(r, 'solo').podIP]);
  t.same(r.skipped, [{ kind: 'ConfigMap', name: 'settings', file: 'test.yaml' }, { kind: 'NetworkPolicy', name: 'edge', file: 'test.yaml' }]); // (an Ingress is a DNS object now)
});

t.test('malformed workloads throw a ManifestError naming the object and its source', async (t) => {
  const bad = (yaml: string, msg: RegExp) => {
    try {
      synth(yaml);
      t.fail('no error');
    } catch (e) {
      t.type(e, ManifestError);
      t.type(e, SourcedManifestError);
      t.match((e as Error).message, msg);
      t.equal((e as SourcedManifestError).file, 'test.yaml');
      t.equal((e as SourcedManifestError).line, 2, 'the line the document starts on');
    }
  };
  bad('---\napiVersion: apps/v1\nkind: Deployment\nmetadata: { name: web }\nspec: { replicas: 1 }\n', /Deployment "web": spec.template is missing/);
  bad('---\napiVersion: apps/v1\nkind: Deployment\nmetadata: { name: web }\nspec: { replicas: -1, template: {} }\n', /Deployment "web": spec.replicas must be a non-negative integer/);
  bad('---\napiVersion: apps/v1\nkind: StatefulSet\nmetadata: { labels: {} }\nspec: { template: {} }\n', /StatefulSet: metadata.name is missing/);
  bad('---\napiVersion: apps/v1\nkind: Deployment\nmetadata: { name: web }\nspec:\n  selector: { matchLabels: { app: a } }\n  template: { metadata: { labels: { app: b } } }\n',
    /Deployment "web": spec.selector does not match/);
  bad('---\napiVersion: v1\nkind: Service\nspec: {}\n', /Service: metadata is missing/);
  bad('---\n- just\n- a list\n', /not a Kubernetes object/);
});
