// The `transfer` directive (CoreDNS's plugin/transfer setup.go):
//
//   transfer [ZONE...] {
//     to ADDRESS...      (required; repeatable; `*` = everyone; IP, IP:PORT, [IPv6]:PORT, or a CIDR here)
//     source ADDRESS     (the address NOTIFYs leave from: the kubernetes plugin sends none, so it changes nothing)
//   }
//
// ZONE defaults to the server block's zones. --transfer-to builds the same options for the command line's block.
import net from 'node:net';
import { normalizeZone } from '../../config.js';
import { CorefileError, type CorefileDirective } from '../../corefile/parse.js';
import type { ParseContext, PluginDefinition } from '../../plugin/registry.js';
import { MAX_TO, transferTo, type TransferTo } from './acl.js';
import { TransferPlugin, type TransferOptions } from './handler.js';

/** zones one directive may name */
const MAX_ZONES = 100;
const ZONE = /^([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$/;

function parse(d: CorefileDirective, ctx: ParseContext): TransferOptions {
  const fail = (msg: string, line = d.line): never => { throw new CorefileError(`transfer: ${msg}`, ctx.file, line); };
  if (d.args.length > MAX_ZONES) fail(`${d.args.length} zones: at most ${MAX_ZONES}`);
  const zones = d.args.length === 0 ? [...ctx.blockZones] : d.args.map((a) => {
    const z = a === '.' ? '' : normalizeZone(a);
    if (z !== '' && (z.length > 253 || !ZONE.test(z))) fail(`zone "${a.slice(0, 80)}" is not a domain name`);
    return z;
  });
  const to: string[] = [];
  let source = false;
  for (const o of d.block ?? []) {
    if (o.block) fail(`${o.name} takes no block`, o.line);
    switch (o.name) {
      case 'to':
        if (o.args.length === 0) fail('to: expected at least one address (or *)', o.line);
        if (to.length + o.args.length > MAX_TO) fail(`to: more than ${MAX_TO} addresses`, o.line);
        for (const a of o.args) {
          try {
            transferTo([a]);
          } catch (err) {
            fail(`to ${(err as Error).message}`, o.line);
          }
          to.push(a);
        }
        break;
      case 'source':
        if (o.args.length !== 1) fail('source: expected one IP address', o.line);
        if (source) fail('source already specified', o.line);
        if (!net.isIP(o.args[0]!)) fail(`source: invalid source address "${o.args[0]!.slice(0, 80)}"`, o.line);
        source = true;
        break;
      default:
        fail(`unknown property "${o.name.slice(0, 80)}" (known: to, source)`, o.line);
    }
  }
  if (to.length === 0) fail("'to' is required (to * allows every client)");
  return { xfrs: [{ zones, to: transferTo(to) }] };
}

/** --transfer-to: the command line's block serves every name, so its transfers cover every cluster zone. */
export function transferOptionsFromFlags(to: readonly string[]): TransferOptions {
  return { xfrs: [{ zones: [''], to: transferTo(to) }] };
}

export type { TransferTo };

export const transferPlugin: PluginDefinition<TransferOptions> = {
  name: 'transfer',
  parse,
  build: (options, rt) => new TransferPlugin(options, rt),
};
