// package.json's engines says what the runtime dependencies need, no more and no less; the Docker image, CI's
// Node line and @types/node agree with it. A dependency bump that raises the floor fails here, not on a user's box.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';
import { ROOT } from './helpers/cli.js';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string }; devDependencies: Record<string, string> };
const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { version?: string; dev?: boolean; engines?: { node?: string } | string[] }>;
};
const ours = pkg.engines.node;
const floor = semver.minVersion(ours)!;

t.test('engines.node is what the runtime dependencies need', async (t) => {
  t.ok(semver.validRange(ours), `engines.node "${ours}" is a semver range`);
  t.same(lock.packages['']?.engines, { node: ours }, 'package-lock.json carries the same engines');
  let highest = semver.parse('0.0.0')!;
  let who = '';
  for (const [path, p] of Object.entries(lock.packages)) {
    if (path === '' || p.dev || !p.engines || Array.isArray(p.engines) || !p.engines.node) continue;
    const theirs = p.engines.node;
    const name = `${path.replace(/^.*node_modules\//, '')}@${p.version}`;
    // Every Node line we claim must be one the dependency accepts.
    t.ok(semver.subset(ours, theirs), `${name} (node ${theirs}) accepts ${ours}`);
    const min = semver.minVersion(theirs);
    if (min && semver.gt(min, highest)) {
      highest = min;
      who = name;
    }
  }
  t.equal(floor.version, highest.version, `the floor is the highest a dependency needs (${who}: ${highest.version})`);
});

t.test('@types/node is the lowest supported line', async (t) => {
  const types = semver.minVersion(pkg.devDependencies['@types/node']!)!;
  t.equal(types.major, floor.major, `@types/node ${pkg.devDependencies['@types/node']} is Node ${floor.major}'s API`);
});

t.test('the Docker image and CI run a supported LTS line, the same one', async (t) => {
  const docker = /^ARG NODE_IMAGE=node:(\d+)-\S+$/m.exec(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
  t.ok(docker, 'the Dockerfile names its Node image as node:<major>-<variant>');
  const major = Number(docker![1]);
  t.ok(semver.satisfies(`${major}.99.0`, ours), `node:${major} satisfies engines ${ours}`);
  t.equal(major % 2, 0, 'an even (LTS) line');
  const ci = readFileSync(join(ROOT, '.ci/run'), 'utf8');
  const suiteLine = /^SUITE_NODE=(\d+)$/m.exec(ci);
  t.ok(suiteLine, '.ci/run names the line the suite runs on');
  t.equal(Number(suiteLine![1]), major, 'CI tests the line the image ships');
  const smoke = /^SMOKE_NODES="([\d ]+)"$/m.exec(ci);
  t.ok(smoke, '.ci/run names the smoke-tested lines');
  for (const v of smoke![1].split(' ').map(Number)) t.ok(semver.satisfies(`${v}.99.0`, ours), `smoke line ${v} is supported`);
  t.ok(smoke![1].split(' ').map(Number).includes(floor.major), `the lowest supported line (${floor.major}) is smoke-tested`);
});
