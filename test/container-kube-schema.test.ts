// The kind manifests (deploy/, deploy/sidecar/) validated against a current Kubernetes release's schemas: the
// kubernetes-models package (npm; 5.1.0 carries resource.k8s.io/v1, so Kubernetes 1.34+) by
// deploy/podman/validate-manifests.mjs. The package is installed outside the repo on first use and kept (like .ci/run's
// Node binaries); without the npm registry the test says so and checks nothing.
import t from 'tap';
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './helpers/cli.js';

const DIR = path.join(process.env.TMPDIR ?? '/tmp', 'clusterdns-ci-k8s-models');
const MODELS = 'kubernetes-models@5.1.0';
const files = ['deploy', 'deploy/sidecar'].flatMap((d) => readdirSync(path.join(ROOT, d)).filter((f) => f.endsWith('.yaml')).map((f) => path.join(ROOT, d, f)));

function ensureModels(): string | false {
  if (existsSync(path.join(DIR, 'node_modules', 'kubernetes-models', 'package.json'))) return false;
  mkdirSync(DIR, { recursive: true });
  // The machine's npm (its registry and CA settings), not a Node-24 prefix's.
  const r = spawnSync('npm', ['install', '--prefix', DIR, '--no-audit', '--no-fund', '--no-save', '--loglevel=error', MODELS, 'yaml@2'], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, PATH: `/usr/local/bin:/usr/bin:${process.env.PATH ?? ''}` } });
  return r.status === 0 ? false : `could not install ${MODELS}: ${(r.stderr || r.error?.message || '').split('\n')[0]}`;
}

const validate = (args: string[]) => new Promise<{ code: number; out: string }>((resolve) => {
  execFile(process.execPath, [path.join(ROOT, 'deploy', 'podman', 'validate-manifests.mjs'), ...args], { env: { ...process.env, NODE_PATH: path.join(DIR, 'node_modules') }, timeout: 60_000 }, (err, stdout, stderr) => {
    resolve({ code: err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0, out: stdout + stderr });
  });
});

const missing = ensureModels();
if (missing) t.comment(`manifests not validated: ${missing}`);
else {
  t.test('every object in deploy/ and deploy/sidecar/ is valid against the Kubernetes 1.34+ schemas', async (t) => {
    const r = await validate(files);
    t.equal(r.code, 0, r.out);
    for (const kind of ['ClusterRole', 'ClusterRoleBinding', 'Deployment', 'Namespace', 'Service', 'ServiceAccount', 'ConfigMap', 'Pod']) {
      t.match(r.out, new RegExp(`: ${kind}/[a-z0-9-]+: valid$`, 'm'), `${kind} checked`);
    }
  });

  t.test('the validator rejects a broken manifest, naming the field', async (t) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'clusterdns-schema-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const bad = path.join(dir, 'deployment.yaml');
    writeFileSync(bad, readFileSync(path.join(ROOT, 'deploy', 'deployment.yaml'), 'utf8').replace(/containerPort: 53\b/, 'containerPort: fifty-three'));
    const r = await validate([bad]);
    t.equal(r.code, 1);
    t.match(r.out, /Deployment\/clusterdns: INVALID .*containers\/0\/ports\/0\/containerPort must be integer/);
  });
}
