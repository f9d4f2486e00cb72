// The host's own addresses, followed as they come and go. A UDP socket bound to a wildcard address answers from
// whatever source address the kernel's route picks, not from the address the client asked (Node has no
// IP_PKTINFO to say otherwise), and resolvers drop such replies. So, as BIND and dnsmasq do, the transport binds
// one UDP socket per local address and needs to know when addresses appear (a VIP, an alias, DHCP) and disappear.
// Polling getifaddrs(3) is cheap (tens of microseconds) and needs no netlink binding.
import os from 'node:os';

export interface LocalAddress {
  /** the address as dgram.bind takes it; IPv6 link-local ones carry their %interface scope */
  bindAddress: string;
  family: 'IPv4' | 'IPv6';
}

/** Every address of every interface that a socket on `wildcard` ('0.0.0.0' or '::') would receive on. */
export function currentAddresses(wildcard: string): Map<string, LocalAddress> {
  const out = new Map<string, LocalAddress>();
  const v6 = wildcard === '::';
  let ifaces: NodeJS.Dict<os.NetworkInterfaceInfo[]>;
  try {
    ifaces = os.networkInterfaces();
  } catch {
    return out; // a transient getifaddrs failure: keep what is bound rather than closing every socket
  }
  for (const [name, list] of Object.entries(ifaces)) {
    for (const a of list ?? []) {
      if (a.family === 'IPv6' && !v6) continue;
      let bindAddress = a.address;
      // A link-local address is ambiguous without its interface; bind would fail with EINVAL.
      if (a.family === 'IPv6' && /^fe[89ab]/i.test(a.address)) bindAddress = `${a.address}%${name}`;
      out.set(bindAddress, { bindAddress, family: a.family });
    }
  }
  return out;
}

export interface AddressWatcherOptions {
  wildcard: string;
  intervalMs: number;
  onAdd(addr: LocalAddress): void;
  onRemove(addr: LocalAddress): void;
}

/** Calls onAdd for every address present now, then onAdd/onRemove as the set changes, every intervalMs. */
export class LocalAddressWatcher {
  private known = new Map<string, LocalAddress>();
  private timer?: NodeJS.Timeout;

  constructor(private opts: AddressWatcherOptions) {}

  start(): void {
    this.poll();
    this.timer = setInterval(() => this.poll(), this.opts.intervalMs);
    this.timer.unref();
  }

  /** Diff the current addresses against the last poll's. Also callable to force a rescan. */
  poll(): void {
    const now = currentAddresses(this.opts.wildcard);
    if (now.size === 0 && this.known.size > 0) return; // see currentAddresses: never read "none" as "all removed"
    for (const [key, addr] of this.known) {
      if (!now.has(key)) {
        this.known.delete(key);
        this.opts.onRemove(addr);
      }
    }
    for (const [key, addr] of now) {
      if (!this.known.has(key)) {
        this.known.set(key, addr);
        this.opts.onAdd(addr);
      }
    }
  }

  /** Forget an address so the next poll offers it again (its bind failed, e.g. an IPv6 address still tentative). */
  forget(bindAddress: string): void {
    this.known.delete(bindAddress);
  }

  has(bindAddress: string): boolean {
    return this.known.has(bindAddress);
  }

  /** addresses known (offered and not forgotten) */
  get size(): number {
    return this.known.size;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
