// The YAML fast path against js-yaml: whenever parseFastYaml returns a value it must be exactly what js-yaml
// returns (same keys in the same order, same types, -0 is not 0), and when js-yaml throws it must have returned
// NOT_HANDLED. Inputs: every fixture and deploy manifest, a generated cluster, a table of edge cases, and
// thousands of seeded random mutations of real documents.
import t from 'tap';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import jsyaml from 'js-yaml';
import { NOT_HANDLED, parseFastYaml } from '../lib/sources/yaml-fast.js';
import { writeExplicitCluster } from '../bench/explicit-cluster.js';
import { mulberry32 } from './helpers/prng.js';

const KUBERNETES_SCHEMA = jsyaml.CORE_SCHEMA.extend({ implicit: [(jsyaml as unknown as { types: { merge: jsyaml.Type } }).types.merge] });
const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Where a and b first differ (null when they are the same): types, Object.is, prototypes, key order. */
function difference(a: unknown, b: unknown, at = '$'): string | null {
  if (typeof a !== typeof b) return `${at}: ${typeof a} vs ${typeof b}`;
  if (typeof a !== 'object' || a === null || b === null) return Object.is(a, b) ? null : `${at}: ${String(a)} vs ${String(b)}`;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return `${at}: different prototypes`;
  const ka = Reflect.ownKeys(a as object);
  const kb = Reflect.ownKeys(b as object);
  if (ka.length !== kb.length || ka.some((k, i) => k !== kb[i])) return `${at}: keys ${String(ka)} vs ${String(kb)}`;
  for (const k of ka) {
    if (k === 'length' && Array.isArray(a)) continue;
    const da = Object.getOwnPropertyDescriptor(a, k)!;
    const db = Object.getOwnPropertyDescriptor(b, k)!;
    if (da.enumerable !== db.enumerable || da.writable !== db.writable || da.configurable !== db.configurable) return `${at}.${String(k)}: descriptors differ`;
    const d = difference(da.value, db.value, `${at}.${String(k)}`);
    if (d) return d;
  }
  return null;
}

/** A document as a test name: escaped, ASCII only (TAP reads U+2028 as a line break), cut short. */
function nameOf(text: string): string {
  const json = JSON.stringify(text).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return json.length > 100 ? `${json.slice(0, 100)}... (${text.length} characters)` : json;
}

type Outcome = { kind: 'fast' } | { kind: 'fallback'; jsyamlThrew: boolean } | { kind: 'wrong'; why: string };

/** Runs both parsers on one document. */
/** Counts what generated documents came to; the first few that read differently are kept to show. */
class Tally {
  fast = 0;
  invalid = 0;
  fallbackValid = 0;
  readonly wrong: string[] = [];

  add(text: string): void {
    const o = compare(text);
    if (o.kind === 'fast') this.fast++;
    else if (o.kind === 'wrong') {
      if (this.wrong.length < 10) this.wrong.push(`${o.why}\n${JSON.stringify(text)}`);
    } else if (o.jsyamlThrew) this.invalid++;
    else this.fallbackValid++;
  }
}

function compare(text: string): Outcome {
  let fast: unknown;
  try {
    fast = parseFastYaml(text);
  } catch (err) {
    return { kind: 'wrong', why: `parseFastYaml threw ${(err as Error).message}` };
  }
  let expected: unknown;
  let threw = false;
  try {
    expected = jsyaml.load(text, { schema: KUBERNETES_SCHEMA });
  } catch {
    threw = true;
  }
  if (fast === NOT_HANDLED) return { kind: 'fallback', jsyamlThrew: threw };
  if (threw) return { kind: 'wrong', why: 'js-yaml throws but the fast path returned a value' };
  const d = difference(fast, expected);
  return d ? { kind: 'wrong', why: d } : { kind: 'fast' };
}

