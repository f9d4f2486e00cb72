// docker-compose.yml is validated by the real compose client (no engine needed for `config`), and both it and the
// Dockerfile are read for the properties users rely on: fixtures at /fixtures, the client resolving via clusterdns,
// production-only non-root runtime, HEALTHCHECK by `clusterdns health`.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { startClusterDns } from '../lib/in-process.js';

const run = promisify(execFile);
const hasDig = spawnSync('dig', ['-v']).status === 0;

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** `docker compose` (v2 plugin) or the standalone `docker-compose`, whichever is installed. */
function composeCommand(): string[] | null {
  if (spawnSync('docker', ['compose', 'version']).status === 0) return ['docker', 'compose'];
  if (spawnSync('docker-compose', ['version']).status === 0) return ['docker-compose'];
  return null;
}

const compose = composeCommand();
t.test('compose config -q accepts docker-compose.yml', {
  skip: compose ? false : 'neither `docker compose` nor `docker-compose` is installed (apt-get install docker-compose)',
}, async (t) => {
  const cmd = compose!;
  const r = spawnSync(cmd[0], [...cmd.slice(1), '-f', join(root, 'docker-compose.yml'), 'config', '-q'], { cwd: root, encoding: 'utf8' });
  t.equal(r.status, 0, `${cmd.join(' ')} config -q: ${r.stderr}`);
  // The resolved form keeps the client's resolver pointing at clusterdns.
  const full = spawnSync(cmd[0], [...cmd.slice(1), '-f', join(root, 'docker-compose.yml'), 'config'], { cwd: root, encoding: 'utf8' });
  const resolved = parse(full.stdout);
  t.same(resolved.services.client.dns, [resolved.services.clusterdns.networks.dnsnet.ipv4_address]);
});

t.test('docker-compose.yml: clusterdns serves ./fixtures at /fixtures, the client resolves through it', async (t) => {
  const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'));
  const dns = compose.services.clusterdns;
  const client = compose.services.client;
  t.ok(dns.volumes.includes('./fixtures:/fixtures:ro'));
  const args: string[] = dns.command;
  t.equal(args[args.indexOf('--fixtures') + 1], '/fixtures');
  t.equal(args[args.indexOf('--listen') + 1], '0.0.0.0:53');
  t.equal(dns.read_only, true);
  t.same(dns.cap_drop, ['ALL']);
  const ip = dns.networks.dnsnet.ipv4_address;
  t.same(client.dns, [ip]);
  t.equal(client.environment.CLUSTERDNS, ip);
  t.same(client.dns_search, ['default.svc.cluster.local', 'svc.cluster.local', 'cluster.local']);
  t.same(client.depends_on, { clusterdns: { condition: 'service_healthy' } });
  const subnet: string = compose.networks.dnsnet.ipam.config[0].subnet;
  t.ok(ip.startsWith(subnet.split('.').slice(0, 3).join('.') + '.'), `${ip} is inside ${subnet}`);
});

t.test('the compose client script resolves the bundled fixtures through a real clusterdns', {
  skip: hasDig ? false : 'dig is not installed (apt-get install dnsutils)',
}, async (t) => {
  const dns = await startClusterDns({ fixtures: [join(root, 'fixtures')], listen: '127.0.0.1:0' });
  t.teardown(() => dns.close());
  // The script runs in a child process, so this process's event loop stays free to answer it.
  const { stdout } = await run('sh', [join(root, 'deploy/compose/resolve.sh')], {
    env: { ...process.env, CLUSTERDNS: '127.0.0.1', CLUSTERDNS_PORT: String(dns.port), SKIP_CONTAINER_RESOLVER: '1' },
  });
  t.match(stdout, /dns-version\.cluster\.local\.\s+\d+\s+IN\s+TXT\s+"1\.1\.0"/);
  t.match(stdout, /cluster\.local\.\s+\d+\s+IN\s+SOA\s+ns\.dns\.cluster\.local\./);
  t.match(stdout, /myapp\.default\.svc\.cluster\.local\.\s+\d+\s+IN\s+A\s+10\.96\.120\.15/);
  t.equal(stdout.match(/myapp-headless\.default\.svc\.cluster\.local\.\s+\d+\s+IN\s+A\s/g)?.length, 3);
  t.notMatch(stdout, /status: (SERVFAIL|REFUSED|NXDOMAIN)/);
});

t.test('Dockerfile: multi-stage, production deps, non-root, clusterdns health check, node dist/server/main.js', async (t) => {
  const text = readFileSync(join(root, 'Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const stages: string[][] = [];
  for (const l of lines) {
    if (/^FROM\s/i.test(l)) stages.push([]);
    if (stages.length > 0) stages.at(-1)!.push(l);
  }
  t.ok(stages.length >= 2, 'at least a build and a runtime stage');
  const build = stages[0].join('\n');
  const runtime = stages.at(-1)!.join('\n');
  t.match(build, /npm ci --ignore-scripts/);
  t.match(build, /RUN npx tsc -p tsconfig\.json/);
  t.match(text, /npm prune --omit=dev/, 'production dependencies only');
  t.notMatch(runtime, /^RUN .*npm/m, 'the runtime stage runs no npm (and needs no registry settings)');
  t.notMatch(runtime, /^ARG NPM_CONFIG/m, 'registry settings stay in the build stages');
  t.match(runtime, /COPY --from=build \/app\/dist \.\/dist/);
  t.notMatch(runtime, /COPY (lib|server|test)\b/, 'no sources in the runtime stage');
  t.match(runtime, /^COPY fixtures \/fixtures$/m, 'bundled fixtures where the default command serves from');
  const user = /^USER\s+(\S+)/m.exec(runtime);
  t.ok(user && !['root', '0'].includes(user[1]), 'runs as a non-root user');
  t.match(runtime, /^EXPOSE .*53\/udp.*53\/tcp/m);
  t.match(runtime, /^HEALTHCHECK .*CMD \["node", "\/app\/dist\/server\/main\.js", "health"\]/m);
  t.match(runtime, /^ENTRYPOINT \["node", "\/app\/dist\/server\/main\.js"\]/m);
  t.match(runtime, /^CMD \["--fixtures", "\/fixtures", "--listen", "0\.0\.0\.0:53"\]/m);
  const ignore = readFileSync(join(root, '.dockerignore'), 'utf8').split('\n');
  for (const p of ['node_modules', 'dist', '.git', 'test']) t.ok(ignore.includes(p), `.dockerignore has ${p}`);
});
