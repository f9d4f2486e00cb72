// `rewrite [continue|stop] name|type ...`, one rule a directive (or its `{ }` block's lines, appended as CoreDNS's
// setup does); every rewrite directive of a server block joins one plugin's rule list, in Corefile order.
import { CorefileError, type CorefileDirective } from '../../corefile/parse.js';
import type { ParseContext, PluginDefinition } from '../../plugin/registry.js';
import { RewritePlugin } from './handler.js';
import { newRule, RuleError } from './rules.js';

export interface RewriteOptions {
  /** each rule's arguments as written (checked when read; built again at start) */
  rules: string[][];
}

/** a Corefile with more rules than this is no real configuration (each query runs them all on a miss) */
const MAX_RULES = 1000;
/** CoreDNS's bound on a regex (maxRegexpLen), for every argument: a name is at most 255 bytes anyway */
const MAX_ARG = 10000;

export const rewriteDefinition: PluginDefinition<RewriteOptions> = {
  name: 'rewrite',
  parse(d: CorefileDirective, ctx: ParseContext): RewriteOptions {
    const args = [...d.args];
    // As CoreDNS: a directive with fewer than two arguments takes its block's tokens as the rest of the rule.
    if (args.length < 2) for (const o of d.block ?? []) args.push(o.name, ...o.args);
    else if (d.block) throw new CorefileError('rewrite: a rule with a block must have fewer than two arguments before it', ctx.file, d.line);
    const long = args.find((a) => a.length > MAX_ARG);
    if (long !== undefined) throw new CorefileError(`rewrite: argument of ${long.length} characters (at most ${MAX_ARG})`, ctx.file, d.line);
    try {
      const rule = newRule(args);
      if ('unsupported' in rule) {
        ctx.warnings.push(`${ctx.file} line ${d.line}: rewrite ${rule.unsupported} rules are not implemented by clusterdns (rule ignored)`);
        return { rules: [] };
      }
    } catch (err) {
      if (err instanceof RuleError) throw new CorefileError(`rewrite: ${err.message}`, ctx.file, d.line);
      throw err;
    }
    return { rules: [args] };
  },
  merge(a: RewriteOptions, b: RewriteOptions): RewriteOptions {
    const rules = [...a.rules, ...b.rules];
    if (rules.length > MAX_RULES) throw new RuleError(`at most ${MAX_RULES} rewrite rules`);
    return { rules };
  },
  build(options: RewriteOptions): RewritePlugin {
    return new RewritePlugin(options.rules.map((args) => newRule(args)).filter((r) => !('unsupported' in r)) as never);
  },
};
