// Shutdown as Kubernetes does it: SIGTERM, /health and /ready fail for the lame-duck period while DNS keeps
// answering, then the process exits 0.
import t from 'tap';
import { promises as dnsp } from 'node:dns';
import { startCli } from './helpers/cli.js';

t.test('SIGTERM with --lameduck', async (t) => {
  const srv = await startCli(['--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--lameduck', '2']);
  const admin = /admin http:\/\/(\S+)/.exec(srv.line)![1];
  t.equal((await fetch(`http://${admin}/health`)).status, 200);
  const exited = new Promise<number | null>((r) => srv.proc.on('exit', (code) => r(code)));
  const sentAt = Date.now();
  srv.proc.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 300));
  const h = await fetch(`http://${admin}/health`);
  t.equal(h.status, 503, '/health fails during lame duck');
  const ready = await fetch(`http://${admin}/ready`);
  t.equal(ready.status, 503);
  t.equal(await ready.text(), 'Shutting down');
  const r = new dnsp.Resolver();
  r.setServers([`127.0.0.1:${srv.port}`]);
  t.same(await r.resolve4('myapp.default.svc.cluster.local'), ['10.96.120.15'], 'DNS still answers');
  t.equal(await exited, 0, 'exits cleanly');
  t.ok(Date.now() - sentAt >= 1900, 'after the lame-duck period');
});

t.test('SIGINT without lame duck exits at once', async (t) => {
  const srv = await startCli(['--listen', '127.0.0.1:0', '--admin', 'off']);
  const exited = new Promise<number | null>((r) => srv.proc.on('exit', (code) => r(code)));
  srv.proc.kill('SIGINT');
  t.equal(await exited, 0);
});
