// `errors { consolidate DURATION REGEXP [LEVEL] [show_first]; stacktrace }`, as CoreDNS reads it.
import type { CorefileDirective } from '../../corefile/parse.js';
import { durationArg, expectArgs, fail } from '../../corefile/values.js';
import type { PluginDefinition } from '../../plugin/registry.js';
import { ErrorsPlugin, type Consolidation } from './handler.js';

/** a consolidate pattern longer than this is refused (patterns run on every SERVFAIL line) */
const MAX_PATTERN = 256;
const MAX_PATTERNS = 32;
const LEVELS = ['warning', 'error', 'info', 'debug'] as const;

export interface ErrorsOptions {
  consolidate: { seconds: number; source: string; level: Consolidation['level']; showFirst: boolean }[];
}

export function parseErrors(d: CorefileDirective): ErrorsOptions {
  expectArgs(d, 0, 0, d.file, 'errors (options in a block)');
  const out: ErrorsOptions = { consolidate: [] };
  for (const o of d.block ?? []) {
    if (o.name === 'stacktrace') continue; // a Go panic's stack: nothing here to print
    if (o.name !== 'consolidate') fail(`unknown errors option "${o.name}" (consolidate or stacktrace)`, o.file, o.line);
    expectArgs(o, 2, 4, o.file, 'consolidate DURATION REGEXP [LEVEL] [show_first]');
    const seconds = durationArg(o, o.args[0]!, 0.1, 86400, 'consolidate');
    const source = o.args[1]!;
    if (source.length > MAX_PATTERN) fail(`consolidate: the pattern is ${source.length} characters; at most ${MAX_PATTERN}`, o.file, o.line);
    try {
      new RegExp(source);
    } catch (e) {
      fail(`consolidate: "${source}" is not a regular expression: ${(e as Error).message}`, o.file, o.line);
    }
    let level: Consolidation['level'] = 'error';
    let showFirst = false;
    for (const a of o.args.slice(2)) {
      if (a === 'show_first') showFirst = true;
      else if ((LEVELS as readonly string[]).includes(a)) level = a as Consolidation['level'];
      else fail(`consolidate: "${a}" is not a level (warning, error, info, debug) or show_first`, o.file, o.line);
    }
    out.consolidate.push({ seconds, source, level, showFirst });
    if (out.consolidate.length > MAX_PATTERNS) fail(`errors: more than ${MAX_PATTERNS} consolidate patterns`, o.file, o.line);
  }
  return out;
}

export const errorsDefinition: PluginDefinition<ErrorsOptions> = {
  name: 'errors',
  parse: (d) => parseErrors(d),
  build: (o) => new ErrorsPlugin(o.consolidate.map((c) => ({ ...c, pattern: new RegExp(c.source) }))),
};
