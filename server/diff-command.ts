// `clusterdns diff A B`: the DNS records that differ between two fixture sets (snapshots or hand-written files or
// folders), each loaded offline as `clusterdns records` loads it. Prints "-line" (only A serves it) and "+line"
// (only B does), zone-file lines sorted by name. Exit 0 when equal, 1 when they differ, 2 on errors (usage, a file
// that does not load: its message names the file and line).
import { pino } from 'pino';
import { parseArgs } from 'node:util';
import { diffRecords, fixtureRecords } from '../lib/snapshot/records.js';
import { parseCli } from './cli.js';
import { writeLines, writeOut } from './stdio.js';

export const DIFF_HELP = `Usage: clusterdns diff A B [serve flags: --zone, --pods, --ttl, ...]

Loads fixture files or folders A and B offline (as clusterdns records does) and prints the records that differ:
"-" only A serves it, "+" only B does, zone-file lines sorted by name. Exit 0 when equal, 1 when they differ,
2 on errors (a file that does not load is named with its line).
`;

export async function diffMain(argv: string[]): Promise<number> {
  let positionals: string[];
  let rest: string[];
  try {
    const parsed = parseArgs({ args: argv, options: { help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: false, tokens: true });
    if (parsed.values.help) { await writeOut(process.stdout, DIFF_HELP); return 0; }
    // The two paths are the first two bare arguments; everything else is serve's flags (zones, pods mode...).
    const idx = (parsed.tokens ?? []).filter((t) => t.kind === 'positional').slice(0, 2).map((t) => t.index);
    positionals = idx.map((i) => argv[i]);
    rest = argv.filter((_, i) => !idx.includes(i));
  } catch (err) {
    process.stderr.write(`clusterdns diff: ${(err as Error).message}\n${DIFF_HELP}`);
    return 2;
  }
  if (positionals.length !== 2) { process.stderr.write(`clusterdns diff: give two fixture files or folders\n${DIFF_HELP}`); return 2; }
  const logger = pino({ level: 'error', base: undefined }, pino.destination(2));
  try {
    const { config } = parseCli(['records', ...rest]);
    const [a, b] = [await fixtureRecords(config, [positionals[0]], logger), await fixtureRecords(config, [positionals[1]], logger)];
    const diff = diffRecords(a, b);
    await writeLines(process.stdout, (function* () { for (const l of diff) yield `${l}\n`; })());
    return diff.length === 0 ? 0 : 1;
  } catch (err) {
    process.stderr.write(`clusterdns diff: ${(err as Error).message}\n`);
    return 2;
  }
}
