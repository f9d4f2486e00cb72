// Who may transfer a zone: the `to` addresses of a transfer directive (or --transfer-to). CoreDNS compares the
// client's IP with each address given (a port, if any, is ignored) or allows everyone with `*`; clusterdns also
// takes a CIDR (10.0.0.0/8), which CoreDNS refuses. Matching is net.BlockList's: no per-query parsing of the rules.
import net from 'node:net';

/** Addresses in one `to` list, more than any real list of secondaries */
export const MAX_TO = 1000;

export interface TransferTo {
  /** `*`: every client */
  any: boolean;
  /** the addresses and CIDRs, as given (BlockList is rebuilt from these: options stay plain data) */
  rules: string[];
}

/**
 * One `to` argument: `*`, an IP, IP:PORT, [IPv6]:PORT, or a CIDR. Returns the rule text (address or CIDR, port
 * dropped) or '*'; throws an Error saying what is wrong.
 */
export function parseTransferTo(arg: string): string {
  const s = arg.trim();
  if (s === '*') return '*';
  if (s.length > 64) throw new Error(`"${s.slice(0, 40)}...": not an address`);
  if (net.isIP(s)) return s;
  const cidr = /^([^/]+)\/(\d{1,3})$/.exec(s);
  if (cidr) {
    const fam = net.isIP(cidr[1]!);
    const bits = Number(cidr[2]);
    if (fam === 0) throw new Error(`"${s}": ${cidr[1]} is not an IP address`);
    if (bits > (fam === 4 ? 32 : 128)) throw new Error(`"${s}": prefix length ${bits} is over ${fam === 4 ? 32 : 128}`);
    return `${cidr[1]}/${bits}`;
  }
  const hp = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(s);
  const host = hp ? (hp[1] ?? hp[2] ?? '') : '';
  if (hp && net.isIP(host) && Number(hp[3]) <= 65535) return host;
  throw new Error(`"${s}": expected *, an IP address (with or without a port, e.g. 10.0.0.2, 10.0.0.2:53, [fd00::2]:53) or a CIDR`);
}

/** The IPv4 address inside an IPv4-mapped IPv6 one (a dual-stack socket's view of an IPv4 client), else the address. */
function plainClient(ip: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return m ? m[1]! : ip;
}

export class TransferAcl {
  private readonly list = new net.BlockList();
  readonly any: boolean;

  constructor(to: TransferTo) {
    this.any = to.any;
    for (const r of to.rules) {
      const slash = r.indexOf('/');
      if (slash < 0) this.list.addAddress(r, net.isIP(r) === 6 ? 'ipv6' : 'ipv4');
      else {
        const addr = r.slice(0, slash);
        this.list.addSubnet(addr, Number(r.slice(slash + 1)), net.isIP(addr) === 6 ? 'ipv6' : 'ipv4');
      }
    }
  }

  allows(client: string): boolean {
    if (this.any) return true;
    const ip = plainClient(client);
    const fam = net.isIP(ip);
    return fam !== 0 && this.list.check(ip, fam === 6 ? 'ipv6' : 'ipv4');
  }
}

/** The parsed `to` arguments of one directive (repeated `to` lines add up, as in CoreDNS). */
export function transferTo(args: readonly string[]): TransferTo {
  const rules: string[] = [];
  let any = false;
  for (const a of args) {
    const r = parseTransferTo(a);
    if (r === '*') any = true;
    else rules.push(r);
  }
  return { any, rules };
}
