// A pod CIDR too small for the pods: the pods that fit are served, the rest are counted in /api/v1/status and a
// metric (not only a log line); fixing the file clears both. A single workload larger than the CIDR is refused.
import t from 'tap';
import path from 'node:path';
import { deployment, metricValue, serveFolder, statefulSet, writeAtomically } from './helpers/hostile-fixtures.js';
import { until } from './helpers/until.js';

// A /28 has 16 addresses; the network address, the gateway (.1) and the broadcast address are never given out.
const CIDR = ['--pod-cidr', '10.77.0.0/28'];
const USABLE = 13;
const resolve = async (admin: string, name: string) => (await fetch(`${admin}/api/v1/resolve?name=${name}&type=A`)).json();

t.test('more pods than the pod CIDR holds: status and metric show it, the rest is served', async (t) => {
  const s = await serveFolder(t, { 'web.yaml': statefulSet('web', 10), 'api.yaml': deployment('api', 8) }, CIDR);
  const st = await s.status();
  const short = 10 + 8 - USABLE;
  t.match(st.fixtures.cidrExhausted, {
    podsWithoutIP: short, servicesWithoutIP: 0, podCIDR: ['10.77.0.0/28'],
    message: new RegExp(`${short} pod\\(s\\) got no IP: the pod CIDR 10\\.77\\.0\\.0/28.* is full \\(use a larger --pod-cidr\\)`),
  }, 'status names the shortfall and the fix');
  t.equal(st.ready, true, 'still ready: what fits is served');
  const m = await s.metrics();
  t.equal(metricValue(m, 'clusterdns_unaddressed_objects{kind="Pod"}'), short, 'the gauge counts the pods without an IP');
  t.equal(metricValue(m, 'clusterdns_unaddressed_objects{kind="Service"}'), 0);
  t.match(s.stderr(), /pod\(s\) got no IP/, 'and the log says so');
  const headless = await resolve(s.admin, 'web.default.svc.cluster.local');
  t.equal(headless.rcode, 'NOERROR', 'the pods that got an address are served');
  t.ok(headless.answer.length > 0 && headless.answer.length <= 10);

  // Shrinking the workloads to fit clears it.
  writeAtomically(path.join(s.dir, 'api.yaml'), deployment('api', 2));
  const fixed = await until(s.status, (x: any) => x.fixtures.cidrExhausted === null, 10_000);
  t.equal(fixed.fixtures.cidrExhausted, null, 'cleared once everything fits');
  t.equal(metricValue(await s.metrics(), 'clusterdns_unaddressed_objects{kind="Pod"}'), 0);
  const all = await resolve(s.admin, 'web.default.svc.cluster.local');
  t.equal(all.answer.length, 10, 'every web pod answers');
});

t.test('one workload larger than the pod CIDR: refused with the fix', async (t) => {
  const s = await serveFolder(t, { 'web.yaml': statefulSet('web', 3) }, CIDR);
  const r = await s.apply(deployment('big', 20));
  t.equal(r.status, 422);
  t.match(r.body.message, /<request>:1: Deployment default\/big: 20 pods are more than the pod CIDR 10\.77\.0\.0\/28 has addresses \(13\); lower spec\.replicas or use a larger --pod-cidr/);
  t.equal((await s.status()).fixtures.cidrExhausted, null, 'nothing was applied');
});
