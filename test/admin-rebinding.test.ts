// DNS rebinding against the loopback admin API: a page on rebind.example whose name now points at 127.0.0.1 is
// same-origin with what it asks (Origin and Host both rebind.example), so CORS and the Origin check let it read the
// query journal and add faults when no token is set (the loopback default). A loopback listener answers only
// requests that name a loopback host. Requests are sent with the Host header a rebound browser would send.
import t from 'tap';
import http from 'node:http';
import { ROOT, startCli, stopCli } from './helpers/cli.js';
import { join } from 'node:path';

function ask(port: number, method: string, path: string, host: string, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers: { host, ...(body ? { 'content-type': 'text/plain', origin: `http://${host}` } : {}) } }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

t.test('a loopback admin listener answers loopback names only', async (t) => {
  const srv = await startCli(['--fixtures', join(ROOT, 'fixtures', 'myapp.yaml'), '--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0']);
  t.teardown(() => stopCli(srv.proc, 'SIGKILL'));
  const port = Number(/admin http:\/\/127\.0\.0\.1:(\d+)/.exec(srv.line)![1]);
  const fault = JSON.stringify({ name: '*', fault: 'servfail' });

  const read = await ask(port, 'GET', '/api/v1/queries', `rebind.example:${port}`);
  t.equal(read.status, 403, 'reading the journal by a rebound name: 403');
  t.match(read.text, /DNS rebinding/, 'saying why');
  t.equal((await ask(port, 'POST', '/api/v1/faults', `rebind.example:${port}`, fault)).status, 403, 'adding a fault by a rebound name: 403');
  t.equal((await ask(port, 'GET', '/', `rebind.example:${port}`)).status, 403, 'the console page too');

  for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `app.localhost:${port}`, `127.0.0.2:${port}`]) {
    t.equal((await ask(port, 'GET', '/api/v1/queries', host)).status, 200, `Host ${host}: answered`);
  }
  const listed = await (await fetch(`http://127.0.0.1:${port}/api/v1/faults`)).json() as { faults: unknown[] };
  t.same(listed.faults, [], 'no fault was added');
});

t.test('an admin listener beyond loopback is guarded by its token, whatever the Host', async (t) => {
  const token = 'rebinding-test-token-0123456789';
  const srv = await startCli(['--fixtures', join(ROOT, 'fixtures', 'myapp.yaml'), '--listen', '127.0.0.1:0', '--admin', '0.0.0.0:0', '--admin-token', token]);
  t.teardown(() => stopCli(srv.proc, 'SIGKILL'));
  const port = Number(/admin http:\/\/[^:]+:(\d+)/.exec(srv.line)![1]);
  t.equal((await ask(port, 'GET', '/health', `dns.internal.example:${port}`)).status, 200, 'a probe by any name is answered');
  t.equal((await ask(port, 'GET', '/api/v1/queries', `dns.internal.example:${port}`)).status, 401, 'the API asks for the token, not for a loopback name');
});
