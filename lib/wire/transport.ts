// DNS over UDP and TCP on one port, on node:dgram and node:net (dns2's server layer is unfit: Nagle on, no OPT,
// slow close, crashes on rejected handlers). Every failure mode here ends in a dropped packet or a closed
// connection, never a thrown error out of an event handler.
import dgram from 'node:dgram';
import net from 'node:net';
import type { HandleResult, Transport } from './responder.js';

export type QueryHandler = (msg: Buffer, transport: Transport, client: string) => HandleResult;

export interface TransportOptions {
  host: string;
  port: number;
  handler: QueryHandler;
  /** close a TCP connection idle this long (RFC 7766 suggests seconds; CoreDNS/miekg use ~8 s) */
  tcpIdleMs?: number;
  /** a TCP message must arrive whole within this long after its first byte (stops slow senders) */
  tcpFrameDeadlineMs?: number;
  maxTcpConnections?: number;
  /** answers not yet written per TCP connection before we stop reading from it */
  maxTcpInFlight?: number;
  onError?(err: unknown, where: string): void;
}

export interface BoundAddress {
  host: string;
  port: number;
}

export class DnsTransport {
  private udp?: dgram.Socket;
  private tcp?: net.Server;
  private sockets = new Set<net.Socket>();
  private closed = false;
  address?: BoundAddress;

  constructor(private opts: TransportOptions) {}

  async listen(): Promise<BoundAddress> {
    // With port 0, UDP picks the port and TCP must get the same one; retry on the rare clash.
    for (let attempt = 0; ; attempt++) {
      const udp = await this.bindUdp(this.opts.port);
      const port = udp.address().port;
      try {
        this.tcp = await this.bindTcp(port);
        this.udp = udp;
        this.address = { host: this.opts.host, port };
        return this.address;
      } catch (err) {
        udp.close();
        if (this.opts.port !== 0 || attempt >= 20 || (err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
      }
    }
  }

  private bindUdp(port: number): Promise<dgram.Socket> {
    const type = net.isIPv6(this.opts.host) ? 'udp6' : 'udp4';
    const sock = dgram.createSocket({ type, recvBufferSize: 4 * 1024 * 1024 });
    return new Promise((resolve, reject) => {
      sock.once('error', reject);
      sock.bind(port, this.opts.host, () => {
        sock.removeListener('error', reject);
        sock.on('error', (err) => this.opts.onError?.(err, 'udp'));
        sock.on('message', (msg, rinfo) => this.onUdp(sock, msg, rinfo));
        resolve(sock);
      });
    });
  }

  private onUdp(sock: dgram.Socket, msg: Buffer, rinfo: dgram.RemoteInfo): void {
    let res: HandleResult;
    try {
      res = this.opts.handler(msg, 'udp', rinfo.address);
    } catch (err) {
      this.opts.onError?.(err, 'handler');
      return;
    }
    if (res === null) return;
    if (!(res instanceof Promise)) {
      sock.send(res, rinfo.port, rinfo.address, this.sendDone);
      return;
    }
    res.then((buf) => {
      if (buf && !this.closed) sock.send(buf, rinfo.port, rinfo.address, this.sendDone);
    }, (err) => this.opts.onError?.(err, 'handler'));
  }

  private sendDone = (err: Error | null) => {
    if (err && !this.closed) this.opts.onError?.(err, 'udp send');
  };

  private bindTcp(port: number): Promise<net.Server> {
    const server = net.createServer({ noDelay: true, pauseOnConnect: false }, (s) => this.onTcp(s));
    server.maxConnections = this.opts.maxTcpConnections ?? 1000;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port, host: this.opts.host, exclusive: true }, () => {
        server.removeListener('error', reject);
        server.on('error', (err) => this.opts.onError?.(err, 'tcp'));
        resolve(server);
      });
    });
  }

  private onTcp(sock: net.Socket): void {
    this.sockets.add(sock);
    sock.setNoDelay(true);
    const idleMs = this.opts.tcpIdleMs ?? 8000;
    const frameMs = this.opts.tcpFrameDeadlineMs ?? 5000;
    const maxInFlight = this.opts.maxTcpInFlight ?? 256;
    sock.setTimeout(idleMs, () => sock.destroy());
    let pending: Buffer = Buffer.alloc(0);
    let frameTimer: NodeJS.Timeout | undefined;
    let inFlight = 0;
    const client = sock.remoteAddress ?? '';
    const write = (buf: Buffer) => {
      if (sock.destroyed) return;
      const framed = Buffer.allocUnsafe(buf.length + 2);
      framed.writeUInt16BE(buf.length, 0);
      buf.copy(framed, 2);
      sock.write(framed);
    };
    const onData = (chunk: Buffer) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      let frames = 0;
      sock.cork();
      try {
        while (pending.length >= 2) {
          const len = pending.readUInt16BE(0);
          if (len === 0) { sock.destroy(); return; }
          if (pending.length < len + 2) break;
          const msg = pending.subarray(2, len + 2);
          pending = pending.subarray(len + 2);
          frames++;
          let res: HandleResult;
          try {
            res = this.opts.handler(msg, 'tcp', client);
          } catch (err) {
            this.opts.onError?.(err, 'handler');
            continue;
          }
          if (res === null) continue;
          if (!(res instanceof Promise)) { write(res); continue; }
          inFlight++;
          if (inFlight >= maxInFlight) sock.pause();
          res.then((buf) => { if (buf) write(buf); }, (err) => this.opts.onError?.(err, 'handler'))
            .finally(() => { if (--inFlight < maxInFlight && !sock.destroyed) sock.resume(); });
        }
      } finally {
        sock.uncork();
      }
      if (frameTimer && (frames > 0 || pending.length === 0)) { clearTimeout(frameTimer); frameTimer = undefined; }
      if (pending.length > 0 && !frameTimer && !sock.destroyed) {
        // A partial message must complete soon after its first byte, however slowly the bytes trickle in.
        frameTimer = setTimeout(() => sock.destroy(), frameMs);
        frameTimer.unref();
      }
    };
    sock.on('data', onData);
    sock.on('error', () => sock.destroy());
    sock.on('close', () => {
      if (frameTimer) clearTimeout(frameTimer);
      this.sockets.delete(sock);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    await Promise.all([
      new Promise<void>((r) => (this.udp ? this.udp.close(() => r()) : r())),
      new Promise<void>((r) => (this.tcp ? this.tcp.close(() => r()) : r())),
    ]);
  }
}
