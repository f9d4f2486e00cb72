// A small raw DNS client for tests: dns-packet (an independent codec) over real UDP and TCP sockets.
import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket from 'dns-packet';

/** A decoded reply; records are loose (dns-packet's union types make every field access a cast). */
export interface DecodedRR { name: string; type: string; ttl?: number; data?: any }
export type Decoded = Omit<dnsPacket.Packet, 'answers' | 'authorities' | 'additionals'> & {
  rcode?: string; flag_aa?: boolean; flag_tc?: boolean;
  answers?: DecodedRR[]; authorities?: DecodedRR[]; additionals?: DecodedRR[];
};

let nextId = 1;

export function buildQuery(name: string, type: string, opts: { edns?: number; do?: boolean; id?: number; rd?: boolean } = {}): Buffer {
  const id = opts.id ?? (nextId++ & 0xffff);
  return dnsPacket.encode({
    type: 'query', id,
    flags: opts.rd === false ? 0 : dnsPacket.RECURSION_DESIRED,
    questions: [{ type: type as dnsPacket.RecordType, name, class: 'IN' }],
    ...(opts.edns ? { additionals: [{ type: 'OPT', name: '.', udpPayloadSize: opts.edns, flags: opts.do ? dnsPacket.DNSSEC_OK : 0 } as any] } : {}),
  });
}

export function udpExchange(port: number, msg: Buffer, host = '127.0.0.1', timeoutMs = 2000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
    const t = setTimeout(() => { s.close(); reject(new Error('udp timeout')); }, timeoutMs);
    s.on('message', (m) => { clearTimeout(t); s.close(); resolve(m); });
    s.send(msg, port, host);
  });
}

export function tcpExchange(port: number, msgs: Buffer[], host = '127.0.0.1', timeoutMs = 3000): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const out: Buffer[] = [];
    let pending = Buffer.alloc(0);
    const c = net.connect(port, host, () => {
      for (const m of msgs) {
        const f = Buffer.alloc(m.length + 2);
        f.writeUInt16BE(m.length, 0);
        m.copy(f, 2);
        c.write(f);
      }
    });
    const t = setTimeout(() => { c.destroy(); reject(new Error(`tcp timeout after ${out.length} answers`)); }, timeoutMs);
    c.on('data', (d) => {
      pending = Buffer.concat([pending, d]);
      while (pending.length >= 2 && pending.length >= pending.readUInt16BE(0) + 2) {
        const len = pending.readUInt16BE(0);
        out.push(pending.subarray(2, 2 + len));
        pending = pending.subarray(2 + len);
      }
      if (out.length === msgs.length) { clearTimeout(t); c.end(); resolve(out); }
    });
    c.on('error', (e) => { clearTimeout(t); reject(e); });
  });
}

export async function query(port: number, name: string, type: string, opts: { tcp?: boolean; edns?: number; do?: boolean } = {}): Promise<Decoded> {
  const q = buildQuery(name, type, opts);
  const raw = opts.tcp ? (await tcpExchange(port, [q]))[0] : await udpExchange(port, q);
  return dnsPacket.decode(raw) as Decoded;
}