/** Documents as the fixture loader cuts a file: at `---` lines (the marker blanked to three spaces) and `...`. */
function splitDocuments(text: string): string[] {
  const docs: string[] = [];
  const marker = /^(---|\.\.\.)(?=[ \t\r\n]|$)/gm;
  let start = 0;
  let prefix = '';
  let pending = '';
  for (let m = marker.exec(text); m; m = marker.exec(text)) {
    if (m[1] === '---') {
      if (m.index > 0 || prefix) {
        const doc = pending + prefix + text.slice(start, m.index);
        if (doc.length > 0) docs.push(doc);
        pending = '';
      }
      prefix = '   ';
      start = m.index + 3;
    } else {
      pending += prefix + text.slice(start, m.index);
      prefix = '';
      const eol = text.indexOf('\n', m.index);
      start = eol === -1 ? text.length : eol;
    }
  }
  const last = pending + prefix + text.slice(start);
  if (last.length > 0) docs.push(last);
  return docs;
}

async function yamlFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...await yamlFiles(full));
    else if (/\.ya?ml$/i.test(e.name)) out.push(full);
  }
  return out.sort();
}

t.test('every document of the fixture and deploy manifests', async (t) => {
  const files = [
    ...await yamlFiles(path.join(ROOT, 'fixtures')),
    ...await yamlFiles(path.join(ROOT, 'test/fixtures')),
    ...await yamlFiles(path.join(ROOT, 'deploy')),
  ];
  t.ok(files.length >= 15, `${files.length} files`);
  let docs = 0;
  let fast = 0;
  const wrong: string[] = [];
  const fellBack: string[] = [];
  for (const file of files) {
    const rel = path.relative(ROOT, file);
    for (const doc of splitDocuments(await readFile(file, 'utf8'))) {
      docs++;
      const o = compare(doc);
      if (o.kind === 'fast') fast++;
      else if (o.kind === 'wrong') wrong.push(`${rel}: ${o.why}\n${doc}`);
      else fellBack.push(`${rel}${o.jsyamlThrew ? ' (js-yaml throws)' : ''}: ${doc.trim().split('\n').slice(0, 3).join(' | ')}`);
    }
  }
  t.same(wrong, [], 'no document reads differently');
  t.ok(fast >= docs * 0.9, `the fast path reads ${fast} of ${docs} documents; fell back on:\n${fellBack.join('\n')}`);
});

t.test('a generated cluster: every document on the fast path, equal to js-yaml', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'yaml-fast-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const cluster = await writeExplicitCluster(path.join(dir, 'cluster'), { services: 40, pods: 400, servicesPerNamespace: 10 });
  let docs = 0;
  const bad: string[] = [];
  for (const file of cluster.files) {
    for (const doc of splitDocuments(await readFile(file, 'utf8'))) {
      docs++;
      const o = compare(doc);
      if (o.kind !== 'fast') bad.push(`${path.basename(file)}: ${o.kind === 'wrong' ? o.why : 'fell back'}\n${doc}`);
    }
  }
  t.ok(docs > 400, `${docs} documents`);
  t.same(bad, [], 'all read by the fast path, all equal');
});

