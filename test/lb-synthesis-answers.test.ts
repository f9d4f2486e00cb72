// LoadBalancer addresses synthesised offline, as a user sees them: the real CLI on a fixture, a Corefile serving
// k8s_external, dig. Expected addresses come from the library's own synthesis of the same fixture (never typed
// here); the test checks range, uniqueness, the explicit status kept, and stability across a fixture edit.
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { startCli, stopCli, runCli } from './helpers/cli.js';
import { dig, digMissing, digSection, digStatus } from './helpers/dig.js';
import { synthesizeCluster } from '../lib/synth/index.js';
import { defaultConfig } from '../lib/config.js';
import { offsetIn, parseCidr } from '../lib/synth/cidr.js';
import type { Service } from '../lib/cluster/model.js';

const dir = mkdtempSync(join(tmpdir(), 'lb-synth-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const ZONE = 'lb.test';
const RANGE = '192.168.77.0/28';

const svc = (ns: string, name: string, status?: string) => `apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: ${ns}}
spec: {type: LoadBalancer, selector: {app: ${name}}, ports: [{port: 80}]}
${status ? `status: {loadBalancer: {ingress: [{ip: ${status}}]}}` : ''}`;

const first = [svc('shop', 'web'), svc('shop', 'api'), svc('ops', 'grafana', '203.0.113.9')].join('\n---\n');
const more = [first, svc('shop', 'cart'), svc('blog', 'front'), svc('blog', 'admin')].join('\n---\n');

/** What the synthesis library gives each LoadBalancer Service of `yaml`, with the test's range. */
function expected(yaml: string, extra: Partial<ReturnType<typeof defaultConfig>['synthesis']>): Map<string, string[]> {
  const manifests = yaml.split('\n---\n').map((d) => ({ raw: parse(d) as unknown }));
  const { objects } = synthesizeCluster(manifests, { ...defaultConfig().synthesis, ...extra, namespace: 'default' });
  const out = new Map<string, string[]>();
  for (const o of objects) if (o.kind === 'Service' && o.type === 'LoadBalancer') out.set(`${o.name}.${o.namespace}`, (o as Service).external ?? []);
  return out;
}

function corefile(): string {
  const p = join(dir, `Corefile.${Math.random().toString(36).slice(2)}`);
  writeFileSync(p, `. {\n  kubernetes cluster.local\n  k8s_external ${ZONE}\n}\n`);
  return p;
}

async function answers(port: number, names: Iterable<string>): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const n of names) {
    const a = await dig({ host: '127.0.0.1', port }, [`${n}.${ZONE}`, 'A']);
    out.set(n, digSection(a, 'ANSWER').map((l) => l.split(/\s+/)[4]!));
  }
  return out;
}

t.test('--lb-range: one address each, in the range, the explicit status kept, stable across a fixture edit', { skip: digMissing }, async (t) => {
  const fixture = join(dir, 'lb.yaml');
  writeFileSync(fixture, first);
  const srv = await startCli(['--corefile', corefile(), '--fixtures', fixture, '--lb-range', RANGE, '--listen', '127.0.0.1:0', '--admin', 'off']);
  t.teardown(() => stopCli(srv.proc));
  const want1 = expected(first, { lbCIDR: RANGE });
  const got1 = await answers(srv.port, want1.keys());
  t.strictSame(got1, want1, 'dig answers what synthesis gives');
  t.strictSame(got1.get('grafana.ops'), ['203.0.113.9'], 'a status of its own is kept');
  const cidr = parseCidr(RANGE);
  const synthesised = [...got1].filter(([k]) => k !== 'grafana.ops').map(([, v]) => v[0]!);
  t.ok(synthesised.every((ip) => offsetIn(cidr, ip) !== undefined), 'in the range');
  t.equal(new Set(synthesised).size, synthesised.length, 'distinct');

  writeFileSync(fixture, more);
  const want2 = expected(more, { lbCIDR: RANGE });
  let got2 = new Map<string, string[]>();
  for (let i = 0; i < 50; i++) { // the watcher picks the edit up within a few seconds
    got2 = await answers(srv.port, want2.keys());
    if ((got2.get('admin.blog') ?? []).length > 0) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  t.strictSame(got2, want2, 'after the edit: what synthesis gives');
  for (const [k, v] of got1) t.strictSame(got2.get(k), v, `${k} kept its address`);
});

t.test('--lb-address: every LoadBalancer without a status answers that one address', { skip: digMissing }, async (t) => {
  const fixture = join(dir, 'one.yaml');
  writeFileSync(fixture, first);
  const srv = await startCli(['--corefile', corefile(), '--fixtures', fixture, '--lb-address', '127.0.0.1', '--listen', '127.0.0.1:0', '--admin', 'off']);
  t.teardown(() => stopCli(srv.proc));
  const got = await answers(srv.port, ['web.shop', 'api.shop', 'grafana.ops']);
  t.strictSame(got.get('web.shop'), ['127.0.0.1']);
  t.strictSame(got.get('api.shop'), ['127.0.0.1']);
  t.strictSame(got.get('grafana.ops'), ['203.0.113.9']);
  const none = await dig({ host: '127.0.0.1', port: srv.port }, [`nope.shop.${ZONE}`, 'A']);
  t.equal(digStatus(none), 'NXDOMAIN');
});

t.test('bad --lb-range and --lb-address are usage errors naming the flag', async (t) => {
  for (const [args, re] of [
    [['--lb-range', '10.0.0.0/33'], /--lb-range/],
    [['--lb-range', 'fd00::/64'], /--lb-range .*IPv4/],
    [['--lb-range', '10.0.0.0/31'], /--lb-range .*too small/],
    [['--lb-address', 'localhost'], /--lb-address/],
    [['--lb-address', '127.0.0.1', '--lb-range', '10.0.0.0/24'], /exclude each other/],
  ] as const) {
    const r = await runCli([...args, '--listen', '127.0.0.1:0', '--admin', 'off']);
    t.equal(r.code, 2, args.join(' '));
    t.match(r.stderr, re);
  }
});
