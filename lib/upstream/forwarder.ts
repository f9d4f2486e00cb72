// Forwards raw DNS queries for names outside our zones to upstream resolvers (`--upstream`, Corefile `forward`).
//
// Policy (what CoreDNS's forward does, simplified):
// * Upstreams are tried in the configured order, but one that failed recently (timeout, socket error) is tried after
//   the healthy ones for DOWN_MS, so a dead first upstream costs one timeout, not one per query.
// * Each attempt goes over UDP with a fresh random message id on one long-lived socket per upstream; a reply is taken
//   only if its id and question match the pending query (anything else is ignored as stray or spoofed).
// * A UDP reply with TC set is retried over TCP to the same upstream; if TCP fails, the truncated reply is returned
//   (it is a valid answer, and the client can retry over TCP itself). When the client itself asked over UDP
//   (`clientTransport: 'udp'`), the truncated reply is passed straight back: the upstream sized it for the client's own
//   EDNS buffer (the query is forwarded as is), so a full TCP answer would not fit the client either, and the client
//   retries over TCP, which then goes to the upstream over TCP.
// * SERVFAIL and REFUSED mean "this upstream cannot answer" and move on to the next upstream; every other rcode
//   (NOERROR, NXDOMAIN, ...) is the answer. A timeout or socket error also moves on and marks the upstream down.
// * When every upstream has failed, forward() resolves to null and the caller answers SERVFAIL.
import dgram from 'node:dgram';
import net from 'node:net';
import { randomInt } from 'node:crypto';
import type { HostPort } from '../config.js';
import { LoopGuard, type LoopStatus } from './loop.js';