/** Read by the fast path, and equal to js-yaml. */
const HANDLED: string[] = [
  // ints (js-yaml 4.3: 0x, 0o, 0b, signs; no underscores), floats, null, bool
  'a: 0x1F', 'a: 0o17', 'a: 0b101', 'a: -0x1F', 'a: +0o17', 'a: 0x', 'a: 0b', 'a: 0xG', 'a: 1_000', 'a: +1', 'a: -0',
  'a: 0', 'a: 00', 'a: 012', 'a: 8080', 'a: 123456789012345', 'a: 1234567890123456', 'a: 123456789012345678901234567890',
  'a: 9007199254740993', 'a: .5', 'a: 1.5', 'a: 1.', 'a: -1.5e-3', 'a: 1e3', 'a: 1E3', 'a: 1e', 'a: 1e400', 'a: -0.0',
  'a: .', 'a: +.5', 'a: .inf', 'a: -.Inf', 'a: +.INF', 'a: .NaN', 'a: -.nan', 'a: .nAn', 'a: ~', 'a: null', 'a: Null',
  'a: NULL', 'a: nULL', 'a: true', 'a: True', 'a: TRUE', 'a: tRue', 'a: false', 'a: False', 'a: FALSE', 'a: yes',
  'a: no', 'a: on', 'a: off', 'a: y', 'a: <<', 'a: 1:2', 'a: 10.0.0.1', 'a: 2024-01-01', 'a: 2001:db8::1', 'a: -1',
  'a: -a', 'a: :x', 'a: ?x', 'a: x-', 'a: a,b', 'a: a]', 'a: a{b}', 'a: it\'s', 'a: say "hi"', 'a: 100%', 'a: a@b',
  // quoted
  'a: "quoted"', "a: 'it''s'", "a: ''''", "a: ''", 'a: ""', 'a: "tab\\t"', 'a: "a\\"b"', 'a: "\\/\\\\"',
  'a: "\\x41\\u00e9\\U0001F600"', 'a: "\\0\\a\\b\\n\\v\\f\\r\\e\\ "', 'a: "\\N\\_\\L\\P"', 'a: "#not a comment"',
  "a: 'x # y'", 'a: "x" # c', 'a: "true"', 'a: "80"', "a: 'null'", 'a: "\\UFFFFFFFF"', 'a: "\\U00110000"',
  // comments
  'a: a # comment', 'a: a#nocomment', 'a: 1 # c\n# full\n\n  # indented comment\nb: 2', 'a: # c\n  b: 1',
  '# head\na: 1\n# tail', 'a:\n# between\n  b: 1', '- # c\n  a: 1', 'a: 1 #',
  // plain scalars that are not mappings
  'key:value', 'a: http://x:80/y', 'plain', 'two words', '"top"', "'top'", '80', 'true', '~',
  // keys
  '80: http', 'true: x', 'null: x', '~: x', '0x10: x', '1.0: x', '.inf: x', 'NaN: x', '-0: x', '"quoted key": v',
  "'single key': v", '"a:b": c', 'a b: c', 'a:b: c', 'http://x: y', 'a  : b', '"a"  : b', 'é: x', 'a.b/c-d_e: f',
  'constructor: 1', 'toString: x', 'hasOwnProperty: 1\nvalueOf: 2', '-x: 1', '?x: 1', 'a[0]: b', 'a#b: c',
  // sequences
  '- - nested', '- - a\n  - b\n- c', '-', '- a\n-\n- b', '-\n- a', '- a\n- b', '-\n  a: 1', '-\n  - x', '- []', '- {}',
  '-   a: 1\n    b: 2', '- a: 1\n  b:\n  - x\n  - y\n- a: 2', '- --verbose\n- -c', '- "a": 1\n  b: 2', '- a: 1\n- b',
  // kubectl get -o yaml: managedFields keys
  'managedFields:\n- apiVersion: v1\n  fieldsType: FieldsV1\n  fieldsV1:\n    f:metadata:\n      f:labels:\n        .: {}\n        f:app: {}\n    f:status:\n      f:conditions:\n        k:{"type":"Ready"}:\n          .: {}\n          f:status: {}\n  manager: kubelet\n  operation: Update\n  time: "2024-05-01T10:00:00Z"',
  // mappings: kubectl's sequences at the key's indentation, indented ones, nulls
  'ports:\n- name: x\n  port: 1\nother: y', 'ports:\n  - name: x\n    port: 1\nother: y', 'key:   ', 'a:\nb:\n',
  'a:\n  b:\n    c: 1\n  d: 2\ne: 3', 'a:\n- 1\n-\nb: 2', 'a:\n  -\nb: 1', 'a:\n  - x\nb:\n- y', 'a: 1   \nb:   \n',
  // flow collections
  'a: []', 'a: {}', 'a: [ ]', 'a: { }', 'a: [1, two, "3", \'4\']', 'a: [a, ]', 'a: {x: 1, y: [2]}', 'a: [{name: http, port: 80}]',
  'a: {a:1}', 'a: {"x":1}', 'a: [a: b]', 'a: [a:b]', 'a: {a, b: 1}', 'a: {a: }', 'a: [a :b]', 'a: [-1, -a]', 'a: [http://x]',
  'a: [a b, c]', 'a: [[1, 2], [3]]', 'a: {x: {y: z}}', '[1, 2]', '{a: 1}', 'a: [true, null, ~, 0x10, .5]',
  'a: {80: x, true: y}', 'a: [a#b]', 'a: {a: [], b: {}}',
  // documents: blanked `---`, indentation, empty ones
  '   \napiVersion: v1\nkind: Pod', '   a: 1', '\n\n  a: 1\n  b: 2\n', '', '\n', '\n\n', '   ', '   \n', '   \n\n',
  '# only a comment', '  # c\n', 'a: 1', 'a: 1\n', 'a:', 'a: héllo', 'a: \u00a0x', 'a: x\u2028y', 'a: x\u0085',
];

