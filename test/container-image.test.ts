// The image built from the Dockerfile and run as users run it (podman here: no Docker engine on these machines):
// DNS over UDP and TCP and the admin routes from outside the container, non-root, read-only root filesystem, no
// capabilities, a fixture edited in the mounted folder served, SIGTERM's lame duck then exit 0, and the HEALTHCHECK
// following the configuration. Needs root, podman, debootstrap (.ci/run installs them) and a Node 24 binary.
import t from 'tap';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, runCli } from './helpers/cli.js';
import { query } from './helpers/dns-client.js';
import { until } from './helpers/until.js';
import { KubePlay, mockService } from './helpers/podman-kube.js';
import { ComposeRun, composeMissing, freePort } from './helpers/podman-compose.js';
import { BASE_TAG, podman, podmanMissing, podmanOk, PodmanSession, ULIMITS } from './helpers/podman.js';

const README_NAMES = ['myapp.default.svc.cluster.local', 'myapp-headless.default.svc.cluster.local', 'web-0.web-headless.default.svc.cluster.local'];
const TOKEN = 'container-test-token-0123456789';

// The suite's per-file timeout is 120 s; building the image takes ~1 to 3.5 min on a busy 2-core machine.
t.setTimeout(600_000);

if (podmanMissing) {
  t.comment(`container image not built: ${podmanMissing}`);
} else {
  const s = new PodmanSession();
  const started = Date.now();
  t.teardown(async () => {
    await s.cleanup();
    t.comment(`container test: ${((Date.now() - started) / 1000).toFixed(0)} s in all`);
  });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'clusterdns-container-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));

  /** The A records the CLI on this machine gives for `name` from the bundled fixtures: what the image must answer. */
  const expected = new Map<string, string[]>();
  const aRecords = async (port: number, name: string, tcp = false) => {
    const r = await query(port, name, 'A', { tcp }).catch(() => null);
    return r ? (r.answers ?? []).filter((a) => a.type === 'A').map((a) => String(a.data)).sort() : null;
  };
  const answered = (port: number, name: string) => until(() => aRecords(port, name), (v) => v !== null && v.length > 0, 30_000);

  t.before(async () => {
    const records = await runCli(['records', '--fixtures', path.join(ROOT, 'fixtures')]);
    for (const n of README_NAMES) {
      expected.set(n, records.stdout.split('\n').filter((l) => l.startsWith(`${n}.\t`) && /\tA\t/.test(l)).map((l) => l.split('\t').at(-1)!).sort());
    }
  });

  t.test('the Dockerfile builds on a Node 24 base; the runtime stage ships only what runs', async (t) => {
    const b = await s.build();
    t.comment(`base image ${b.baseCached ? 'cached' : `built in ${b.baseSeconds.toFixed(0)} s`}; clusterdns image built in ${b.buildSeconds.toFixed(0)} s`);
    const size = Number((await podmanOk(['image', 'inspect', '--format', '{{.Size}}', s.image])).trim());
    const base = Number((await podmanOk(['image', 'inspect', '--format', '{{.Size}}', BASE_TAG])).trim());
    const added = size - base;
    t.comment(`image size ${(size / 1e6).toFixed(0)} MB: base ${(base / 1e6).toFixed(0)} MB + clusterdns ${(added / 1e6).toFixed(1)} MB`);
    t.ok(added > 0 && added < 100e6, `the runtime stage adds ${(added / 1e6).toFixed(1)} MB (production deps without types, maps or sources)`);
    const history = await podmanOk(['image', 'history', '--no-trunc', '--format', '{{.CreatedBy}}', s.image]);
    const inspect = await podmanOk(['image', 'inspect', s.image]);
    for (const leak of ['NPM_CONFIG', 'npm-ca', 'cafile', 'registry']) {
      t.notMatch(history + inspect, leak, `the build's npm settings (${leak}) are not in the shipped image`);
    }
    const hc = JSON.parse(inspect)[0].Config.Healthcheck;
    t.same(hc?.Test ?? JSON.parse(inspect)[0].Healthcheck?.Test, ['CMD', 'node', '/app/dist/server/main.js', 'health'], 'HEALTHCHECK kept (docker format)');
    const files = await podman(['run', '--rm', ...ULIMITS, '--entrypoint', 'sh', s.image, '-c', 'test -e /run/secrets/npm-ca && echo SECRET; ls -m /app; find /app/node_modules -name "*.d.ts" -o -name "*.map" | head -1; node -v; id -u']);
    t.equal(files.code, 0, files.stderr);
    t.notMatch(files.stdout, /SECRET/, 'no npm CA secret in the image');
    t.match(files.stdout, /^dist, fixtures, node_modules, package\.json$/m, 'no sources, no dev files in /app');
    t.notMatch(files.stdout, /\.d\.ts$|\.map$/m, 'no type declarations or source maps in node_modules');
    t.match(files.stdout, /^v24\./m, 'Node 24');
    t.match(files.stdout, /^1000$/m, 'runs as uid 1000');
  });

  t.test('a first run with no mount answers the README names over UDP and TCP; non-root, read-only, no capabilities; healthy', async (t) => {
    const c = s.name('first');
    await s.run(c, ['-p', '127.0.0.1::53/udp', '-p', '127.0.0.1::53/tcp']);
    const udp = await s.hostPort(c, '53/udp');
    const tcp = await s.hostPort(c, '53/tcp');
    const first = await answered(udp, README_NAMES[0]);
    t.ok(first && first.length > 0, `answers on 127.0.0.1:${udp}/udp`);
    for (const n of README_NAMES) {
      t.same(await aRecords(udp, n), expected.get(n), `${n} over UDP`);
      t.same(await aRecords(tcp, n, true), expected.get(n), `${n} over TCP`);
    }
    const status = await podmanOk(['exec', c, 'sh', '-c', 'id -u; grep -E "^Cap(Prm|Eff|Bnd|Amb)" /proc/1/status; touch /app/x 2>&1; touch /tmp/x 2>&1 || true']);
    t.match(status, /^1000$/m, 'uid 1000');
    for (const cap of ['CapPrm', 'CapEff', 'CapBnd', 'CapAmb']) t.match(status, new RegExp(`^${cap}:\\s+0+$`, 'm'), `${cap} empty`);
    t.match(status, /Read-only file system/, 'the root filesystem is read-only');
    const hc = await podman(['healthcheck', 'run', c]);
    t.equal(hc.code, 0, `HEALTHCHECK passes with the default admin 127.0.0.1:8053 (${hc.stdout}${hc.stderr})`);
    const why = await podmanOk(['exec', c, 'node', '/app/dist/server/main.js', 'health']);
    t.match(why, /healthy: admin http:\/\/127\.0\.0\.1:8053\/health: 200/);
  });

  t.test('mounted fixtures and a non-default admin: /health /ready /metrics from outside, an edit served, SIGTERM lame duck then exit 0', async (t) => {
    const fixtures = path.join(dir, 'fixtures');
    cpSync(path.join(ROOT, 'fixtures'), fixtures, { recursive: true });
    const c = s.name('mounted');
    await s.run(c, ['-v', `${fixtures}:/fixtures:ro`, '-p', '127.0.0.1::53/udp', '-p', '127.0.0.1::9053/tcp', '-e', `CLUSTERDNS_ADMIN_TOKEN=${TOKEN}`],
      ['--fixtures', '/fixtures', '--listen', '0.0.0.0:53', '--admin', '0.0.0.0:9053', '--lameduck', '3']);
    const udp = await s.hostPort(c, '53/udp');
    const admin = `http://127.0.0.1:${await s.hostPort(c, '9053/tcp')}`;
    t.same(await answered(udp, README_NAMES[0]), expected.get(README_NAMES[0]));
    const get = async (p: string) => { try { const r = await fetch(admin + p, { signal: AbortSignal.timeout(3000) }); return { status: r.status, body: await r.text() }; } catch { return { status: 0, body: '' }; } };
    t.equal((await until(() => get('/health'), (r) => r.status === 200, 20_000)).status, 200, '/health from outside');
    t.equal((await get('/ready')).status, 200, '/ready from outside');
    const metrics = await get('/metrics');
    t.match(metrics.body, /coredns_dns_requests_total\{[^}]*proto="udp"/, '/metrics from outside counts the queries');
    const hc = await podman(['healthcheck', 'run', c]);
    t.equal(hc.code, 0, `HEALTHCHECK passes with --admin 0.0.0.0:9053 (${hc.stderr})`);

    writeFileSync(path.join(fixtures, 'added.yaml'), 'apiVersion: v1\nkind: Service\nmetadata:\n  name: added\n  namespace: default\nspec:\n  clusterIP: 10.96.77.7\n  ports:\n    - port: 80\n');
    t.same(await answered(udp, 'added.default.svc.cluster.local'), ['10.96.77.7'], 'a Service written into the mounted folder is served');

    await podmanOk(['kill', '--signal', 'TERM', c]);
    const lame = await until(() => get('/health'), (r) => r.status === 503, 5000);
    t.equal(lame.status, 503, 'lame duck: /health fails');
    t.same(await aRecords(udp, README_NAMES[0]), expected.get(README_NAMES[0]), 'lame duck: DNS still answers');
    const unhealthy = await podman(['healthcheck', 'run', c]);
    t.not(unhealthy.code, 0, 'lame duck: the HEALTHCHECK fails');
    const exit = await podmanOk(['wait', c], 30_000);
    t.equal(exit.trim(), '0', 'exit 0 after the lame duck');
  });

  t.test('the HEALTHCHECK follows --admin off with a health listener, and --admin off alone (DNS)', async (t) => {
    const cases: [string, string[], RegExp][] = [
      ['health', ['--fixtures', '/fixtures', '--listen', '0.0.0.0:53', '--admin', 'off', '--health', ':8080'], /healthy: health http:\/\/127\.0\.0\.1:8080\/health: 200/],
      ['noadmin', ['--fixtures', '/fixtures', '--listen', '0.0.0.0:53', '--admin', 'off'], /healthy: dns 127\.0\.0\.1:53 SOA cluster\.local\.: NOERROR/],
      ['corefile', ['--corefile', '/fixtures/Corefile', '--fixtures', '/fixtures'], /healthy: health http:\/\/127\.0\.0\.1:8091\/health: 200/],
    ];
    const cdir = path.join(dir, 'corefile');
    cpSync(path.join(ROOT, 'fixtures'), cdir, { recursive: true });
    writeFileSync(path.join(cdir, 'Corefile'), '.:5353 {\n  health :8091\n  kubernetes cluster.local\n}\n');
    const names = cases.map(([what]) => s.name(what));
    await Promise.all(cases.map(([what, cmd], i) => s.run(names[i], what === 'corefile' ? ['-v', `${cdir}:/fixtures:ro`] : [], cmd)));
    for (const [i, [what, , pattern]] of cases.entries()) {
      const r = await until(() => podman(['exec', names[i], 'node', '/app/dist/server/main.js', 'health']), (x) => x.code === 0, 20_000);
      t.match(r.stdout, pattern, `${what}: ${r.stdout}${r.stderr}`);
      const hc = await podman(['healthcheck', 'run', names[i]]);
      t.equal(hc.code, 0, `${what}: the image's HEALTHCHECK passes`);
    }
  });

  t.test('docker-compose.yml up: the client resolves cluster names through clusterdns with the pod-style search list', { skip: composeMissing }, async (t) => {
    const cdir = mkdtempSync(path.join(dir, 'compose-'));
    const project = `cdns${s.id}`;
    const run = new ComposeRun(cdir, project, s.image, s.image2(`localhost/clusterdns-test-client:${s.id}`), await freePort());
    for (const c of ['clusterdns', 'client']) s.adopt(`${project}_${c}_1`);
    s.adoptNetwork(`${project}_dnsnet`);
    t.teardown(() => run.stop());
    await run.startService();
    const built = await run.compose(['build', 'client'], 300_000);
    t.equal(built.code, 0, `the client image builds (${built.out.split('\n').slice(-3).join(' ')})`);
    // podman 4 runs HEALTHCHECKs from systemd timers, which this machine lacks: run the image's check on the same
    // schedule by hand so depends_on's service_healthy can be met.
    let up: { code: number | null; out: string } | undefined;
    const upDone = run.compose(['up', '--no-build', '--exit-code-from', 'client'], 180_000).then((r) => (up = r));
    for (let i = 0; i < 90 && !up; i++) {
      await podman(['healthcheck', 'run', `${project}_clusterdns_1`]);
      await new Promise((r) => setTimeout(r, 2000));
    }
    await upDone;
    const myapp = expected.get(README_NAMES[0])!;
    t.equal(up!.code, 0, 'the client exits 0: clusterdns answered every query');
    t.match(up!.out, /clusterdns .*serving cluster\.local from fixtures/, 'clusterdns served the mounted ./fixtures');
    t.match(up!.out, new RegExp(`myapp-headless\\.default\\.svc\\.cluster\\.local\\.\\s+\\d+\\s+IN\\s+A\\s+${expected.get(README_NAMES[1])![0]!.replace(/\./g, '\\.')}`), 'dig @clusterdns: the headless Service');
    t.match(up!.out, new RegExp(`${myapp[0]!.replace(/\./g, '\\.')}\\s+myapp\\.default\\.svc\\.cluster\\.local`), 'getent hosts myapp.default: the search list completes the short name');
    t.comment(up!.out.split('\n').filter((l) => /client_1 .*(== |status:|\d+\.\d+\.\d+\.\d+)/.test(l)).slice(-4).join('\n'));
  });

  t.test('podman kube play: the sidecar container and its ConfigMap serve the mock zone, hardened as the manifest says', async (t) => {
    const kube = new KubePlay(mkdtempSync(path.join(dir, 'kube-')), s.id, s.image);
    t.teardown(() => kube.cleanup());
    const played = await kube.play();
    t.equal(played.code, 0, `kube play starts the pod (${played.out.trim().split('\n').slice(-2).join(' ')})`);
    const { name, ip } = mockService();
    const resolve = `const r = new (require('dns').promises.Resolver)(); r.setServers(['127.0.0.1:5353']); r.resolve4('${name}').then((a) => console.log(a.join(' ')), (e) => { console.error(e.code); process.exit(1); })`;
    const q = await until(() => podman(['exec', kube.container, 'node', '-e', resolve]), (r) => r.code === 0, 30_000);
    t.equal(q.stdout.trim(), ip, `${name} from the ConfigMap's fixtures (${q.stderr.trim()})`);
    const health = await podman(['exec', kube.container, 'node', '/app/dist/server/main.js', 'health']);
    t.match(health.stdout, /healthy: health http:\/\/127\.0\.0\.1:8090\/health: 200/, 'clusterdns health reads the manifest\'s args: the livenessProbe\'s listener');
    const sec = await podmanOk(['exec', kube.container, 'sh', '-c', 'id -u; grep -E "^CapEff" /proc/1/status; touch /app/x 2>&1 || true']);
    t.match(sec, /^1000$/m, 'runAsUser 1000');
    t.match(sec, /^CapEff:\s+0+$/m, 'capabilities dropped');
    t.match(sec, /Read-only file system/, 'readOnlyRootFilesystem');
    const hc = JSON.parse(await podmanOk(['inspect', kube.container]))[0]?.Config?.Healthcheck;
    t.comment(`podman made the livenessProbe into: ${JSON.stringify(hc?.Test)} (the kubelet does the HTTP GET itself; the image has no curl)`);
  });
}
