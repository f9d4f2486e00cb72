// The bundled fixtures as `npm start` serves them (the start script's own flags, on a free port): every external
// hostname answers with the address synthesis gives its object; AAAA is NODATA (the addresses are IPv4), unknown
// names NXDOMAIN, the apex has SOA and NS; SRV for the annotation host's named port; PTR back to every name of an
// address, sorted, without shadowing the cluster's reverse names; /api/v1/resolve, explain and /api/v1/records
// name the object and rule, and the replies match the OpenAPI document.
import t from 'tap';
import { isIPv4 } from 'node:net';
import { dig, digFlags, digMissing, digSection, digStatus } from './helpers/dig.js';
import { startCli, stopCli } from './helpers/cli.js';
import { expectedHosts, startScriptFlags, synthesised } from './helpers/extnames.js';
import { checkReply, operation, type Doc } from './helpers/openapi.js';

const flags = startScriptFlags();
const zone = flags[flags.indexOf('--external-zone') + 1]!;
const objects = synthesised();
const hosts = expectedHosts(objects, zone);

t.test('npm start serves the bundled external names', { skip: digMissing }, async (t) => {
  t.ok(flags.includes('--external-zone'), 'the start script serves an external zone');
  t.ok(['Ingress', 'HTTPRoute', 'Service'].every((k) => hosts.some((h) => h.kind === k)), 'the bundled app has Ingress, HTTPRoute and annotation hosts');
  const srv = await startCli([...flags, '--listen', '127.0.0.1:0']);
  t.teardown(() => stopCli(srv.proc));
  const admin = /admin (http:\/\/\S+)/.exec(srv.line)![1]!.replace(/[,;]$/, '');

  for (const h of hosts) {
    t.ok(h.addresses.length > 0 && h.addresses.every((a) => isIPv4(a)), `${h.host}: synthesis gave an IPv4 address`);
    const a = await dig(srv, ['A', h.host]);
    t.equal(digStatus(a), 'NOERROR', `${h.host} A`);
    t.ok(digFlags(a).includes('aa'), `${h.host}: authoritative`);
    t.same(digSection(a, 'ANSWER').map((l) => l.split(' ')[4]), [...h.addresses].sort(), `${h.host} answers its ${h.kind}'s address`);
    const aaaa = await dig(srv, ['AAAA', h.host]);
    t.equal(digStatus(aaaa), 'NOERROR', `${h.host} AAAA: NODATA, not NXDOMAIN`);
    t.same(digSection(aaaa, 'ANSWER'), [], `${h.host} AAAA: no records`);
    t.match(digSection(aaaa, 'AUTHORITY')[0], new RegExp(`^${zone}\\. \\d+ IN SOA `), 'the zone SOA in the negative answer');
  }
  const wildcard = objects.find((o) => o.kind === 'Ingress' && o.hosts.some((x) => x.startsWith(`*.`) && x.endsWith(zone)));
  if (wildcard && wildcard.kind === 'Ingress') {
    const w = wildcard.hosts.find((x) => x.startsWith('*.'))!;
    const a = await dig(srv, ['A', `pr-42.${w.slice(2)}`]);
    t.same(digSection(a, 'ANSWER').map((l) => l.split(' ')[4]), hosts.find((h) => h.key === `${wildcard.namespace}/${wildcard.name}`)!.addresses, `pr-42.${w.slice(2)} answers through ${w}`);
  }
  t.equal(digStatus(await dig(srv, ['A', `nope.${zone}`])), 'NXDOMAIN', 'a name nothing lists: NXDOMAIN');
  t.equal(digSection(await dig(srv, ['SOA', zone]), 'ANSWER').length, 1, 'SOA at the apex');
  t.equal(digSection(await dig(srv, ['NS', zone]), 'ANSWER').length, 1, 'NS at the apex');

  // SRV: the annotated LoadBalancer Service's named ports.
  const annotated = objects.find((o) => o.kind === 'Service' && o.hostnames?.some((x) => x.endsWith(zone)));
  t.ok(annotated && annotated.kind === 'Service', 'the bundled app has an annotated LoadBalancer Service');
  if (annotated && annotated.kind === 'Service') {
    const host = annotated.hostnames![0]!;
    for (const p of annotated.ports.filter((x) => x.name !== '')) {
      const out = await dig(srv, ['SRV', `_${p.name}._${p.protocol.toLowerCase()}.${host}`]);
      t.same(digSection(out, 'ANSWER').map((l) => l.split(' ').slice(4).join(' ')), [`0 100 ${p.port} ${host}.`], `_${p.name}._${p.protocol.toLowerCase()}.${host} SRV`);
      t.same(digSection(out, 'ADDITIONAL').filter((l) => / A /.test(l)).map((l) => l.split(' ')[4]), annotated.external, 'its address in the additional section');
    }
    t.equal(digStatus(await dig(srv, ['SRV', `_nope._tcp.${host}`])), 'NXDOMAIN', 'a port it lacks: NXDOMAIN');
  }

  // PTR: every exact host of an address, sorted; the cluster's own reverse names untouched.
  const byIP = new Map<string, string[]>();
  for (const h of hosts) if (!h.host.startsWith('*.')) for (const a of h.addresses) byIP.set(a, [...new Set([...(byIP.get(a) ?? []), h.host])]);
  for (const [ip, names] of byIP) {
    const out = await dig(srv, ['-x', ip]);
    t.equal(digStatus(out), 'NOERROR', `-x ${ip}`);
    const got = out.split('\n').filter((l) => /\tPTR\t/.test(l)).map((l) => l.trim().split(/\s+/)[4]);
    t.same(got, [...names].sort().map((n) => `${n}.`), `-x ${ip}: every name of the address, sorted`);
  }
  const clusterIP = objects.find((o) => o.kind === 'Service' && o.namespace === 'default' && o.name === 'myapp');
  if (clusterIP && clusterIP.kind === 'Service') {
    const out = await dig(srv, ['-x', clusterIP.clusterIPs[0]!]);
    t.same(digSection(out, 'ANSWER').map((l) => l.split(' ')[4]), ['myapp.default.svc.cluster.local.'], 'a cluster IP keeps its cluster PTR');
  }

  // Provenance.
  const doc = await (await fetch(`${admin}/openapi.json`)).json() as Doc;
  const resolveOp = operation(doc, 'GET', '/api/v1/resolve');
  for (const h of hosts) {
    const res = await fetch(`${admin}/api/v1/resolve?name=${h.host}`);
    const body = await res.json() as { answer: { source?: string; rule?: string }[]; note?: string };
    t.same(checkReply(resolveOp, res.status, body), [], `${h.host}: the reply matches the OpenAPI schema`);
    t.equal(body.note, undefined, `${h.host}: no "outside the zones" note`);
    const kindKey = h.kind === 'Service' ? `Service ${h.key} annotation external-dns.alpha.kubernetes.io/hostname` : `${h.kind} ${h.key} spec.`;
    t.ok(body.answer.length > 0 && body.answer.every((r) => r.source === `${h.kind}/${h.key}` && r.rule?.includes(kindKey) && r.rule.includes('synthesised from --lb-range')), `${h.host}: source and rule name ${kindKey}… and the synthesised address`);
  }
  const first = objects.find((o) => o.kind === 'Ingress' && o.namespace === 'shop' && o.name === 'shop-dev');
  if (first && first.kind === 'Ingress') {
    const body = await (await fetch(`${admin}/api/v1/resolve?name=${first.hosts[0]}`)).json() as { answer: { rule: string }[] };
    t.match(body.answer[0]!.rule, `Ingress shop/shop-dev spec.rules[0].host`, 'the rule names the field');
    const w = await (await fetch(`${admin}/api/v1/resolve?name=pr-42.shop.${zone}`)).json() as { answer: { rule: string }[] };
    t.match(w.answer[0]!.rule, `wildcard *.shop.${zone}: Ingress shop/shop-dev`, 'a wildcard match says so');
  }
  const route = hosts.find((h) => h.kind === 'HTTPRoute')!;
  const r = await (await fetch(`${admin}/api/v1/resolve?name=${route.host}`)).json() as { answer: { rule: string }[] };
  t.match(r.answer[0]!.rule, / via Gateway \S+ status\.addresses/, 'a route names its parent Gateway');
  const ip = [...byIP.keys()][0]!;
  const ptr = await (await fetch(`${admin}/api/v1/resolve?name=${ip.split('.').reverse().join('.')}.in-addr.arpa&type=PTR`)).json() as { answer: { rule: string }[] };
  t.ok(ptr.answer.length > 0 && ptr.answer.every((x) => x.rule.startsWith('reverse of an address')), 'PTRs say where they come from');
  const ex = await (await fetch(`${admin}/api/v1/explain?name=${route.host}`)).json() as { answer: { rule: string }[] };
  t.match(ex.answer[0]!.rule, / via Gateway /, 'explain gives the same rule');

  const recRes = await fetch(`${admin}/api/v1/records`);
  const rec = await recRes.json() as { records: { name: string; type: string; rule?: string }[] };
  t.same(checkReply(operation(doc, 'GET', '/api/v1/records'), recRes.status, rec), [], '/api/v1/records matches the OpenAPI schema');
  for (const h of hosts) t.ok(rec.records.some((x) => x.name === `${h.host}.` && x.type === 'A' && x.rule), `/api/v1/records lists ${h.host} with its rule`);
  t.ok(rec.records.some((x) => x.type === 'PTR' && x.rule?.startsWith('reverse of')), '/api/v1/records lists the external PTRs');
  const names = rec.records.map((x) => x.name.split('.').reverse().join('.'));
  t.ok(names.every((n, i) => i === 0 || names[i - 1]! <= n), 'the listing stays in zone-file order');

  // An Ingress applied while running joins its controller address's PTR set; an EndpointSlice-only apply changes nothing.
  const shop = hosts.find((h) => h.kind === 'Ingress')!;
  const ptrOf = async (ip: string) => (await dig(srv, ['-x', ip])).split('\n').filter((l) => /\tPTR\t/.test(l)).map((l) => l.trim().split(/\s+/)[4]);
  const before = await ptrOf(shop.addresses[0]!);
  const applied = await fetch(`${admin}/api/v1/objects`, { method: 'POST', headers: { 'content-type': 'application/yaml' }, body: `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: { name: late, namespace: shop }
spec: { ingressClassName: nginx, rules: [ { host: aaa-late.${zone} } ] }
` });
  t.equal(applied.status, 200, 'the Ingress is applied');
  t.same(await ptrOf(shop.addresses[0]!), [`aaa-late.${zone}.`, ...before], 'the applied host joins the PTR set, in order');
  const slice = await fetch(`${admin}/api/v1/objects`, { method: 'POST', headers: { 'content-type': 'application/yaml' }, body: `apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: extra-abc, namespace: shop, labels: { kubernetes.io/service-name: extra } }
addressType: IPv4
endpoints: [ { addresses: [10.244.99.99] } ]
` });
  t.equal(slice.status, 200, 'an EndpointSlice is applied');
  t.same(await ptrOf(shop.addresses[0]!), [`aaa-late.${zone}.`, ...before], 'the PTR set is unchanged by it');
});