export interface ForwarderLogger {
  debug(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface ForwarderOptions {
  /** per attempt, per upstream [2000] */
  timeoutMs?: number;
  logger?: ForwarderLogger;
}

export interface ForwardOptions {
  /** how the client reached us; 'udp' passes truncated upstream replies through instead of retrying over TCP */
  clientTransport?: 'udp' | 'tcp';
}

const RCODE_SERVFAIL = 2;
const RCODE_REFUSED = 5;
/** how long an upstream that timed out or errored is tried last */
const DOWN_MS = 10_000;
const HEADER_LEN = 12;

/** The question section's bytes, compared case-insensitively (upstreams may echo 0x20-randomised case). */
function questionKey(msg: Buffer): string | null {
  if (msg.length < HEADER_LEN || msg.readUInt16BE(4) < 1) return null;
  let off = HEADER_LEN;
  for (;;) {
    if (off >= msg.length) return null;
    const len = msg[off];
    if (len === 0) {
      off += 1;
      break;
    }
    if (len >= 0xc0) return null; // a compression pointer cannot appear in the first question name
    off += 1 + len;
  }
  if (off + 4 > msg.length) return null;
  return msg.subarray(HEADER_LEN, off + 4).toString('latin1').toLowerCase();
}

const rcodeOf = (msg: Buffer): number => msg[3] & 0x0f;
const isTruncated = (msg: Buffer): boolean => (msg[2] & 0x02) !== 0;
const isResponse = (msg: Buffer): boolean => (msg[2] & 0x80) !== 0;

interface Pending {
  question: string;
  settle: (reply: Buffer | Error) => void;
}

type Outcome = { ok: true; reply: Buffer } | { ok: false; reason: string; down: boolean };

class Upstream {
  readonly label: string;
  private socket: Promise<dgram.Socket> | null = null;
  private readonly pending = new Map<number, Pending>();
  downUntil = 0;

  constructor(readonly addr: HostPort) {
    this.label = net.isIPv6(addr.host) ? `[${addr.host}]:${addr.port}` : `${addr.host}:${addr.port}`;
  }

  private udpSocket(): Promise<dgram.Socket> {
    if (this.socket) return this.socket;
    const s = dgram.createSocket(net.isIPv6(this.addr.host) ? 'udp6' : 'udp4');
    s.on('message', (msg) => this.onMessage(msg));
    s.on('error', (err) => this.failAll(err));
    s.unref();
    // A connected socket only receives from this upstream, and the kernel reports ICMP port-unreachable as an error,
    // so a dead upstream fails at once instead of after the timeout. send() needs the connection to be complete.
    this.socket = new Promise((resolve, reject) => {
      // A failed connect (an unroutable link-local scope, say) comes to this callback as its argument, not as an
      // 'error' event (Node's dgram doConnect); resolving anyway would hand out an unconnected socket, whose send()
      // then throws on the missing port and takes the process down.
      s.connect(this.addr.port, this.addr.host, ((err?: Error) => (err ? reject(err) : resolve(s))) as () => void);
      s.once('error', reject);
    });
    this.socket.catch(() => {
      this.socket = null;
      s.close();
    });
    return this.socket;
  }

  private onMessage(msg: Buffer): void {
    if (msg.length < HEADER_LEN || !isResponse(msg)) return;
    const p = this.pending.get(msg.readUInt16BE(0));
    if (!p || questionKey(msg) !== p.question) return;
    p.settle(msg);
  }

  /** whether a query with this ID and question is one we sent and still wait for */
  isPending(id: number, question: string): boolean {
    return this.pending.get(id)?.question === question;
  }

  private failAll(err: Error): void {
    for (const p of [...this.pending.values()]) p.settle(err);
  }

  private freeId(): number | null {
    if (this.pending.size >= 0x10000) return null;
    for (;;) {
      const id = randomInt(0x10000);
      if (!this.pending.has(id)) return id;
    }
  }

  udp(query: Buffer, question: string, timeoutMs: number): Promise<Outcome> {
    const id = this.freeId();
    if (id === null) return Promise.resolve({ ok: false, reason: 'too many queries in flight', down: false });
    const out = Buffer.from(query);
    out.writeUInt16BE(id, 0);
    return new Promise((resolve) => {
      const timer = setTimeout(() => settle(new Error(`timeout after ${timeoutMs} ms`)), timeoutMs);
      const settle = (r: Buffer | Error) => {
        if (this.pending.get(id) !== entry) return;
        clearTimeout(timer);
        this.pending.delete(id);
        resolve(r instanceof Error ? { ok: false, reason: `udp: ${r.message}`, down: true } : { ok: true, reply: r });
      };
      const entry: Pending = { question, settle };
      this.pending.set(id, entry);
      this.udpSocket().then(
        (s) =>
          s.send(out, (err) => {
            if (err) settle(err);
          }),
        (err: Error) => settle(err),
      );
    });
  }

  tcp(query: Buffer, timeoutMs: number): Promise<Outcome> {
    const id = randomInt(0x10000);
    const framed = Buffer.alloc(2 + query.length);
    framed.writeUInt16BE(query.length, 0);
    query.copy(framed, 2);
    framed.writeUInt16BE(id, 2);
    const question = questionKey(query);
    return new Promise((resolve) => {
      let done = false;
      let buf = Buffer.alloc(0);
      const sock = net.connect({ host: this.addr.host, port: this.addr.port });
      const finish = (o: Outcome) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        sock.destroy();
        resolve(o);
      };
      const timer = setTimeout(() => finish({ ok: false, reason: `tcp: timeout after ${timeoutMs} ms`, down: true }), timeoutMs);
      sock.on('connect', () => sock.write(framed));
      sock.on('data', (chunk) => {
        buf = Buffer.concat([buf, chunk]);
        while (buf.length >= 2) {
          const len = buf.readUInt16BE(0);
          if (buf.length < 2 + len) return;
          const msg = buf.subarray(2, 2 + len);
          buf = buf.subarray(2 + len);
          if (msg.length >= HEADER_LEN && isResponse(msg) && msg.readUInt16BE(0) === id && questionKey(msg) === question) {
            finish({ ok: true, reply: Buffer.from(msg) });
            return;
          }
        }
      });
      sock.on('error', (err) => finish({ ok: false, reason: `tcp: ${err.message}`, down: true }));
      sock.on('close', () => finish({ ok: false, reason: 'tcp: connection closed before a reply', down: true }));
    });
  }

  close(): void {
    this.failAll(new Error('forwarder closed'));
    this.socket?.then((s) => s.close(), () => {});
    this.socket = null;
  }
}

export class Forwarder {
  private readonly upstreams: Upstream[];
  private readonly timeoutMs: number;
  private readonly logger?: ForwarderLogger;
  private closed = false;
  private readonly loop: LoopGuard;

