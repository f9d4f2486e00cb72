// One DNS-over-TCP connection (RFC 7766: 2-byte length framing, pipelining) with backpressure. A client that
// pipelines queries and never reads its answers must not make us buffer them without end: while this
// connection's unwritten output is over its bound, or all connections' together are over theirs, we stop
// reading from it (the kernel's receive window then stops the client), and carry on when the output drains.
// A zone transfer's messages are made one at a time under the same bounds: the next only once the client has read
// enough of the last, and no other query on the connection is read until the transfer's last message went.
import type net from 'node:net';
import type { HandleResult, Transport } from './responder.js';
import { isMessageStream, type MessageStream, type Replies } from './message-stream.js';

export type QueryHandler = (msg: Buffer, transport: Transport, client: string, port?: number) => HandleResult;

export interface TcpLimits {
  idleMs: number;
  frameDeadlineMs: number;
  /** answers still being worked out (forwarded, delayed by a fault) before we stop reading */
  maxInFlight: number;
  /** bytes of answers queued for writing on one connection before we stop reading it */
  maxQueuedBytes: number;
}

/**
 * Bytes queued for writing across all connections. Each connection reports its own queue when it is at or over
 * the socket's high-water mark (16 KiB on Node 20, 64 KiB from 22): only then does Node promise a 'drain' event that tells us it emptied,
 * so smaller queues are left uncounted rather than counted stale. Past the limit, connections with output of
 * their own waiting (at or over the high-water mark) stop being read until it drains; connections whose answers
 * flow (a client that reads) keep being served, so slow readers cannot starve every TCP client.
 */
export class OutputBudget {
  total = 0;
  constructor(readonly limit: number) {}
}

const EMPTY = Buffer.alloc(0);

/** Milliseconds of zone-transfer messages made per turn of the event loop, across every connection. */
const TRANSFER_MS_PER_TURN = 4;

/**
 * Turns at making zone-transfer messages, shared by every connection: each turn of the event loop makes messages
 * for the connections waiting, in order, for a few milliseconds at most; those left over go first next turn.
 * Between turns the loop reads sockets, so UDP queries wait a few milliseconds however many transfers are going,
 * and a client whose kernel buffers would take a whole zone at once (a few MB) cannot have it all made in one go.
 */
class TransferTurns {
  private queue: TcpConnection[] = [];
  private scheduled = false;

  want(c: TcpConnection): void {
    this.queue.push(c);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.run);
    }
  }

  private run = (): void => {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    const until = performance.now() + TRANSFER_MS_PER_TURN;
    let i = 0;
    while (i < batch.length && performance.now() < until) batch[i++]!.turn();
    if (i < batch.length) this.queue = batch.slice(i).concat(this.queue);
    if (this.queue.length > 0 && !this.scheduled) {
      this.scheduled = true;
      setImmediate(this.run);
    }
  };
}

const turns = new TransferTurns();

export class TcpConnection {
  private pending: Buffer = EMPTY;
  /** bytes received after `pending`, not joined to it yet */
  private parts: Buffer[] = [];
  private partBytes = 0;
  private frameTimer?: NodeJS.Timeout;
  private inFlight = 0;
  /** this connection's share of budget.total */
  private counted = 0;
  private reading = true;
  private readonly client: string;
  /** zone transfers being sent, in order; the first is sent until it ends */
  private streams: MessageStream[] = [];
  /** waiting for its turn at making a transfer's next message (TransferTurns) */
  private turnWanted = false;
  private readonly clientPort: number;

  constructor(
    private sock: net.Socket,
    private handler: QueryHandler,
    private limits: TcpLimits,
    private budget: OutputBudget,
    private onError: (err: unknown, where: string) => void,
    private stats: { tcpPaused: number },
    onClose: () => void,
  ) {
    this.client = sock.remoteAddress ?? '';
    this.clientPort = sock.remotePort ?? 0;
    sock.setNoDelay(true);
    sock.setTimeout(limits.idleMs, () => sock.destroy());
    sock.on('data', (chunk: Buffer) => {
      if (this.pending.length === 0) this.pending = chunk;
      else {
        // Joined only once the message at the front can be whole: joining on every segment of a 64 KB message
        // trickled a byte at a time is quadratic (~250 ms of CPU a connection).
        this.parts.push(chunk);
        this.partBytes += chunk.length;
        const have = this.pending.length + this.partBytes;
        if (have < (this.pending.length >= 2 ? this.pending.readUInt16BE(0) + 2 : 2)) return;
        this.pending = Buffer.concat([this.pending, ...this.parts], have);
        this.parts = [];
        this.partBytes = 0;
      }
      this.pump();
    });
    sock.on('drain', () => this.pump());
    sock.on('error', () => sock.destroy());
    sock.on('close', () => {
      if (this.frameTimer) clearTimeout(this.frameTimer);
      this.budget.total -= this.counted;
      this.counted = 0;
      this.pending = EMPTY;
      this.parts = [];
      // A transfer cut off by the client: its generator's cleanup runs (counting, its slot in the plugin).
      for (const st of this.streams.splice(0)) {
        try { st.return(); } catch (err) { this.onError(err, 'handler'); }
      }
      onClose();
    });
  }

