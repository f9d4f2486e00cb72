// `clusterdns records --external-zone ZONE` lists every Ingress host under ZONE with what a query for it answers.
import t from 'tap';
import { runCli } from './helpers/cli.js';
import { INGRESS_FIXTURE, lbAddressOf, manifest, statusOf } from './helpers/ingress.js';

t.test('records lists Ingress hosts of the external zones', async (t) => {
  const r = await runCli(['records', '--fixtures', INGRESS_FIXTURE, '--external-zone', 'dev.test']);
  t.equal(r.code, 0, r.stderr);
  const lines = r.stdout.split('\n').filter((l) => /\.dev\.test\.\s/.test(l)).map((l) => l.split(/\s+/));
  const controller = lbAddressOf('ingress-nginx', 'ingress-nginx-controller');
  const owners = [...new Set(lines.map((l) => l[0]))];
  t.strictSame(owners, ['*.dev.test.', 'blog.dev.test.', 'pay.dev.test.', 'shop.dev.test.'], 'hosts (rules, TLS, wildcard) of dev.test only, sorted');
  t.strictSame(lines.filter((l) => l[0] === 'shop.dev.test.').map((l) => l[4]), controller);
  t.strictSame(lines.filter((l) => l[0] === 'blog.dev.test.').map((l) => l[4]), statusOf(manifest('Ingress', 'blog')));
  t.notMatch(r.stdout, /apps\.test/, 'other zones are not listed');
});
