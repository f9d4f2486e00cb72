// js-yaml against the fast path (lib/sources/yaml-fast.ts) on the bench's full-size cluster, document by
// document as the fixture loader parses it. Usage: npx tsx bench/yaml-parse.ts [dir of .yaml files]
// (without a dir it writes the LARGE cluster to a temporary one).
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import jsyaml from 'js-yaml';
import { LARGE, writeExplicitCluster } from './explicit-cluster.js';
import { NOT_HANDLED, parseFastYaml } from '../lib/sources/yaml-fast.js';

const KUBERNETES_SCHEMA = jsyaml.CORE_SCHEMA.extend({ implicit: [(jsyaml as unknown as { types: { merge: jsyaml.Type } }).types.merge] });

/** Documents as the fixture loader cuts them: at `---` lines, the marker blanked to three spaces. */
function splitDocuments(text: string): string[] {
  const docs: string[] = [];
  const marker = /^---(?=[ \t\r\n]|$)/gm;
  let start = 0;
  let prefix = '';
  for (let m = marker.exec(text); m; m = marker.exec(text)) {
    if (m.index > 0 || prefix) docs.push(prefix + text.slice(start, m.index));
    prefix = '   ';
    start = m.index + 3;
  }
  docs.push(prefix + text.slice(start));
  return docs.filter((d) => d.length > 0);
}

async function main(): Promise<void> {
  let dir = process.argv[2];
  let tmp: string | undefined;
  if (!dir) {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'yaml-parse-'));
    dir = path.join(tmp, 'cluster');
    process.stdout.write(`writing the LARGE cluster to ${dir} ...\n`);
    await writeExplicitCluster(dir, LARGE, 'yaml');
  }
  try {
    const files = (await readdir(dir)).filter((f) => /\.ya?ml$/.test(f)).sort();
    const docs: string[] = [];
    let bytes = 0;
    for (const f of files) {
      const text = await readFile(path.join(dir, f), 'utf8');
      bytes += Buffer.byteLength(text);
      for (const d of splitDocuments(text)) docs.push(d);
    }
    process.stdout.write(`${files.length} files, ${docs.length} documents, ${(bytes / 1e6).toFixed(1)} MB\n`);

    const runJsYaml = () => {
      const t0 = performance.now();
      let keep = 0;
      for (const d of docs) if (jsyaml.load(d, { schema: KUBERNETES_SCHEMA }) !== null) keep++;
      return { ms: performance.now() - t0, keep };
    };
    const runFast = () => {
      const t0 = performance.now();
      let fellBack = 0;
      for (const d of docs) {
        let v = parseFastYaml(d);
        if (v === NOT_HANDLED) {
          fellBack++;
          v = jsyaml.load(d, { schema: KUBERNETES_SCHEMA });
        }
      }
      return { ms: performance.now() - t0, fellBack };
    };
    // Alternate, three rounds each; the best round counts (the first ones warm the JIT up).
    const js: number[] = [];
    const fast: number[] = [];
    let fellBack = 0;
    for (let round = 0; round < 3; round++) {
      js.push(runJsYaml().ms);
      const f = runFast();
      fast.push(f.ms);
      fellBack = f.fellBack;
    }
    const bestJs = Math.min(...js);
    const bestFast = Math.min(...fast);
    process.stdout.write(`js-yaml:       ${js.map((x) => x.toFixed(0)).join(' / ')} ms\n`);
    process.stdout.write(`parseFastYaml: ${fast.map((x) => x.toFixed(0)).join(' / ')} ms (js-yaml for the ${fellBack} that fell back)\n`);
    process.stdout.write(`best: js-yaml ${bestJs.toFixed(0)} ms, fast ${bestFast.toFixed(0)} ms, ${(bestJs / bestFast).toFixed(1)}x; fell back: ${fellBack} of ${docs.length}\n`);
  } finally {
    if (tmp) await rm(tmp, { recursive: true, force: true });
  }
}

await main();
