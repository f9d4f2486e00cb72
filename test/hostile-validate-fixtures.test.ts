// Objects the API server would refuse, in fixture files beside good ones: the real CLI starts, names each refused
// object with its file and line, counts it, and every good name answers through dig and raw sockets, including
// the PTR of a pod that a refused Service also selects. Edits that break or fix an object follow.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { Prober } from '../bench/probe.js';
import { startCli, stopCli } from './helpers/cli.js';
import { dig, digMissing, digSection, digStatus } from './helpers/dig.js';
import { query } from './helpers/dns-client.js';
import { waitFor } from './live-helpers.js';

const LONG = `s${'x'.repeat(63)}`; // 64 characters
const GOOD = `
apiVersion: v1
kind: Service
metadata: { name: web, namespace: default }
spec: { clusterIP: 10.96.1.10, ports: [ { name: http, port: 80 } ] }
---
apiVersion: v1
kind: Pod
metadata: { name: db-0, namespace: default, labels: { app: db } }
spec: { hostname: db-0, subdomain: db, containers: [ { name: c, image: x } ] }
status: { podIP: 10.244.1.5 }
---
apiVersion: v1
kind: Service
metadata: { name: db, namespace: default }
spec: { clusterIP: None, selector: { app: db }, ports: [ { name: sql, port: 5432 } ] }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: api, namespace: default }
spec:
  replicas: 2
  selector: { matchLabels: { app: api } }
  template:
    metadata: { labels: { app: api } }
    spec: { containers: [ { name: c, image: x, ports: [ { name: http, containerPort: 8080 } ] } ] }
---
apiVersion: v1
kind: Service
metadata: { name: api, namespace: default }
spec: { selector: { app: api }, ports: [ { name: http, port: 80, targetPort: http } ] }
`;

/** Each refused object, with a word its warning must carry. */
const BAD: { kind: string; name: string; why: RegExp; doc: string }[] = [
  { kind: 'Service', name: LONG, why: /must be no more than 63 characters/, doc: `apiVersion: v1\nkind: Service\nmetadata: { name: ${LONG}, namespace: default }\nspec: { clusterIP: None, selector: { app: db } }\n` },
  { kind: 'Service', name: 'dotted.name', why: /DNS-1035/, doc: 'apiVersion: v1\nkind: Service\nmetadata: { name: dotted.name }\nspec: { clusterIP: 10.96.1.20 }\n' },
  { kind: 'Service', name: 'spaced name', why: /DNS-1035/, doc: 'apiVersion: v1\nkind: Service\nmetadata: { name: "spaced name" }\nspec: { clusterIP: 10.96.1.21 }\n' },
  { kind: 'Service', name: 'bad-ip', why: /spec\.clusterIP: Invalid value: "abc"/, doc: 'apiVersion: v1\nkind: Service\nmetadata: { name: bad-ip }\nspec: { clusterIP: abc }\n' },
  { kind: 'Service', name: 'bad-port', why: /spec\.ports\[0\]\.port: Invalid value: 70000/, doc: 'apiVersion: v1\nkind: Service\nmetadata: { name: bad-port }\nspec: { clusterIP: 10.96.1.22, ports: [ { name: http, port: 70000 } ] }\n' },
  { kind: 'Service', name: 'long-ext', why: /spec\.externalName/, doc: `apiVersion: v1\nkind: Service\nmetadata: { name: long-ext }\nspec: { type: ExternalName, externalName: ${'a'.repeat(60)}.${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(60)}.${'e'.repeat(55)}.com }\n` },
  { kind: 'Service', name: 'bad-portname', why: /spec\.ports\[0\]\.name/, doc: 'apiVersion: v1\nkind: Service\nmetadata: { name: bad-portname }\nspec: { clusterIP: 10.96.1.23, ports: [ { name: Not_A_Port_Name, port: 80 } ] }\n' },
  { kind: 'StatefulSet', name: `st${'x'.repeat(60)}`, why: /hostname/, doc: `apiVersion: apps/v1\nkind: StatefulSet\nmetadata: { name: st${'x'.repeat(60)} }\nspec:\n  replicas: 3\n  serviceName: db\n  selector: { matchLabels: { app: st } }\n  template:\n    metadata: { labels: { app: st } }\n    spec: { containers: [ { name: c, image: x } ] }\n` },
  { kind: 'EndpointSlice', name: 'bad-slice', why: /endpoints\[0\]\.hostname/, doc: 'apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: { name: bad-slice, labels: { kubernetes.io/service-name: web } }\naddressType: IPv4\nendpoints: [ { addresses: [ 10.244.1.9 ], hostname: Not.A.Label } ]\n' },
  { kind: 'Pod', name: 'bad-pod', why: /status\.podIP/, doc: 'apiVersion: v1\nkind: Pod\nmetadata: { name: bad-pod, labels: { app: db } }\nspec: { containers: [ { name: c, image: x } ] }\nstatus: { podIP: 10.244.1.300 }\n' },
  { kind: 'Namespace', name: 'Bad_NS', why: /RFC 1123 label/, doc: 'apiVersion: v1\nkind: Namespace\nmetadata: { name: Bad_NS }\n' },
];
const AFTER = 'apiVersion: v1\nkind: Service\nmetadata: { name: after-bad }\nspec: { clusterIP: 10.96.1.30 }\n';

