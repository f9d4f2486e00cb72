// A small UDP/TCP DNS client for the bench's own checks (server ready, same answers from both servers, change
// propagation), decoding with dns-packet so nothing of the server under test is used to judge it.
import dgram from 'node:dgram';
import net from 'node:net';
import packet, { type Packet } from 'dns-packet';

let nextId = 1;

export function encodeQuery(name: string, type: string, id = (nextId = (nextId + 1) & 0xffff)): Buffer {
  return packet.encode({ type: 'query', id, flags: packet.RECURSION_DESIRED, questions: [{ name, type: type as any, class: 'IN' }] });
}

export function queryUdp(port: number, name: string, type: string, timeoutMs = 1000): Promise<Packet> {
  return new Promise((resolve, reject) => {
    const sock = dgram.createSocket('udp4');
    const id = (nextId = (nextId + 1) & 0xffff);
    const timer = setTimeout(() => { sock.close(); reject(new Error(`timeout: ${name} ${type}`)); }, timeoutMs);
    sock.on('message', (msg) => {
      if (msg.readUInt16BE(0) !== id) return;
      clearTimeout(timer);
      sock.close();
      try { resolve(packet.decode(msg)); } catch (err) { reject(err); }
    });
    sock.on('error', (err) => { clearTimeout(timer); sock.close(); reject(err); });
    sock.send(encodeQuery(name, type, id), port, '127.0.0.1');
  });
}

export function queryTcp(port: number, name: string, type: string, timeoutMs = 2000): Promise<Packet> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    const q = encodeQuery(name, type);
    const framed = Buffer.alloc(q.length + 2);
    framed.writeUInt16BE(q.length, 0);
    q.copy(framed, 2);
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => { sock.destroy(); reject(new Error(`timeout: ${name} ${type} (tcp)`)); }, timeoutMs);
    sock.on('connect', () => sock.write(framed));
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 2 && buf.length >= buf.readUInt16BE(0) + 2) {
        clearTimeout(timer);
        sock.destroy();
        try { resolve(packet.decode(buf.subarray(2, buf.readUInt16BE(0) + 2))); } catch (err) { reject(err); }
      }
    });
    sock.on('error', (err) => { clearTimeout(timer); reject(err); });
  });
}

/** Polls until the server gives `name` a NOERROR answer, or throws after `timeoutMs`. */
export async function waitForAnswer(port: number, name: string, type: string, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    try {
      const p = await queryUdp(port, name, type, 200);
      if (((p as any).rcode ?? 'NOERROR') === 'NOERROR') return;
      last = (p as any).rcode;
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() > end) throw new Error(`no answer for ${name} ${type} within ${timeoutMs} ms (last: ${last})`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** rcode, TC and the answer section as sorted presentation strings: what "the same answer" means here. */
export function answerShape(p: Packet): { rcode: string; tc: boolean; answers: string[] } {
  const answers = (p.answers ?? []).map((a: any) => {
    const d = typeof a.data === 'object' && a.data !== null && !Buffer.isBuffer(a.data)
      ? JSON.stringify(a.data, Object.keys(a.data).sort()) : String(a.data);
    return `${String(a.name).toLowerCase()} ${a.type} ${d.toLowerCase()}`;
  }).sort();
  return { rcode: (p as any).rcode ?? 'NOERROR', tc: ((p.flags ?? 0) & packet.TRUNCATED_RESPONSE) !== 0, answers };
}