  /** Answer every whole message received that the output bounds allow, then decide whether to read more. */
  pump(): void {
    const sock = this.sock;
    if (sock.destroyed) return;
    const { maxQueuedBytes, maxInFlight } = this.limits;
    const budget = this.budget;
    const hwm = sock.writableHighWaterMark;
    let frames = 0;
    let waitingForBytes = false;
    sock.cork();
    try {
      this.flow();
      for (;;) {
        // A transfer's messages go out whole and in order before the next query is read.
        if (this.streams.length > 0 || sock.destroyed) break;
        const queued = sock.writableLength;
        // (budget.total - this.counted + queued: the total as it is now, without accounting on every message)
        if (queued >= maxQueuedBytes || this.inFlight >= maxInFlight ||
          (queued >= hwm && budget.total - this.counted + queued >= budget.limit)) break;
        const pending = this.pending;
        if (pending.length < 2) { waitingForBytes = pending.length > 0; break; }
        const len = pending.readUInt16BE(0);
        if (len === 0) { sock.destroy(); return; }
        if (pending.length < len + 2) { waitingForBytes = true; break; }
        const msg = pending.subarray(2, len + 2);
        this.pending = pending.length === len + 2 ? EMPTY : pending.subarray(len + 2);
        frames++;
        let res: HandleResult;
        try {
          res = this.handler(msg, 'tcp', this.client, this.clientPort);
        } catch (err) {
          this.onError(err, 'handler');
          continue;
        }
        if (res === null) continue;
        if (!(res instanceof Promise)) { this.write(res); continue; }
        this.inFlight++;
        res.then((buf) => { if (buf) this.write(buf); }, (err) => this.onError(err, 'handler'))
          .finally(() => { this.inFlight--; this.pump(); });
      }
    } finally {
      if (!sock.destroyed) sock.uncork();
    }
    if (sock.destroyed) return;
    if (this.frameTimer && (frames > 0 || !waitingForBytes)) { clearTimeout(this.frameTimer); this.frameTimer = undefined; }
    if (waitingForBytes && !this.frameTimer) {
      // A partial message must complete soon after its first byte, however slowly the bytes trickle in. (Whole
      // messages held back by our own output bounds are not the client's delay: the idle timeout covers those.)
      this.frameTimer = setTimeout(() => sock.destroy(), this.limits.frameDeadlineMs);
      this.frameTimer.unref();
    }
    this.account();
    // Whatever stops reading here ends: a 'drain' (output at or over the high-water mark always gets one) or a
    // settled in-flight answer calls pump() again.
    const queued = sock.writableLength;
    const canRead = queued < maxQueuedBytes && this.inFlight < maxInFlight && !(queued >= hwm && budget.total >= budget.limit)
      && this.streams.length === 0;
    if (canRead) {
      if (!this.reading) { this.reading = true; sock.resume(); }
    } else if (this.reading) {
      this.reading = false;
      this.stats.tcpPaused++;
      sock.pause();
    }
  }

  private account(): void {
    const sock = this.sock;
    const q = sock.writableNeedDrain ? sock.writableLength : 0;
    if (q !== this.counted) {
      const delta = q - this.counted;
      this.counted = q;
      this.budget.total += delta;
    }
  }

  /** Its turn at a transfer's next message (TransferTurns). */
  turn(): void {
    this.turnWanted = false;
    this.flow(true);
  }

  private wantTurn(): void {
    if (this.turnWanted) return;
    this.turnWanted = true;
    turns.want(this);
  }

  /**
   * Sends the current transfer's next message, on its turn (`mine`), while this connection's output, and all
   * connections' together, are under their bounds; else asks for a turn. When it stops for the bounds, the output
   * is at or over the socket's high-water mark (a message is at most 64 KiB, the bound 128 KiB), so a 'drain' comes
   * and pump() calls this again.
   */
  private flow(mine = false): void {
    const sock = this.sock;
    const { maxQueuedBytes } = this.limits;
    const hwm = sock.writableHighWaterMark;
    let ended = false;
    while (this.streams.length > 0) {
      const st = this.streams[0]!;
      for (;;) {
        if (sock.destroyed) return;
        const queued = sock.writableLength;
        if (queued >= maxQueuedBytes || (queued >= hwm && this.budget.total - this.counted + queued >= this.budget.limit)) return;
        if (!mine) { this.wantTurn(); return; }
        mine = false;
        let r: IteratorResult<Buffer, void>;
        try {
          r = st.next();
        } catch (err) {
          // Cut off midway: the client must not take a partial zone for a whole one.
          this.onError(err, 'handler');
          sock.destroy();
          return;
        }
        if (r.done) { mine = true; ended = true; break; }
        this.writeOne(r.value);
      }
      this.streams.shift();
    }
    // The transfer ended on its turn: the queries after it may be read now.
    if (ended) this.pump();
  }

  /** one reply, or each message of a multi-message reply (a zone transfer) in order */
  private write(out: Replies): void {
    if (Array.isArray(out)) {
      for (const b of out) this.writeOne(b);
      return;
    }
    if (isMessageStream(out)) {
      if (this.sock.destroyed) { out.return(); return; }
      this.streams.push(out);
      this.wantTurn();
      return;
    }
    this.writeOne(out);
  }

  private writeOne(buf: Buffer): void {
    const sock = this.sock;
    if (sock.destroyed) return;
    try {
      const framed = Buffer.allocUnsafe(buf.length + 2);
      framed.writeUInt16BE(buf.length, 0); // throws past 65,535 bytes: never let that out of a 'data' handler
      buf.copy(framed, 2);
      sock.write(framed);
    } catch (err) {
      this.onError(err, 'tcp write');
      sock.destroy();
    }
  }
}