/** Anything js-yaml reads differently, rejects, or reads with features outside the subset: either way is fine. */
const EITHER: string[] = [
  'a: &x 1\nb: *x', 'a: !!str 1', 'a: !custom 1', '<<: {a: 1}', 'b: 1\n<<: {a: 1}', 'a: |\n  x', 'a: >\n  x', 'a: |-\n  x\n',
  'a:\tb', '\ta: 1', 'a: 1\n\tb: 2', '- \ta', 'a: 1\na: 2', 'a: {x: 1, x: 2}', 'a:\n  b: 1\n  b: 2', '80: a\n"80": b',
  '~: a\nnull: b', 'a: b\n  c', 'a: "x\n  y"', "a: 'x\n  y'", '? a\n: b', '%YAML 1.2\n---\na: 1', 'a: 1\n---\nb: 2',
  'a: 1\n...\n', '---\na: 1', '__proto__: 1', '"__proto__": 1', 'a: {__proto__: 1}', 'a: b: c', 'a: - b', '- a\n b',
  'a:\n  b: 1\n c: 2', 'a: "unterminated', "a: 'x'y", 'a: [1, 2', 'a: {x: 1', 'a: [1,,2]', 'a: [,1]', 'a: "\\q"',
  'a: "\\x4"', 'a: \x01', 'a: 1\r\nb: 2', '\ufeffa: 1', 'a: 1\u0000', 'a: x\x7f', 'x:\n  -\n- y', 'a:\n  - 1\n  b: 2',
  '- a\n  - b', 'a:\n  "x"', 'a:\n  plain', 'a: -', 'a: ?', '- ? x', ': x', 'a :b', "'a':b", '"a":b', '[a]: b',
  'a: [a]: b', 'a: "x" y', 'a: "x"#c', 'a: []#c', 'a: [a, #c\n b]', 'a: [a,\n b]', 'a: {a: 1,\n b: 2}', 'a:b',
  'a: 1\n  # c\n  b', '- a\n- b\nc: 1', 'a: 1\n- b', 'a:\n  b: 1\n  - c', 'a: [&x 1]', 'a: [*x]', 'a: [!t x]',
  'a: [? x]', 'a: [- x]', 'a: [a: b: c]', 'a: [[a]: b]', 'a: {[a]: b}', 'a: [a}', 'a: {a]', 'a: [\'x\':1]',
  'a: ["x": 1]', 'a: [x: ]', '<<: *x', 'a: [<<: 1]', 'a: {<<: {b: 1}}', 'a: "\\\n b"', '- |\n x', 'a: `x`', 'a: @x',
  'a: %x', '&a a: 1', '*a: 1', '!t a: 1', 'a: \ud800', 'a: \udc00x', 'é\u0000: 1',
  // deeper than js-yaml's maxDepth (100)
  Array.from({ length: 120 }, (_, i) => `${' '.repeat(2 * i)}k${i}:`).join('\n') + ' 1',
  Array.from({ length: 30 }, (_, i) => `${' '.repeat(2 * i)}k${i}:`).join('\n') + ' 1',
  `a: ${'['.repeat(120)}${']'.repeat(120)}`,
];

t.test('edge cases the fast path reads', async (t) => {
  for (const text of HANDLED) {
    const o = compare(text);
    t.equal(o.kind === 'wrong' ? o.why : o.kind, 'fast', nameOf(text));
  }
});

t.test('edge cases outside the subset: NOT_HANDLED, or the same as js-yaml', async (t) => {
  let fallbacks = 0;
  for (const text of EITHER) {
    const o = compare(text);
    if (o.kind === 'fallback') fallbacks++;
    t.not(o.kind, 'wrong', `${nameOf(text)}${o.kind === 'wrong' ? `: ${o.why}` : ''}`);
  }
  t.ok(fallbacks >= EITHER.length * 0.8, `${fallbacks} of ${EITHER.length} fall back`);
});

