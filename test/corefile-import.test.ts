// import and snippets as CoreDNS reads them: snippets `(name) { ... }`, files and one-`*` globs relative to the
// importing file, imports at the top level (whole server blocks) and inside blocks, {$VAR} in imported text, errors
// naming the imported file and its line, loops refused. The CLI then serves what the imports describe.
import t from 'tap';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCorefile } from '../lib/corefile/parse.js';
import { corefileToConfig } from '../lib/corefile/to-config.js';
import { startCli, stopCli } from './helpers/cli.js';
import { corefileDir, WEB } from './helpers/corefile-run.js';
import { dig, digMissing, digSection } from './helpers/dig.js';

const parse = (file: string, text: string, env: Record<string, string> = {}) => parseCorefile(text, { file, env });

t.test('snippets, file imports and globs expand where they are written', async (t) => {
  const c = corefileDir(t);
  mkdirSync(join(c.dir, 'conf.d'));
  writeFileSync(join(c.dir, 'conf.d', 'b.server'), 'b.test:53 {\n  import common\n}\n');
  writeFileSync(join(c.dir, 'conf.d', 'a.server'), 'a.test:53 {\n  forward . {$UPSTREAM}\n}\n');
  writeFileSync(join(c.dir, 'conf.d', 'ignored.txt'), 'not { imported\n');
  writeFileSync(join(c.dir, 'k8s.conf'), 'kubernetes cluster.local {\n  ttl 12\n}\n');
  const blocks = parse(c.corefile, `
(common) {
  errors
  log
}
cluster.local:53 {
  import common
  import k8s.conf
}
import conf.d/*.server
`, { UPSTREAM: '192.0.2.1' });
  t.same(blocks.map((b) => b.keys), [['cluster.local:53'], ['a.test:53'], ['b.test:53']], 'glob matches in name order; other files left out');
  t.same(blocks[0]!.directives.map((d) => [d.name, d.file, d.line]), [
    ['errors', c.corefile, 3], ['log', c.corefile, 4], ['kubernetes', join(c.dir, 'k8s.conf'), 1],
  ], 'each directive knows the file and line it came from');
  t.same(blocks[1]!.directives[0]!.args, ['.', '192.0.2.1'], '{$VAR} in an imported file');
  const { config } = corefileToConfig(blocks, { file: c.corefile });
  t.equal(config.ttl, 12);
  t.same(parse(c.corefile, 'cluster.local {\n kubernetes\n import nothing/*.conf\n}\n')[0]!.directives.map((d) => d.name), ['kubernetes'], 'a glob that matches nothing imports nothing');
});

t.test('errors name the file and line they are in; loops and depth are refused', async (t) => {
  const c = corefileDir(t);
  writeFileSync(join(c.dir, 'bad.conf'), 'kubernetes cluster.local {\n  ttl lots\n}\n');
  t.throws(() => corefileToConfig(parse(c.corefile, '.:53 {\n  import bad.conf\n}\n'), { file: c.corefile }), { message: `${join(c.dir, 'bad.conf')} line 2: ttl: "lots" is not a whole number of seconds from 0 to 3600` });
  writeFileSync(join(c.dir, 'self.conf'), 'errors\nimport self.conf\n');
  t.throws(() => parse(c.corefile, '.:53 {\n  import self.conf\n}\n'), { message: `${join(c.dir, 'self.conf')} line 2: import loop: ${join(c.dir, 'self.conf')} -> ${join(c.dir, 'self.conf')}` });
  writeFileSync(join(c.dir, 'ping.conf'), 'import pong.conf\n');
  writeFileSync(join(c.dir, 'pong.conf'), 'import ping.conf\n');
  t.throws(() => parse(c.corefile, '.:53 {\n  import ping.conf\n}\n'), /pong\.conf line 1: import loop: .*ping\.conf -> .*pong\.conf -> .*ping\.conf$/);
  t.throws(() => parse(c.corefile, '(a) {\n import b\n}\n(b) {\n import a\n}\n.:53 {\n import a\n}\n'), /line 5: import loop: snippet \(a\) -> snippet \(b\) -> snippet \(a\)$/);
  const chain = Array.from({ length: 12 }, (_, i) => `(s${i}) {\n import s${i + 1}\n}\n`).join('') + '(s12) {\n errors\n}\n';
  t.throws(() => parse(c.corefile, `${chain}.:53 {\n import s0\n}\n`), /imports nest more than 10 deep$/);
  t.throws(() => parse(c.corefile, '.:53 {\n import a b\n}\n'), /line 2: import takes one argument/);
  t.throws(() => parse(c.corefile, '.:53 {\n import */*.conf\n}\n'), /line 2: import \*\/\*\.conf: a pattern may hold one "\*", in the file name only$/);
  t.throws(() => parse(c.corefile, '(x) {\n errors\n}\n(x) {\n log\n}\n'), /line 4: snippet \(x\) is defined twice$/);
  t.throws(() => parse(c.corefile, '.:53 {\n import missing.conf\n}\n'), new RegExp(`line 2: import missing.conf: no snippet by that name and no file ${join(c.dir, 'missing.conf')}$`));
});

t.test('the CLI serves a Corefile built from imports', { skip: digMissing }, async (t) => {
  const c = corefileDir(t);
  writeFileSync(join(c.dir, 'cluster.server'), 'cluster.local:53 {\n  import k8s\n}\n');
  c.write('(k8s) {\n  kubernetes {\n    ttl 17\n  }\n}\nimport *.server\n');
  const srv = await startCli(['--corefile', c.corefile, '--listen', '127.0.0.1:0', '--admin', 'off', '--fixtures', c.fixtures]);
  t.teardown(() => stopCli(srv.proc, 'SIGKILL'));
  t.strictSame(digSection(await dig({ host: srv.host, port: srv.port }, [WEB.fqdn, 'A']), 'ANSWER'), [`${WEB.fqdn} 17 IN A ${WEB.ip}`]);
});
