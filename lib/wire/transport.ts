// DNS over UDP and TCP on one port, on node:dgram and node:net (dns2's server layer is unfit: Nagle on, no OPT,
// slow close, crashes on rejected handlers). Every failure mode here ends in a dropped packet or a closed
// connection, never a thrown error out of an event handler or a rejected promise.
import dgram from 'node:dgram';
import net from 'node:net';
import { LocalAddressWatcher, type LocalAddress } from './local-addresses.js';
import { explainBindError, ReusePortError, reusePortProblem } from './reuse-port.js';
import { OutputBudget, TcpConnection, type QueryHandler } from './tcp-connection.js';
import { firstReply } from './message-stream.js';

export type { QueryHandler } from './tcp-connection.js';

export interface TransportOptions {
  host: string;
  port: number;
  handler: QueryHandler;
  /** close a TCP connection idle this long (RFC 7766 suggests seconds; CoreDNS/miekg use ~8 s) */
  tcpIdleMs?: number;
  /** a TCP message must arrive whole within this long after its first byte (stops slow senders) */
  tcpFrameDeadlineMs?: number;
  maxTcpConnections?: number;
  /** answers not yet worked out (forwarded, delayed) per TCP connection before we stop reading from it */
  maxTcpInFlight?: number;
  /** bytes of answers queued for writing on one TCP connection before we stop reading from it */
  maxTcpQueuedBytes?: number;
  /**
   * bytes of answers queued for writing across all TCP connections; past it, connections whose own output fills
   * their socket's buffer (its high-water mark) stop being read until it drains (clients that read are served)
   */
  maxTcpQueuedBytesTotal?: number;
  /** on a wildcard host: how often to look for local addresses that appeared or went (ms) */
  addressPollMs?: number;
  /** on a wildcard host: at most this many per-address UDP sockets; further addresses get the wildcard's replies */
  maxUdpAddresses?: number;
  /**
   * open every socket with SO_REUSEPORT, so other processes doing the same can bind this port too (the kernel
   * spreads UDP datagrams and TCP connections between them by a hash of the source address and port)
   */
  reusePort?: boolean;
  onError?(err: unknown, where: string): void;
}

export const TRANSPORT_DEFAULTS = {
  tcpIdleMs: 8000,
  tcpFrameDeadlineMs: 5000,
  maxTcpConnections: 1000,
  maxTcpInFlight: 256,
  maxTcpQueuedBytes: 128 * 1024,
  maxTcpQueuedBytesTotal: 32 * 1024 * 1024,
  addressPollMs: 5000,
  maxUdpAddresses: 1024,
} as const;

export interface BoundAddress {
  host: string;
  port: number;
}

/** Counters for what the transport refused or held back; the metrics layer may export them. */
export interface TransportStats {
  /** UDP queries dropped because their source port is 0 (no reply can be sent there) */
  udpBadSourcePort: number;
  /** UDP replies the kernel refused (sync throw or async error) */
  udpSendErrors: number;
  /** times a TCP connection stopped being read because its or all connections' output was over the bound */
  tcpPaused: number;
}

const isWildcard = (host: string) => host === '0.0.0.0' || host === '::';

export class DnsTransport {
  /** by bound address; on a wildcard host '' is the wildcard socket, the fallback for addresses not (yet) bound */
  private udp = new Map<string, dgram.Socket>();
  private tcp?: net.Server;
  private sockets = new Set<net.Socket>();
  private closed = false;
  private watcher?: LocalAddressWatcher;
  /** per address, binds failed in a row: reported once, retried a few polls */
  private bindFailures = new Map<string, number>();
  private budget: OutputBudget;
  private tcpLimits;
  private onError: (err: unknown, where: string) => void;
  readonly stats: TransportStats = { udpBadSourcePort: 0, udpSendErrors: 0, tcpPaused: 0 };
  address?: BoundAddress;

  constructor(private opts: TransportOptions) {
    const d = TRANSPORT_DEFAULTS;
    this.budget = new OutputBudget(opts.maxTcpQueuedBytesTotal ?? d.maxTcpQueuedBytesTotal);
    this.tcpLimits = {
      idleMs: opts.tcpIdleMs ?? d.tcpIdleMs,
      frameDeadlineMs: opts.tcpFrameDeadlineMs ?? d.tcpFrameDeadlineMs,
      maxInFlight: opts.maxTcpInFlight ?? d.maxTcpInFlight,
      maxQueuedBytes: opts.maxTcpQueuedBytes ?? d.maxTcpQueuedBytes,
    };
    this.onError = (err, where) => {
      try { opts.onError?.(err, where); } catch { /* a logger failing must not take the transport with it */ }
    };
  }

  /** The addresses UDP is bound to ('' = the wildcard fallback). */
  udpAddresses(): string[] {
    return [...this.udp.keys()];
  }

  /** Bytes of TCP answers queued in this process, not yet taken by the kernel (walks every connection). */
  tcpQueuedBytes(): number {
    let n = 0;
    for (const s of this.sockets) n += s.writableLength;
    return n;
  }