t.test('values are plain objects and arrays, strings may be slices', async (t) => {
  const v = parseFastYaml('a:\n  b: [1]\nc:\n- d\n') as Record<string, unknown>;
  t.equal(Object.getPrototypeOf(v), Object.prototype);
  t.ok(Array.isArray(v.c));
  t.same(Object.keys(v), ['a', 'c']);
  // the same shape twice (the second time through a compiled object literal) reads the same
  for (let i = 0; i < 3; i++) {
    const text = `metadata:\n  name: x${i}\n  namespace: y\nspec:\n  n: ${i}\n`;
    t.equal(difference(parseFastYaml(text), jsyaml.load(text, { schema: KUBERNETES_SCHEMA })), null, `round ${i}`);
  }
});

t.test('large and repeated mappings: shapes, the key cache, duplicates', async (t) => {
  const keys = Array.from({ length: 3000 }, (_, i) => `key${(i * 7919) % 100_000}x${i % 13}`);
  const big = keys.map((k, i) => `${k}: ${i}`).join('\n');
  for (let round = 0; round < 3; round++) {
    t.equal(compare(big).kind, 'fast', `3000 keys, round ${round}`);
    t.equal(parseFastYaml(`${big}\n${keys[5]}: again`), NOT_HANDLED, `3000 keys and a duplicate, round ${round}`);
    t.equal(parseFastYaml(`${big}\n${keys[2999]}: again`), NOT_HANDLED, `3000 keys, the last one twice, round ${round}`);
  }
  const seventy = Array.from({ length: 70 }, (_, i) => `  k${i}: v${i}`).join('\n');
  for (let round = 0; round < 3; round++) {
    t.equal(compare(`m:\n${seventy}\n`).kind, 'fast', `70 keys (more than a shape holds), round ${round}`);
    t.equal(parseFastYaml(`m:\n${seventy}\n  k3: x\n`), NOT_HANDLED, `70 keys and a duplicate, round ${round}`);
    t.equal(parseFastYaml(`m:\n  a: 1\n  b: 2\n  a: 3\n`), NOT_HANDLED, `a duplicate in a known shape, round ${round}`);
  }
  const long = 'k'.repeat(300);
  t.equal(compare(`${long}: 1\n${long}x: 2`).kind, 'fast', 'keys longer than the cache keeps');
  t.equal(parseFastYaml(`${long}: 1\n${long}: 2`), NOT_HANDLED, 'long keys, a duplicate');
  const deep = Array.from({ length: 45 }, (_, i) => `${' '.repeat(2 * i)}k${i}:`).join('\n') + ' 1';
  t.equal(compare(deep).kind, 'fast', '45 mappings deep');
  // the same text once resolved, once a plain key: `~` and `null` are both "null"
  t.equal(parseFastYaml('a:\n  ~: 1\n  null: 2\n'), NOT_HANDLED, '~ and null are the same key');
  t.equal(parseFastYaml('a:\n  .inf: 1\n  Infinity: 2\n'), NOT_HANDLED, '.inf and Infinity are the same key');
  t.equal(parseFastYaml('a:\n  "x": 1\n  x: 2\n'), NOT_HANDLED, 'a quoted and a plain key, the same');
});

/** A document with most of the subset in it, kubectl's and helm's styles, for the mutations to start from. */
const KITCHEN_SINK = `   
# Source: chart/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: "default"
  labels:
    app.kubernetes.io/name: web   # trailing comment
    helm.sh/chart: 'web-1.2.3'
  annotations: {}
spec:
  replicas: 3
  selector:
    matchLabels: {app: web, tier: "front"}
  template:
    spec:
      containers:
      - name: app
        image: "registry.example/app:1.0"
        args: ["--port", "8080", -v, 2]
        env:
        - name: A
          value: "x\\ty"
        - name: B
          value: ''
        - {name: C, value: "3"}
        ports:
          - containerPort: 8080
            protocol: TCP
        resources:
          limits: {cpu: 500m, memory: 128Mi}
        securityContext:
          runAsNonRoot: true
          capabilities:
            drop: [ALL]
      volumes: []
      tolerations:
      -
      - key: k
        operator: Exists
status: ~
`;