  constructor(upstreams: HostPort[], opts: ForwarderOptions = {}) {
    this.upstreams = upstreams.map((u) => new Upstream(u));
    this.timeoutMs = opts.timeoutMs ?? 2000;
    this.logger = opts.logger;
    this.loop = new LoopGuard(opts.logger);
  }

  /**
   * Starts loop detection (loop.ts): call once the DNS listener is up, so our own probe can reach us. Resolves
   * when the first probe has settled or after `waitMs`, whichever is first; probing goes on in the background.
   */
  checkLoop(waitMs = 1000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([
      this.loop.start((q) => this.send(q, {})),
      new Promise<void>((r) => { timer = setTimeout(r, waitMs); timer.unref(); }),
    ]).finally(() => clearTimeout(timer));
  }

  get loopStatus(): LoopStatus {
    return this.loop.status;
  }

  get size(): number {
    return this.upstreams.length;
  }

  /** Healthy upstreams in configured order, then the ones marked down (they may have recovered). */
  private order(): Upstream[] {
    const now = Date.now();
    return [...this.upstreams.filter((u) => u.downUntil <= now), ...this.upstreams.filter((u) => u.downUntil > now)];
  }

  /** The upstream's reply with the client's id, or null when no upstream answered (reply SERVFAIL). */
  async forward(query: Buffer, opts: ForwardOptions = {}): Promise<Buffer | null> {
    if (this.closed) return null;
    const question = questionKey(query);
    if (question === null) return null;
    const id = query.readUInt16BE(0);
    if (this.loop.refuse(question, this.upstreams.some((u) => u.isPending(id, question)))) return null;
    return this.send(query, opts, question);
  }

  private async send(query: Buffer, opts: ForwardOptions, question = questionKey(query)): Promise<Buffer | null> {
    if (this.closed || question === null) return null;
    const clientId = query.readUInt16BE(0);
    for (const u of this.order()) {
      if (this.closed) return null;
      let outcome = await u.udp(query, question, this.timeoutMs);
      if (outcome.ok && isTruncated(outcome.reply) && opts.clientTransport !== 'udp') {
        const truncated = outcome.reply;
        const viaTcp = await u.tcp(query, this.timeoutMs);
        if (!viaTcp.ok) this.logger?.debug({ upstream: u.label, reason: viaTcp.reason }, 'TCP retry after truncation failed');
        outcome = viaTcp.ok ? viaTcp : { ok: true, reply: truncated };
      }
      if (outcome.ok) {
        const rcode = rcodeOf(outcome.reply);
        u.downUntil = 0;
        if (rcode === RCODE_SERVFAIL || rcode === RCODE_REFUSED) {
          this.logger?.debug({ upstream: u.label, rcode }, 'upstream could not answer; trying the next');
          continue;
        }
        const reply = Buffer.from(outcome.reply);
        reply.writeUInt16BE(clientId, 0);
        return reply;
      }
      if (outcome.down) u.downUntil = Date.now() + DOWN_MS;
      this.logger?.warn({ upstream: u.label, reason: outcome.reason }, 'upstream failed; trying the next');
    }
    return null;
  }

  close(): void {
    this.closed = true;
    this.loop.close();
    for (const u of this.upstreams) u.close();
  }
}