  async listen(): Promise<BoundAddress> {
    const { host } = this.opts;
    const reusePort = this.opts.reusePort === true;
    const problem = reusePort ? reusePortProblem() : undefined;
    if (problem) throw new ReusePortError(`--reuse-port (reusePort) ${problem}`);
    const where = (port: number) => `${host.includes(':') ? `[${host}]` : host}:${port}`;
    // With port 0, UDP picks the port and TCP must get the same one; retry on the rare clash. The first UDP bind
    // is exclusive (no SO_REUSEADDR), so a port already held by anyone on any address still fails as EADDRINUSE;
    // with reusePort, it fails unless every holder opened it with SO_REUSEPORT too (and as the same user).
    for (let attempt = 0; ; attempt++) {
      let udp: dgram.Socket;
      try {
        udp = await this.bindUdp(reusePort ? await this.freshPort(host) : this.opts.port, host, false);
      } catch (err) {
        // With reusePort and port 0, someone may have taken the port found free before it was bound again.
        if (reusePort && this.opts.port === 0 && attempt < 20 && (err as NodeJS.ErrnoException).code === 'EADDRINUSE') continue;
        throw explainBindError(err, reusePort, 'udp', where(this.opts.port));
      }
      const port = udp.address().port;
      try {
        this.tcp = await this.bindTcp(port);
        if (isWildcard(host)) {
          await closeUdp(udp);
          await this.bindPerAddress(port);
        } else {
          this.udp.set('', udp);
        }
        this.address = { host, port };
        return this.address;
      } catch (err) {
        await closeUdp(udp);
        await this.closeListeners();
        if (this.opts.port !== 0 || attempt >= 20 || (err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw explainBindError(err, reusePort, 'tcp', where(port));
      }
    }
  }

  /**
   * With reusePort, the port to bind. Port 0 is not left to the kernel: Linux may hand a SO_REUSEPORT socket a port
   * another SO_REUSEPORT socket of the same user already has (the two would then share it unasked), so a free port
   * is found with an exclusive socket first and bound again shared (a clash in between is retried by listen()).
   */
  private async freshPort(host: string): Promise<number> {
    if (this.opts.port !== 0) return this.opts.port;
    const probe = await this.bindUdp(0, host, false, undefined, false);
    const port = probe.address().port;
    try {
      // The same port must be free over TCP too, or TCP would join someone else's SO_REUSEPORT group.
      const tcp = net.createServer();
      await new Promise<void>((resolve, reject) => {
        tcp.once('error', reject);
        tcp.listen({ port, host, exclusive: true }, () => resolve());
      });
      await new Promise<void>((r) => tcp.close(() => r()));
    } finally {
      await closeUdp(probe);
    }
    return port;
  }

  /**
   * On a wildcard host: the wildcard socket again, now sharing the port (SO_REUSEADDR), and one socket per local
   * address. Linux hands a datagram to the socket bound most specifically, and a reply sent on that socket
   * leaves from its address, which is the address the client asked. The wildcard keeps answering addresses the
   * next poll has not seen yet (or past maxUdpAddresses), from the route's source address as before.
   */
  private async bindPerAddress(port: number): Promise<void> {
    const { host } = this.opts;
    this.udp.set('', await this.bindUdp(port, host, true));
    const max = this.opts.maxUdpAddresses ?? TRANSPORT_DEFAULTS.maxUdpAddresses;
    let initialBinds: Promise<void>[] | null = []; // awaited once, so listen() returns with every address bound
    let warned = false;
    const watcher = new LocalAddressWatcher({
      wildcard: host,
      intervalMs: this.opts.addressPollMs ?? TRANSPORT_DEFAULTS.addressPollMs,
      onAdd: (a) => {
        if (watcher.size > max) {
          if (!warned) this.onError(new Error(`more than ${max} local addresses: ${a.bindAddress} and later ones are answered from the wildcard socket`), 'udp bind');
          warned = true;
          watcher.forget(a.bindAddress);
          return;
        }
        const bound = this.bindAddress(a, port, watcher);
        initialBinds?.push(bound);
      },
      onRemove: (a) => {
        this.bindFailures.delete(a.bindAddress);
        const sock = this.udp.get(a.bindAddress);
        if (!sock) return;
        this.udp.delete(a.bindAddress);
        closeUdp(sock);
      },
    });
    this.watcher = watcher;
    watcher.start();
    await Promise.all(initialBinds);
    initialBinds = null;
  }

  private async bindAddress(a: LocalAddress, port: number, watcher: LocalAddressWatcher): Promise<void> {
    try {
      const sock = await this.bindUdp(port, a.bindAddress, true, a.family === 'IPv6' ? 'udp6' : 'udp4');
      // The address may have gone while we bound it, or the transport closed.
      if (this.closed || this.watcher !== watcher || !watcher.has(a.bindAddress)) { closeUdp(sock); return; }
      this.udp.set(a.bindAddress, sock);
      this.bindFailures.delete(a.bindAddress);
    } catch (err) {
      const failures = (this.bindFailures.get(a.bindAddress) ?? 0) + 1;
      this.bindFailures.set(a.bindAddress, failures);
      if (failures === 1) this.onError(err, `udp bind ${a.bindAddress}`);
      // Not yet usable (an IPv6 address still in duplicate address detection): try again the next few polls.
      // Held by another process, or still failing: leave it to the wildcard until the address goes and comes back.
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' && failures < 5) watcher.forget(a.bindAddress);
    }
  }

  private bindUdp(port: number, address: string, reuseAddr: boolean, type?: 'udp4' | 'udp6', reusePort = this.opts.reusePort === true): Promise<dgram.Socket> {
    const sock = dgram.createSocket({
      type: type ?? (net.isIPv6(address) ? 'udp6' : 'udp4'),
      reuseAddr,
      // Only set when asked: on Node < 22.12 the option is unknown (listen() refuses reusePort there first).
      ...(reusePort ? { reusePort: true } : {}),
      recvBufferSize: 4 * 1024 * 1024,
    });
    return new Promise((resolve, reject) => {
      sock.once('error', reject);
      sock.bind(port, address, () => {
        sock.removeListener('error', reject);
        sock.on('error', (err) => this.onError(err, 'udp'));
        sock.on('message', (msg, rinfo) => this.onUdp(sock, msg, rinfo));
        resolve(sock);
      });
    });
  }

  private onUdp(sock: dgram.Socket, msg: Buffer, rinfo: dgram.RemoteInfo): void {
    // Nothing can be sent to port 0 (send throws ERR_SOCKET_BAD_PORT): a spoofed or broken source, not a client.
    if (rinfo.port === 0) { this.stats.udpBadSourcePort++; return; }
    let res;
    try {
      res = this.opts.handler(msg, 'udp', rinfo.address, rinfo.port);
    } catch (err) {
      this.onError(err, 'handler');
      return;
    }
    if (res === null) return;
    // Several messages answer only over TCP (a zone transfer): over UDP the first is all there can be.
    if (!(res instanceof Promise)) {
      const one = firstReply(res);
      if (one) this.send(sock, one, rinfo);
      return;
    }
    res.then((buf) => {
      const one = buf ? firstReply(buf) : undefined;
      if (one && !this.closed) this.send(sock, one, rinfo);
    }, (err) => this.onError(err, 'handler'));
  }

  private send(sock: dgram.Socket, buf: Buffer, rinfo: dgram.RemoteInfo): void {
    try {
      sock.send(buf, rinfo.port, rinfo.address, this.sendDone);
    } catch (err) {
      // e.g. the socket closed meanwhile because its address went away, or an argument the kernel refuses.
      this.sendDone(err as Error);
    }
  }

  private sendDone = (err: Error | null) => {
    if (!err || this.closed) return;
    this.stats.udpSendErrors++;
    this.onError(err, 'udp send');
  };

  private bindTcp(port: number): Promise<net.Server> {
    const server = net.createServer({ noDelay: true, pauseOnConnect: false }, (s) => this.onTcp(s));
    server.maxConnections = this.opts.maxTcpConnections ?? TRANSPORT_DEFAULTS.maxTcpConnections;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port, host: this.opts.host, exclusive: true, ...(this.opts.reusePort ? { reusePort: true } : {}) }, () => {
        server.removeListener('error', reject);
        server.on('error', (err) => this.onError(err, 'tcp'));
        resolve(server);
      });
    });
  }

  private onTcp(sock: net.Socket): void {
    this.sockets.add(sock);
    new TcpConnection(sock, this.opts.handler, this.tcpLimits, this.budget, this.onError, this.stats,
      () => this.sockets.delete(sock));
  }

  private async closeListeners(): Promise<void> {
    this.watcher?.stop();
    this.watcher = undefined;
    const udp = [...this.udp.values()];
    this.udp.clear();
    const tcp = this.tcp;
    this.tcp = undefined;
    await Promise.all([
      ...udp.map(closeUdp),
      // server.close() calls back only once every connection has ended, which a grace period postpones; the
      // listening socket itself is gone after one turn of the loop (the port can be bound again).
      new Promise<void>((r) => {
        if (!tcp) return r();
        if (this.sockets.size === 0) return void tcp.close(() => r());
        tcp.close();
        setImmediate(r);
      }),
    ]);
  }

  /**
   * Stops listening. Open TCP connections are cut at once, or after `graceMs` (a reload removing this port: a client
   * with a query in flight on a kept-open connection gets its answer; idle ones end at the idle timeout). Called
   * again without a grace (the server stopping), it cuts what is left at once.
   */
  async close(graceMs = 0): Promise<void> {
    if (graceMs > 0 && this.sockets.size > 0) setTimeout(() => this.cutConnections(), graceMs).unref();
    else this.cutConnections();
    if (this.closed) return;
    this.closed = true;
    await this.closeListeners();
  }

  private cutConnections(): void {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }
}

function closeUdp(sock: dgram.Socket): Promise<void> {
  return new Promise((r) => {
    try {
      sock.close(() => r());
    } catch {
      r(); // already closed
    }
  });
}