/** The file text and the line each document's first field is on (where the warning must point). */
function badFile(): { text: string; lines: number[] } {
  let text = '# objects the API server would refuse, and one good one after them\n';
  const lines: number[] = [];
  for (const b of [...BAD.map((x) => x.doc), AFTER]) {
    text += '---\n';
    lines.push(text.split('\n').length);
    text += b;
  }
  return { text, lines };
}

t.test('refused objects in fixture files: skipped with file and line, everything else answers', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hostile-validate-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'good.yaml'), GOOD);
  const bad = badFile();
  const badPath = join(dir, 'bad.yaml');
  writeFileSync(badPath, bad.text);

  const cli = await startCli(['--fixtures', dir, '--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--log-level', 'warn']);
  t.teardown(() => stopCli(cli.proc));
  const admin = /admin http:\/\/(\S+)/.exec(cli.line)![1];
  const server = { host: cli.host, port: cli.port };

  await waitFor('every refusal logged', () => cli.stderr().split('\n').filter((l) => l.includes('API server would refuse')).length >= BAD.length, 5000);
  const warnings = cli.stderr().split('\n').filter((l) => l.includes('API server would refuse')).map((l) => JSON.parse(l));
  t.equal(warnings.length, BAD.length, 'one warning per refused object, no more');
  BAD.forEach((b, i) => {
    const w = warnings.find((x) => x.name === b.name && x.kind === b.kind);
    t.ok(w, `${b.kind} ${b.name.slice(0, 20)} is named`);
    if (!w) return;
    t.equal(w.file, badPath, 'with its file');
    t.equal(w.line, bad.lines[i], 'and its line');
    t.match(w.msg, b.why, 'and what to fix');
    t.match(w.msg, `${badPath}:${bad.lines[i]}`, 'file:line in the message itself');
  });

  const status = await (await fetch(`http://${admin}/api/v1/status`)).json();
  t.equal(status.fixtures.rejectedCount, BAD.length, '/api/v1/status counts them');
  t.equal(status.fixtures.failedReloads, 0, 'not a failed load: the rest was taken');
  const metrics = await (await fetch(`http://${admin}/metrics`)).text();
  t.match(metrics, /clusterdns_objects_rejected_total\{source="fixtures",kind="Service"\} 7/, 'the metric counts them by kind');

  // Good names answer, over raw UDP and TCP...
  const web = await query(cli.port, 'web.default.svc.cluster.local', 'A');
  t.equal(web.rcode, 'NOERROR');
  t.same(web.answers?.map((a) => a.data), ['10.96.1.10']);
  t.equal((await query(cli.port, 'after-bad.default.svc.cluster.local', 'A', { tcp: true })).answers?.[0]?.data, '10.96.1.30', 'an object after the refused ones in the same file serves');
  t.equal((await query(cli.port, 'api.default.svc.cluster.local', 'SRV')).rcode, 'NOERROR', 'synthesised workloads serve');
  t.equal((await query(cli.port, 'db-0.db.default.svc.cluster.local', 'A')).answers?.[0]?.data, '10.244.1.5');
  // ...the refused ones do not exist...
  t.equal((await query(cli.port, 'bad-ip.default.svc.cluster.local', 'A')).rcode, 'NXDOMAIN');
  t.equal((await query(cli.port, 'bad-port.default.svc.cluster.local', 'SRV')).rcode, 'NXDOMAIN');
  t.equal((await query(cli.port, 'long-ext.default.svc.cluster.local', 'CNAME')).rcode, 'NXDOMAIN');
  // ...and the pod both the good and the 64-character headless Service select keeps its PTR.
  const ptr = await query(cli.port, '5.1.244.10.in-addr.arpa', 'PTR');
  t.equal(ptr.rcode, 'NOERROR', 'the PTR is not SERVFAIL');
  t.same(ptr.answers?.map((a) => a.data), ['db-0.db.default.svc.cluster.local']);

  if (digMissing) {
    t.comment(`dig part skipped: ${digMissing}`);
  } else {
    const out = await dig(server, ['-x', '10.244.1.5']);
    t.equal(digStatus(out), 'NOERROR', 'dig -x agrees');
    t.same(digSection(out, 'ANSWER').map((l) => l.split(' ').pop()), ['db-0.db.default.svc.cluster.local.']);
    const w = await dig(server, ['web.default.svc.cluster.local']);
    t.equal(digStatus(w), 'NOERROR');
    t.same(digSection(w, 'ANSWER').map((l) => l.split(' ').pop()), ['10.96.1.10']);
  }

  t.test('fixing the file serves the object; breaking a good one drops only it', async (t) => {
    // A probe every millisecond on a good name, across the edit: it must never stop answering.
    const probe = new Prober(cli.port, 'web.default.svc.cluster.local');
    t.teardown(() => probe.stop());
    probe.start(1);
    const from = performance.now();
    const fixed = bad.text.replace('clusterIP: abc', 'clusterIP: 10.96.1.40').replace('name: after-bad }\nspec: { clusterIP: 10.96.1.30', 'name: after-bad }\nspec: { clusterIP: 10.96.1.300');
    writeFileSync(badPath, fixed);
    await waitFor('bad-ip answers', async () => (await query(cli.port, 'bad-ip.default.svc.cluster.local', 'A')).rcode === 'NOERROR', 10_000, 50);
    t.equal((await query(cli.port, 'bad-ip.default.svc.cluster.local', 'A')).answers?.[0]?.data, '10.96.1.40');
    t.equal((await query(cli.port, 'after-bad.default.svc.cluster.local', 'A')).rcode, 'NXDOMAIN', 'the newly broken one is skipped');
    t.equal((await query(cli.port, 'web.default.svc.cluster.local', 'A')).answers?.[0]?.data, '10.96.1.10', 'the other file is untouched');
    await new Promise((r) => setTimeout(r, 100));
    const to = performance.now();
    probe.stop();
    const w = probe.worst(from, to);
    t.comment(`probe across the edit: longest gap ${w.maxGapMs.toFixed(1)} ms, worst latency ${w.maxMs.toFixed(1)} ms, ${w.answered} answered`);
    t.ok(w.maxGapMs < 1000, 'no gap in answers over 1 s');
    const replies = probe.replies.filter((r) => r.sentAt >= from);
    t.ok(replies.length > 0 && replies.every((r) => r.rcode === 'NOERROR' && r.address === '10.96.1.10'), 'every probe got the good answer');
    const st = await (await fetch(`http://${admin}/api/v1/status`)).json();
    t.equal(st.fixtures.rejectedCount, BAD.length, 'one fixed, one broken');
    t.ok(st.fixtures.rejected.some((r: any) => r.name === 'after-bad' && /10\.96\.1\.300/.test(r.message)), 'status names the new one');
    t.notOk(st.fixtures.rejected.some((r: any) => r.name === 'bad-ip'), 'and no longer the fixed one');
    t.equal(cli.proc.exitCode, null, 'the process lives');
  });
});