/** Random small edits of real documents, each compared with js-yaml. */
t.test('seeded random mutations', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'yaml-fast-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const cluster = await writeExplicitCluster(path.join(dir, 'cluster'), { services: 10, pods: 60, servicesPerNamespace: 5 });
  const bases: string[] = [];
  for (const file of cluster.files) bases.push(...splitDocuments(await readFile(file, 'utf8')));
  for (const file of [...await yamlFiles(path.join(ROOT, 'fixtures')), ...await yamlFiles(path.join(ROOT, 'test/fixtures'))]) {
    bases.push(...splitDocuments(await readFile(file, 'utf8')).filter((d) => d.length < 4000));
  }
  t.equal(compare(KITCHEN_SINK).kind, 'fast', 'the kitchen sink is read by the fast path');
  for (let i = 0; i < 20; i++) bases.push(KITCHEN_SINK);
  bases.push(...HANDLED.filter((s) => s.length > 8));

  // YAML_FAST_SEED and YAML_FAST_MUTATIONS run other or more mutations (the default keeps this test to seconds).
  const rand = mulberry32(Number(process.env.YAML_FAST_SEED ?? 0x5eed));
  const N = Number(process.env.YAML_FAST_MUTATIONS ?? 8000);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rand() * a.length)];
  const CHARS = [':', '-', '#', "'", '"', '\t', ' ', ' ', '\n', '[', ']', '{', '}', ',', '&', '*', '!', '|', '>', '?', '\\', '0', 'x', '.', '~', '\r', 'é', '<', '%', '@'];
  const TOKENS = ['0x1F', '-0', '.inf', '~', 'true', 'TRUE', 'null', '1e3', '012', '<<', '"q"', "'q'", '[]', '{}', '[a, 1]', '{a: 1}',
    '- x', 'a: b', '&a', '*a', '!t', '|', '>', '"\\x41"', "'it''s'", '#', ' # c', '80', '__proto__', 'constructor', '', ' ', '-', ':',
    '"a": 1', '[a: b]', '{a, b}', '"', "'", 'x:y', 'x #y', '- - z', 'k:', '? k', '...', '---'];
  const line = (lines: string[]) => Math.floor(rand() * lines.length);
  const EDITS: ((text: string) => string)[] = [
    (text) => { const p = Math.floor(rand() * text.length); return text.slice(0, p) + text.slice(p + 1); }, // delete a character
    (text) => { const p = Math.floor(rand() * (text.length + 1)); return text.slice(0, p) + pick(CHARS) + text.slice(p); }, // insert one
    (text) => { const l = text.split('\n'); const i = line(l); l.splice(i, 0, l[i]); return l.join('\n'); }, // duplicate a line
    (text) => { const l = text.split('\n'); l.splice(line(l), 1); return l.join('\n'); }, // delete a line
    (text) => { const l = text.split('\n'); const i = line(l); l[i] = ' '.repeat(1 + Math.floor(rand() * 2)) + l[i]; return l.join('\n'); },
    (text) => { const l = text.split('\n'); const i = line(l); l[i] = l[i].replace(/^ {1,2}/, ''); return l.join('\n'); },
    (text) => { const l = text.split('\n'); const i = line(l); if (i + 1 < l.length) [l[i], l[i + 1]] = [l[i + 1], l[i]]; return l.join('\n'); },
    // a value replaced by a tricky token (mostly still valid YAML), or a word of the line
    (text) => {
      const l = text.split('\n');
      const i = line(l);
      const colon = l[i].indexOf(': ');
      l[i] = colon >= 0 && rand() < 0.7 ? `${l[i].slice(0, colon + 2)}${pick(TOKENS)}` : l[i].replace(/[A-Za-z0-9.-]+/, pick(TOKENS));
      return l.join('\n');
    },
    (text) => { const l = text.split('\n'); l.splice(line(l), 0, ' '.repeat(Math.floor(rand() * 6)) + pick(TOKENS)); return l.join('\n'); },
    (text) => { const l = text.split('\n'); l.splice(line(l), 0, rand() < 0.5 ? '' : `${' '.repeat(Math.floor(rand() * 6))}# c`); return l.join('\n'); },
    // a key renamed to one its mapping may already have
    (text) => text.replace(/^( *(?:- )?)[A-Za-z]+:/m, (_m, lead: string) => `${lead}${pick(['name', 'kind', 'a', 'app', 'port'])}:`),
  ];

  const tally = new Tally();
  const started = Date.now();
  for (let i = 0; i < N; i++) {
    let text = pick(bases);
    const edits = 1 + Math.floor(rand() * 2);
    for (let e = 0; e < edits; e++) text = pick(EDITS)(text);
    tally.add(text);
  }
  t.same(tally.wrong, [], `no mutated document reads differently (${N} mutations)`);
  t.ok(tally.fast >= N * 0.3, `${tally.fast} read by the fast path, equal to js-yaml`);
  t.ok(tally.invalid >= N * 0.1, `${tally.invalid} rejected by js-yaml, all NOT_HANDLED`);
  t.comment(`${tally.fast} fast, ${tally.fallbackValid} valid but fell back, ${tally.invalid} invalid; ${Date.now() - started} ms`);
});

