// `clusterdns resolver status`: does something answer for the zone at the address the installed files name? One
// SOA query over UDP with a short timeout, decoded just enough to say NOERROR/REFUSED and whether it was
// authoritative (clusterdns is, for its zones; a stray forwarder would not be).
import dgram from 'node:dgram';
import { randomInt } from 'node:crypto';

export const PROBE_TIMEOUT_MS = 1000;
const RCODES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED'];

export interface ProbeResult {
  ok: boolean;
  message: string;
}

function soaQuery(zone: string, id: number): Buffer {
  const parts: Buffer[] = [Buffer.from([id >> 8, id & 0xff, 0x00, 0x00, 0, 1, 0, 0, 0, 0, 0, 0])];
  for (const l of zone.split('.').filter(Boolean)) parts.push(Buffer.from([l.length]), Buffer.from(l, 'ascii'));
  parts.push(Buffer.from([0, 0, 6, 0, 1]));
  return Buffer.concat(parts);
}

export async function probeSoa(address: string, port: number, zone: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<ProbeResult> {
  const id = randomInt(0, 0x10000);
  const sock = dgram.createSocket(address.includes(':') ? 'udp6' : 'udp4');
  try {
    return await new Promise<ProbeResult>((resolve) => {
      const timer = setTimeout(() => resolve({ ok: false, message: `no answer in ${timeoutMs} ms` }), timeoutMs);
      sock.on('error', (err) => { clearTimeout(timer); resolve({ ok: false, message: err.message }); });
      sock.on('message', (msg) => {
        if (msg.length < 12 || msg.readUInt16BE(0) !== id || (msg[2]! & 0x80) === 0) return;
        clearTimeout(timer);
        const rcode = msg[3]! & 0x0f;
        const aa = (msg[2]! & 0x04) !== 0;
        const answers = msg.readUInt16BE(6);
        const ok = rcode === 0 && aa && answers > 0;
        resolve({ ok, message: `${RCODES[rcode] ?? `rcode ${rcode}`}${aa ? ', authoritative' : ', not authoritative'}, ${answers} answer${answers === 1 ? '' : 's'}` });
      });
      sock.send(soaQuery(zone, id), port, address);
    });
  } finally {
    sock.close();
  }
}
