// `log [NAMES...] [FORMAT] { class success|denial|error|all }`, read as CoreDNS's plugin/log/setup.go does: one
// argument is a name; with more, the last is the format when it holds a "{"; `{common}` and `{combined}` expand.
import type { CorefileDirective } from '../../corefile/parse.js';
import { expectArgs, fail, zoneArg } from '../../corefile/values.js';
import type { PluginDefinition } from '../../plugin/registry.js';
import { COMMON_FORMAT, compileFormat, MAX_FORMAT } from './format.js';
import { LogPlugin, type LogClass } from './handler.js';

export interface LogOptions {
  names: string[];
  format: string;
  classes: LogClass[];
}

const CLASSES: readonly LogClass[] = ['success', 'denial', 'error', 'all'];

export function parseLog(d: CorefileDirective): LogOptions {
  expectArgs(d, 0, 100, d.file, 'log [NAMES...] [FORMAT]');
  let args = d.args;
  let format = COMMON_FORMAT;
  if (args.length > 1 && args[args.length - 1]!.includes('{')) {
    format = args[args.length - 1]!;
    args = args.slice(0, -1);
  }
  if (format.length > MAX_FORMAT) fail(`log: the format is ${format.length} characters; at most ${MAX_FORMAT}`, d.file, d.line);
  const classes = new Set<LogClass>();
  for (const o of d.block ?? []) {
    if (o.name !== 'class') fail(`unknown log option "${o.name}" (only "class")`, o.file, o.line);
    expectArgs(o, 1, 4, o.file, 'class success|denial|error|all');
    for (const c of o.args) {
      if (!CLASSES.includes(c as LogClass)) fail(`log: unknown class "${c}" (success, denial, error or all)`, o.file, o.line);
      classes.add(c as LogClass);
    }
  }
  return { names: (args.length ? args : ['.']).map((n) => zoneArg(d, n)), format, classes: classes.size ? [...classes] : ['all'] };
}

export const logDefinition: PluginDefinition<LogOptions> = {
  name: 'log',
  parse: (d) => parseLog(d),
  build: (o) => {
    const format = compileFormat(o.format);
    const classes = new Set(o.classes);
    return new LogPlugin(o.names.map((name) => ({ name, format, classes })));
  },
};