/** Random short documents put together from pieces of lines: indentation, `- `, keys, values, comments. */
t.test('seeded random documents from pieces', async (t) => {
  const rand = mulberry32(Number(process.env.YAML_FAST_SEED ?? 0xd0c5) + 1);
  const N = Number(process.env.YAML_FAST_MUTATIONS ?? 8000);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rand() * a.length)];
  const DASH = ['', '', '', '- ', '- ', '-   ', '- - ', '-'];
  const KEYS = ['a', 'b', 'c', 'name', 'port', 'a b', '"q"', "'s'", '80', 'true', '~', 'x:y', '-k', '.k', 'null'];
  const ODD_KEYS = ['', '&a a', '? a', '<<', '*a', 'a\tb', '__proto__'];
  const SEP = [': ', ':', ':  ', ' : ', ': ', ': '];
  const VALUES = ['', '', '', 'v', 'v w', '1', '-1', '0x1F', '.5', '~', 'true', 'no', '"s"', "'s'", '"a\\"b"', '[]', '{}', '[a, b]',
    '{a: 1}', '[{a: 1}, [2]]', 'a # c', 'a#b', '# c', '10.0.0.1', '<<', 'é', 'x:y'];
  const ODD_VALUES = [':', 'a: b', '- x', '&x', '*x', '|', '"', "'", 'x:', '[a', '{a', '!t x', '\t', 'a\rb'];
  const key = () => (rand() < 0.05 ? pick(ODD_KEYS) : pick(KEYS));
  const value = () => (rand() < 0.1 ? pick(ODD_VALUES) : pick(VALUES));
  const tally = new Tally();
  for (let i = 0; i < N; i++) {
    const lines: string[] = [];
    const count = 1 + Math.floor(rand() * 7);
    let indent = 0;
    let opens = false; // the last line ends with `:` or `-`: a nested block may follow
    for (let l = 0; l < count; l++) {
      // mostly a nested block after a line that opens one, else the same indentation or one closed; sometimes anything
      const r = rand();
      if (r < 0.1) indent = Math.floor(rand() * 7);
      else if (opens && r < 0.7) indent += 2;
      else if (r < 0.75) indent = Math.max(0, indent - 2 * Math.floor(rand() * 3));
      const lead = ' '.repeat(indent);
      const kind = rand();
      let text: string;
      if (kind < 0.08) text = lead + '# comment';
      else if (kind < 0.12) text = pick(['', ' ', '   ']);
      else if (kind < 0.3) text = lead + pick(DASH) + value();
      else text = lead + pick(DASH) + key() + pick(SEP) + value();
      lines.push(text);
      if (kind >= 0.12) opens = /[:-] *$/.test(text);
    }
    const text = (rand() < 0.2 ? '   \n' : '') + lines.join('\n') + (rand() < 0.8 ? '\n' : '');
    tally.add(text);
  }
  t.same(tally.wrong, [], `no random document reads differently (${N} documents)`);
  t.ok(tally.fast >= N * 0.15, `${tally.fast} read by the fast path, equal to js-yaml`);
  t.ok(tally.invalid >= N * 0.1, `${tally.invalid} rejected by js-yaml, all NOT_HANDLED`);
  t.comment(`${tally.fast} fast, ${tally.fallbackValid} valid but fell back, ${tally.invalid} invalid`);
});
