// Raw DNS over real sockets, encoded and decoded with dns-packet: an decoder independent of the server's own,
// so a test sees exactly the bytes a client would see (flags, counts, sections, truncation).
import dgram from 'node:dgram';
import net from 'node:net';
import packet from 'dns-packet';

export interface ServerAddress {
  host: string;
  port: number;
}

/** A decoded record, loosely typed: dns-packet's own types are stricter than what a test needs to read. */
export interface DecodedRecord {
  name: string;
  type: string;
  class?: string;
  ttl?: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  data?: any;
  udpPayloadSize?: number;
  extendedRcode?: number;
  ednsVersion?: number;
  flags?: number;
}

export interface DecodedMessage {
  id: number;
  type: 'query' | 'response';
  flags: number;
  flag_qr: boolean;
  opcode: string;
  flag_aa: boolean;
  flag_tc: boolean;
  flag_rd: boolean;
  flag_ra: boolean;
  rcode: string;
  questions: { name: string; type: string; class: string }[];
  answers: DecodedRecord[];
  authorities: DecodedRecord[];
  additionals: DecodedRecord[];
}

export interface Reply {
  raw: Buffer;
  msg: DecodedMessage;
}

export interface QueryOptions {
  id?: number;
  /** recursion desired; dig and stub resolvers set it, so it is the default */
  rd?: boolean;
  qclass?: string;
  /** header opcode (0 = QUERY) */
  opcode?: number;
  /** add an OPT record; omitted = no EDNS */
  edns?: { udpSize?: number; version?: number };
}

let nextId = 1;
function freshId(): number {
  nextId = (nextId * 7919 + 17) % 65536;
  return nextId;
}

export function buildQuery(name: string, type: string, opts: QueryOptions = {}): Buffer {
  let flags = 0;
  if (opts.rd ?? true) flags |= packet.RECURSION_DESIRED;
  if (opts.opcode) flags |= (opts.opcode & 0xf) << 11;
  const additionals = opts.edns
    ? [{
      type: 'OPT',
      name: '.',
      udpPayloadSize: opts.edns.udpSize ?? 1232,
      extendedRcode: 0,
      ednsVersion: opts.edns.version ?? 0,
      flags: 0,
      options: [],
    }]
    : [];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const msg: any = {
    type: 'query',
    id: opts.id ?? freshId(),
    flags,
    questions: [{ name, type, class: opts.qclass ?? 'IN' }],
    additionals,
  };
  const buf = packet.encode(msg);
  // dns-packet writes `udpPayloadSize || 4096`, so a size of 0 has to be patched in: the OPT (no options) is the
  // last 11 bytes and its CLASS field, the payload size, sits 3 bytes in.
  if (opts.edns) buf.writeUInt16BE(opts.edns.udpSize ?? 1232, buf.length - 8);
  return buf;
}

export function decode(buf: Buffer): DecodedMessage {
  return packet.decode(buf) as unknown as DecodedMessage;
}

/** The header's 4-bit rcode combined with the OPT's extended rcode (RFC 6891), e.g. 16 = BADVERS. */
export function fullRcode(reply: Reply): number {
  const low = reply.raw.readUInt16BE(2) & 0xf;
  const opt = reply.msg.additionals.find((r) => r.type === 'OPT');
  return ((opt?.extendedRcode ?? 0) << 4) | low;
}

/** Sends one datagram and resolves with the first datagram that comes back, or null after `waitMs`. */
export function udpSendRaw(server: ServerAddress, buf: Buffer, waitMs = 2000): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const sock = dgram.createSocket(server.host.includes(':') ? 'udp6' : 'udp4');
    const timer = setTimeout(() => {
      sock.close();
      resolve(null);
    }, waitMs);
    sock.once('message', (m) => {
      clearTimeout(timer);
      sock.close();
      resolve(m);
    });
    sock.once('error', (err) => {
      clearTimeout(timer);
      sock.close();
      reject(err);
    });
    sock.send(buf, server.port, server.host);
  });
}

export async function udpExchange(server: ServerAddress, buf: Buffer, waitMs = 3000): Promise<Reply> {
  const raw = await udpSendRaw(server, buf, waitMs);
  if (!raw) throw new Error(`no UDP answer from ${server.host}:${server.port} within ${waitMs} ms`);
  return { raw, msg: decode(raw) };
}

export async function queryUdp(server: ServerAddress, name: string, type: string, opts: QueryOptions = {}): Promise<Reply> {
  const q = buildQuery(name, type, opts);
  const reply = await udpExchange(server, q);
  if (reply.msg.id !== q.readUInt16BE(0)) throw new Error(`answer id ${reply.msg.id} does not match query id`);
  return reply;
}

export function frame(msg: Buffer): Buffer {
  const len = Buffer.alloc(2);
  len.writeUInt16BE(msg.length);
  return Buffer.concat([len, msg]);
}

/** One TCP connection with a 2-byte-length frame reader. */
export class TcpConn {
  readonly socket: net.Socket;
  readonly closed: Promise<void>;
  private buffered = Buffer.alloc(0);
  private frames: Buffer[] = [];
  private waiters: ((b: Buffer | null) => void)[] = [];
  private ended = false;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (d) => {
      this.buffered = Buffer.concat([this.buffered, d]);
      while (this.buffered.length >= 2) {
        const len = this.buffered.readUInt16BE(0);
        if (this.buffered.length < 2 + len) break;
        const f = this.buffered.subarray(2, 2 + len);
        this.buffered = this.buffered.subarray(2 + len);
        const w = this.waiters.shift();
        if (w) w(f);
        else this.frames.push(f);
      }
    });
    this.closed = new Promise((resolve) => {
      const done = () => {
        if (this.ended) return;
        this.ended = true;
        for (const w of this.waiters.splice(0)) w(null);
        resolve();
      };
      socket.on('close', done);
      socket.on('end', done);
      socket.on('error', done);
    });
  }

  static connect(server: ServerAddress): Promise<TcpConn> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ host: server.host, port: server.port });
      s.once('connect', () => resolve(new TcpConn(s)));
      s.once('error', reject);
    });
  }

  get isClosed(): boolean {
    return this.ended;
  }

  writeRaw(b: Buffer): void {
    this.socket.write(b);
  }

  send(msg: Buffer): void {
    this.socket.write(frame(msg));
  }

  /** The next whole frame; null if the connection closed first; rejects after `waitMs`. */
  next(waitMs = 3000): Promise<Buffer | null> {
    const f = this.frames.shift();
    if (f) return Promise.resolve(f);
    if (this.ended) return Promise.resolve(null);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = this.waiters.indexOf(w);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(new Error(`no TCP frame within ${waitMs} ms`));
      }, waitMs);
      const w = (b: Buffer | null) => {
        clearTimeout(timer);
        resolve(b);
      };
      this.waiters.push(w);
    });
  }

  close(): void {
    this.socket.destroy();
  }
}

export async function queryTcp(server: ServerAddress, name: string, type: string, opts: QueryOptions = {}): Promise<Reply> {
  const conn = await TcpConn.connect(server);
  try {
    const q = buildQuery(name, type, opts);
    conn.send(q);
    const raw = await conn.next();
    if (!raw) throw new Error('TCP connection closed without an answer');
    return { raw, msg: decode(raw) };
  } finally {
    conn.close();
  }
}

export type Transport = 'udp' | 'tcp';

export function query(transport: Transport, server: ServerAddress, name: string, type: string, opts: QueryOptions = {}): Promise<Reply> {
  return transport === 'udp' ? queryUdp(server, name, type, opts) : queryTcp(server, name, type, opts);
}
