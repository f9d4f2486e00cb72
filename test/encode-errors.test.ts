// Data that cannot be put on the wire gets SERVFAIL, never silence.
import t from 'tap';
import { startClusterDns } from '../lib/index.js';
import { query } from './helpers/dns-client.js';

t.test('an ExternalName with a label over 63 bytes', async (t) => {
  const dns = await startClusterDns({ objects: [
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'ext' }, spec: { type: 'ExternalName', externalName: `${'x'.repeat(70)}.example.com` } },
  ] });
  t.teardown(() => dns.close());
  const r = await query(dns.port, 'ext.default.svc.cluster.local', 'CNAME');
  t.equal(r.rcode, 'SERVFAIL');
  const again = await query(dns.port, 'default.svc.cluster.local', 'A');
  t.equal(again.rcode, 'NOERROR', 'the server carries on');
});
