// /metrics after real DNS queries: CoreDNS's names, labels and buckets, so CoreDNS dashboards work unchanged.
import t from 'tap';
import { promises as dnsp } from 'node:dns';
import { startClusterDns } from '../lib/index.js';
import { query } from './helpers/dns-client.js';

t.test('scraping /metrics after queries', async (t) => {
  const dns = await startClusterDns({ admin: '127.0.0.1:0', objects: [
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'm' }, spec: { clusterIP: '10.96.0.40', ports: [{ port: 80 }] } },
  ] });
  t.teardown(() => dns.close());
  const r = new dnsp.Resolver();
  r.setServers([dns.address]);
  await r.resolve4('m.default.svc.cluster.local');
  await r.resolve4('m.default.svc.cluster.local');
  await t.rejects(r.resolve4('missing.default.svc.cluster.local'));
  await query(dns.port, 'm.default.svc.cluster.local', 'SRV', { tcp: true, edns: 1232, do: true });
  await query(dns.port, 'example.org', 'MX');

  const text = await (await fetch(`http://${dns.adminAddress}/metrics`)).text();
  const server = `server="dns://${dns.address}",zone=".",view=""`;
  t.match(text, `coredns_dns_requests_total{${server},proto="udp",family="1",type="A"} 3`);
  t.match(text, `coredns_dns_requests_total{${server},proto="tcp",family="1",type="SRV"} 1`);
  t.match(text, `coredns_dns_requests_total{${server},proto="udp",family="1",type="MX"} 1`);
  t.match(text, `coredns_dns_responses_total{${server},rcode="NOERROR",plugin="kubernetes"} 3`);
  t.match(text, `coredns_dns_responses_total{${server},rcode="NXDOMAIN",plugin="kubernetes"} 1`);
  t.match(text, `coredns_dns_responses_total{${server},rcode="REFUSED",plugin=""} 1`, 'replies the server wrote itself have an empty plugin');
  t.match(text, `coredns_dns_do_requests_total{${server}} 1`);
  t.match(text, '# TYPE coredns_dns_request_duration_seconds histogram');
  t.match(text, `coredns_dns_request_duration_seconds_bucket{${server},le="0.00025"}`);
  t.match(text, `coredns_dns_request_duration_seconds_bucket{${server},le="4.096"}`, '16 buckets from 0.25 ms doubling');
  t.match(text, `coredns_dns_request_duration_seconds_count{${server}} 5`);
  t.match(text, `coredns_dns_request_size_bytes_bucket{${server},proto="udp",le="511"}`);
  t.match(text, `coredns_dns_response_size_bytes_bucket{${server},proto="tcp",le="64000"} 1`);
  // goversion carries the runtime that serves: whichever Node line the suite runs on.
  t.match(text, new RegExp(`coredns_build_info\\{version="\\d+\\.\\d+\\.\\d+",revision="clusterdns",goversion="${process.version.replace(/\./g, '\\.')}"\\} 1`));
  t.match(text, 'coredns_panics_total 0');
  t.match(text, '# TYPE coredns_kubernetes_dns_programming_duration_seconds histogram');
  t.match(text, `coredns_plugin_enabled{server="dns://${dns.address}",zone=".",view="",name="kubernetes"} 1`);
  t.match(text, 'clusterdns_objects{kind="Service"} 1');
  t.match(text, 'process_resident_memory_bytes');
  t.match(text, 'nodejs_eventloop_lag_seconds');
});
