// The answer cache is keyed by the question's bytes; the same question with and without EDNS, with the DO bit
// and with another size limit must each get its own reply, in whatever order they come, over and over.
import t from 'tap';
import dnsPacket from 'dns-packet';
import { startClusterDns } from '../lib/index.js';
import { buildQuery, udpExchange, tcpExchange, type Decoded } from './helpers/dns-client.js';

// 40 ready endpoints: ~660 bytes of A records, over 512 (no EDNS) and under 1232 (EDNS).
const ips = Array.from({ length: 40 }, (_, i) => `10.244.9.${i + 1}`);
const manifests = [
  { apiVersion: 'v1', kind: 'Service', metadata: { name: 'big', namespace: 'default' }, spec: { clusterIP: 'None', ports: [{ name: 'http', port: 80 }] } },
  {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'big-1', namespace: 'default', labels: { 'kubernetes.io/service-name': 'big' } },
    addressType: 'IPv4', ports: [{ name: 'http', port: 80, protocol: 'TCP' }], endpoints: ips.map((ip) => ({ addresses: [ip], conditions: { ready: true } })),
  },
];

t.test('one question, four variants, asked in turn', async (t) => {
  const dns = await startClusterDns({ objects: manifests, fixtures: [] });
  t.teardown(() => dns.close());
  const name = 'big.default.svc.cluster.local';
  const ask = async (opts: { edns?: number; do?: boolean }) => dnsPacket.decode(await udpExchange(dns.port, buildQuery(name, 'A', opts))) as Decoded;
  const opt = (r: Decoded) => (r.additionals ?? []).find((a) => a.type === 'OPT') as { udpPayloadSize?: number; flags?: number } | undefined;
  for (let round = 0; round < 3; round++) {
    const plain = await ask({});
    t.equal(plain.flag_tc, true, `round ${round}: no EDNS, 512 bytes: truncated`);
    t.notOk(opt(plain), 'no OPT without EDNS');
    const edns = await ask({ edns: 1232 });
    t.equal(edns.flag_tc, false, 'EDNS 1232: whole');
    t.equal(edns.answers?.length, 40);
    t.equal(opt(edns)?.flags ?? 0, 0, 'DO clear');
    const withDo = await ask({ edns: 1232, do: true });
    t.equal(withDo.answers?.length, 40);
    t.equal((opt(withDo)?.flags ?? 0) & dnsPacket.DNSSEC_OK, dnsPacket.DNSSEC_OK, 'DO echoed');
    const small = await ask({ edns: 600 });
    t.equal(small.flag_tc, true, 'EDNS 600: truncated');
    t.ok(opt(small), 'OPT present');
  }
  const [tcp] = await tcpExchange(dns.port, [buildQuery(name, 'A')]);
  t.equal((dnsPacket.decode(tcp) as Decoded).answers?.length, 40, 'TCP: everything');
});
