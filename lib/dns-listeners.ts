// The DNS listeners of one server: one per port of the Corefile's server blocks (the main one, config.listen,
// first), each with its responder (and answer cache) and its sockets. A new set of server blocks (a reloaded
// Corefile) is swapped in at once: a listener's responder reads its blocks per query; ports that appear get a new
// listener, ports that are gone are closed. Blocks replaced are closed a little later: queries in flight may
// still be forwarding through them.
import type { ClusterDnsConfig, HostPort, ServerBlockSpec } from './config.js';
import type { ServerBlocks } from './plugin/chain.js';
import { listenerAddress, type BuiltBlocks } from './server-blocks.js';
import type { Forwarder } from './upstream/forwarder.js';
import { parseQuery } from './wire/query.js';
import type { HandleResult, Responder } from './wire/responder.js';
import { DnsTransport } from './wire/transport.js';

export interface DnsListener {
  /** the port the Corefile names (the main listener binds config.listen instead) */
  port: number;
  host: string | undefined;
  main: boolean;
  blocks: ServerBlocks;
  responder: Responder;
  transport?: DnsTransport;
}

export interface ListenerFactory {
  build(servers: ServerBlockSpec[] | undefined): BuiltBlocks;
  responder(l: DnsListener): Responder;
  transport(l: DnsListener): DnsTransport;
}

/** how long replaced blocks (their forwarders, plugins) stay open for queries in flight */
const RETIRE_MS = 10_000;

export class DnsListeners {
  list: DnsListener[] = [];
  /** the server block specs in service (a reload's, once applied): what coredns_plugin_enabled reports */
  servers: ServerBlockSpec[] | undefined;
  private built: BuiltBlocks = { listeners: [], forwarders: [], plugins: [] };
  /** replaced blocks waiting out RETIRE_MS; close() retires them at once (their forwarders' sockets, plugins' timers) */
  private retiring = new Map<NodeJS.Timeout, BuiltBlocks>();
  private watchers: Array<() => void> = [];
  /** listeners a reload removed whose TCP connections are finishing; close() cuts them */
  private draining = new Set<DnsTransport>();

  constructor(private readonly make: ListenerFactory) {}

  /** Puts new server blocks in service; returns the listeners whose port is gone (still open: close them). */
  apply(servers: ServerBlockSpec[] | undefined): DnsListener[] {
    const built = this.make.build(servers);
    const old = this.built;
    this.built = built;
    this.servers = servers;
    const next: DnsListener[] = [];
    for (const plan of built.listeners) {
      // A port whose blocks now bind another address gets a new listener: the old one goes (closed before the new
      // binds), or its socket would stay on the old address.
      const have = this.list.find((l) => (plan.main && l.main) || (!plan.main && !l.main && l.port === plan.port && l.host === plan.host));
      if (have) {
        have.blocks = plan.blocks;
        next.push(have);
        continue;
      }
      const l: DnsListener = { ...plan, responder: undefined as never };
      l.responder = this.make.responder(l);
      next.push(l);
    }
    const gone = this.list.filter((l) => !next.includes(l));
    this.list = next;
    if (old.forwarders.length || old.plugins.length) {
      const t = setTimeout(() => {
        this.retiring.delete(t);
        retire(old);
      }, RETIRE_MS);
      t.unref();
      this.retiring.set(t, old);
    }
    return gone;
  }

  /**
   * Binds the listeners not bound yet, main first. At start-up a failure throws; on reload (`keepGoing`) a listener
   * that cannot bind is dropped and its error returned, the others serve.
   */
  async bindNew(keepGoing = false): Promise<Error[]> {
    const failed: Error[] = [];
    for (const l of [...this.list]) {
      if (l.transport) continue;
      const t = this.make.transport(l);
      try {
        await t.listen();
        l.transport = t;
      } catch (err) {
        if (!keepGoing) throw err;
        failed.push(err as Error);
        this.list = this.list.filter((x) => x !== l);
      }
    }
    return failed;
  }

  /** Closes listeners a reload removed: they stop accepting now; their TCP connections get graceMs to finish. */
  async closeGone(gone: DnsListener[], graceMs: number): Promise<void> {
    await Promise.all(gone.map(async (l) => {
      const t = l.transport;
      if (!t) return;
      this.draining.add(t);
      setTimeout(() => this.draining.delete(t), graceMs).unref();
      await t.close(graceMs);
    }));
  }

  /** fn runs after a reload bound or closed listeners (the CLI writes --ready-file again) */
  onAddressesChanged(fn: () => void): void {
    this.watchers.push(fn);
  }

  addressesChanged(): void {
    for (const fn of this.watchers) fn();
  }

  /**
   * The listener whose server blocks serve `name`: the main one when it does, else the first other port that does
   * (explain and /resolve ask there, so a block on another port is explained as it answers, not as REFUSED).
   */
  serving(name: string): DnsListener {
    const main = this.main;
    if (main.blocks.select(name)) return main;
    return this.list.find((l) => l.blocks.select(name)) ?? main;
  }

  /** Answers a query the admin API built through the listener that serves its name. */
  handle(msg: Buffer, transport: 'udp' | 'tcp', client: string): HandleResult {
    const p = parseQuery(msg);
    return this.serving(p.ok ? p.query.name : '').responder.handle(msg, transport, client);
  }

  get main(): DnsListener {
    return this.list[0]!;
  }

  /** the forwarders of forward directives with their own upstreams */
  get forwarders(): Forwarder[] {
    return this.built.forwarders;
  }

  addresses(): HostPort[] {
    return this.list.flatMap((l) => (l.transport?.address ? [l.transport.address] : []));
  }

  async close(): Promise<void> {
    await Promise.all([...this.list.map((l) => l.transport?.close()), ...[...this.draining].map((t) => t.close())]);
    this.draining.clear();
    for (const [t, old] of this.retiring) {
      clearTimeout(t);
      retire(old);
    }
    this.retiring.clear();
    retire(this.built);
  }
}

function retire(b: BuiltBlocks): void {
  for (const f of b.forwarders) f.close();
  for (const p of b.plugins) void p.close?.();
}

/** The sockets of one listener: the main one on config.listen, the others on their port (lib/server-blocks.ts). */
export function listenerTransport(l: DnsListener, config: ClusterDnsConfig, logger: { warn(o: object, m: string): void; debug(o: object, m: string): void }, onPanic: () => void): DnsTransport {
  const at = listenerAddress(l, config.listen);
  return new DnsTransport({
    host: at.host,
    port: at.port,
    handler: (msg, t, client, port) => l.responder.handle(msg, t, client, port),
    addressPollMs: config.addressPollMs,
    ...(config.reusePort ? { reusePort: true } : {}),
    onError: (err, where) => {
      if (where === 'handler') onPanic();
      // An address we could not bind answers from the wildcard's source address: an operator should know.
      if (where.startsWith('udp bind')) logger.warn({ err: (err as Error).message }, `dns: ${where}: replies to it leave from the wildcard socket`);
      else logger.debug({ err, where }, 'dns transport error');
    },
  });
}
