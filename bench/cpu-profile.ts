// Reads a V8 .cpuprofile (node --cpu-prof) and ranks functions by self time: where the CPU actually went.
import { readFile } from 'node:fs/promises';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface SelfTimeEntry {
  /** "functionName file:line" with the file relative to the project where it is the project's */
  where: string;
  selfMs: number;
  /** share of all samples, idle included */
  percent: number;
}

export interface ProfileSummary {
  totalMs: number;
  idlePercent: number;
  top: SelfTimeEntry[];
}

function label(frame: ProfileNode['callFrame'], root: string): string {
  const name = frame.functionName || '(anonymous)';
  if (!frame.url) return name;
  let file = frame.url.replace(/^file:\/\//, '');
  if (file.startsWith(root)) file = path.relative(root, file);
  else if (file.includes('/node_modules/')) file = file.slice(file.lastIndexOf('/node_modules/') + 14);
  return `${name} ${file}:${frame.lineNumber + 1}`;
}

export async function summarizeProfile(file: string, root: string, topN = 10): Promise<ProfileSummary> {
  const prof = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  // Sample time deltas attribute real wall time per sample; hitCount alone assumes an even interval.
  const selfUs = new Map<number, number>();
  if (prof.samples && prof.timeDeltas) {
    for (let i = 0; i < prof.samples.length; i++) {
      const next = prof.timeDeltas[i + 1] ?? 0;
      selfUs.set(prof.samples[i], (selfUs.get(prof.samples[i]) ?? 0) + Math.max(0, next));
    }
  } else {
    const total = prof.endTime - prof.startTime;
    const hits = prof.nodes.reduce((s, n) => s + (n.hitCount ?? 0), 0) || 1;
    for (const n of prof.nodes) selfUs.set(n.id, ((n.hitCount ?? 0) / hits) * total);
  }
  const byLabel = new Map<string, number>();
  let totalUs = 0;
  let idleUs = 0;
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (!node) continue;
    totalUs += us;
    if (node.callFrame.functionName === '(idle)') idleUs += us;
    const l = label(node.callFrame, root);
    byLabel.set(l, (byLabel.get(l) ?? 0) + us);
  }
  const top = [...byLabel.entries()]
    .filter(([l]) => l !== '(idle)')
    .sort((a, b) => b[1] - a[1])
    .slice(0, topN)
    .map(([where, us]) => ({ where, selfMs: us / 1000, percent: totalUs > 0 ? (100 * us) / totalUs : 0 }));
  return { totalMs: totalUs / 1000, idlePercent: totalUs > 0 ? (100 * idleUs) / totalUs : 0, top };
}

export function profileTable(s: ProfileSummary): string {
  const rows = s.top.map((e, i) => `| ${i + 1} | ${e.selfMs.toFixed(0)} | ${e.percent.toFixed(1)}% | \`${e.where}\` |`);
  return [
    `Sampled ${(s.totalMs / 1000).toFixed(1)} s, idle ${s.idlePercent.toFixed(1)}%.`,
    '',
    '| # | self ms | share | function |',
    '|---|---|---|---|',
    ...rows,
  ].join('\n');
}

// `tsx bench/cpu-profile.ts FILE.cpuprofile [N]` prints the ranking of any profile.
if (import.meta.url === `file://${process.argv[1]}`) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: tsx bench/cpu-profile.ts FILE.cpuprofile [N]\n');
    process.exit(2);
  }
  summarizeProfile(file, process.cwd(), Number(process.argv[3] ?? 10)).then((s) => process.stdout.write(`${profileTable(s)}\n`));
}
