// Zone transfer test helpers: the transfer a fixture file should give, derived from its manifests alone (the order
// of CoreDNS's plugin/kubernetes/xfr.go, written out independently of lib/plugins/transfer), and raw AXFR/IXFR
// exchanges over TCP from a chosen source address.
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import net from 'node:net';
import packet from 'dns-packet';
import { parseAllDocuments } from 'yaml';
import { decode, frame, type DecodedMessage, type ServerAddress } from './dns-wire.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Obj = any;

export function manifests(files: string[]): Obj[] {
  return files.flatMap((f) => parseAllDocuments(readFileSync(f, 'utf8')).map((d) => d.toJS()).filter(Boolean));
}

const dashed = (ip: string) => {
  if (ip.includes('.')) return ip.replaceAll('.', '-');
  const d = ip.replaceAll(':', '-');
  return d.endsWith('-') ? `${d}0` : d;
};

/**
 * The transfer's lines as dig prints them (whitespace collapsed), from explicit manifests: Services with their
 * ClusterIPs written out and EndpointSlices written by hand. `soa` is the SOA line; no NS (a server on loopback).
 */
export function expectedTransfer(objs: Obj[], soa: string, opts: { zone?: string; ttl?: number; namespaces?: string[] } = {}): string[] {
  const zone = opts.zone ?? 'cluster.local';
  const ttl = opts.ttl ?? 5;
  const out = [soa];
  const services = objs.filter((o) => o.kind === 'Service' && (!opts.namespaces || opts.namespaces.includes(o.metadata.namespace)))
    .sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : a.metadata.namespace < b.metadata.namespace ? -1 : 1));
  const addr = (name: string, ip: string) => `${name}. ${ttl} IN ${ip.includes(':') ? 'AAAA' : 'A'} ${ip}`;
  const srv = (name: string, w: number, port: number, target: string) => `${name}. ${ttl} IN SRV 0 ${w} ${port} ${target}.`;
  for (const s of services) {
    const base = `${s.metadata.name}.${s.metadata.namespace}.svc.${zone}`;
    if (s.spec.type === 'ExternalName') {
      if (!isIP(s.spec.externalName)) out.push(`${base}. ${ttl} IN CNAME ${s.spec.externalName.replace(/\.?$/, '.')}`);
      continue;
    }
    if (s.spec.clusterIP !== 'None') {
      for (const ip of s.spec.clusterIPs ?? [s.spec.clusterIP]) out.push(addr(base, ip));
      for (const p of s.spec.ports) {
        out.push(srv(base, 100, p.port, base));
        if (p.name) out.push(srv(`_${p.name}._${(p.protocol ?? 'TCP').toLowerCase()}.${base}`, 100, p.port, base));
      }
      continue;
    }
    const slices = objs.filter((o) => o.kind === 'EndpointSlice' && o.metadata.namespace === s.metadata.namespace
      && o.metadata.labels?.['kubernetes.io/service-name'] === s.metadata.name)
      .sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1));
    for (const sl of slices) {
      const ready = sl.endpoints.filter((e: Obj) => e.conditions?.ready !== false);
      const n = ready.reduce((k: number, e: Obj) => k + e.addresses.length, 0);
      const w = Math.max(1, Math.floor(100 / n));
      for (const e of ready) {
        for (const ip of e.addresses) {
          const host = `${e.hostname ?? dashed(ip)}.${base}`;
          out.push(addr(base, ip), addr(host, ip));
          for (const p of sl.ports ?? []) if (p.name) out.push(srv(`_${p.name}._${(p.protocol ?? 'TCP').toLowerCase()}.${base}`, w, p.port, host));
        }
      }
    }
  }
  out.push(soa);
  return out;
}

/** The record lines of dig's output, in order, whitespace collapsed. */
export function digLines(out: string): string[] {
  return out.split('\n').filter((l) => l.trim() !== '' && !l.startsWith(';')).map((l) => l.trim().split(/\s+/).join(' '));
}

/**
 * A raw AXFR/IXFR over TCP: every message until the closing SOA (or one message that is not a transfer's first),
 * decoded. `serial` adds the client's SOA to the authority section (IXFR); `localAddress` picks the source.
 */
export async function rawTransfer(server: ServerAddress, zone: string, type: 'AXFR' | 'IXFR',
  opts: { serial?: number; localAddress?: string; edns?: boolean; waitMs?: number } = {}): Promise<DecodedMessage[]> {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const q: any = { type: 'query', id: 4242, flags: 0, questions: [{ name: zone, type, class: 'IN' }] };
  if (opts.serial !== undefined) {
    q.authorities = [{ name: zone, type: 'SOA', ttl: 0, data: { mname: 'a.', rname: 'b.', serial: opts.serial, refresh: 0, retry: 0, expire: 0, minimum: 0 } }];
  }
  if (opts.edns) q.additionals = [{ type: 'OPT', name: '.', udpPayloadSize: 1232, flags: 0, options: [] }];
  const sock = net.connect({ host: server.host, port: server.port, ...(opts.localAddress ? { localAddress: opts.localAddress } : {}) });
  const msgs: DecodedMessage[] = [];
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    let soas = 0;
    const timer = setTimeout(() => { sock.destroy(); reject(new Error(`transfer incomplete after ${msgs.length} messages`)); }, opts.waitMs ?? 10_000);
    const done = () => { clearTimeout(timer); sock.destroy(); resolve(msgs); };
    sock.on('connect', () => sock.write(frame(packet.encode(q))));
    sock.on('error', (e) => { clearTimeout(timer); reject(e); });
    sock.on('close', () => { clearTimeout(timer); resolve(msgs); });
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const m = decode(buf.subarray(2, 2 + buf.readUInt16BE(0)));
        buf = buf.subarray(2 + buf.readUInt16BE(0));
        msgs.push(m);
        soas += m.answers.filter((a) => a.type === 'SOA').length;
        // A refusal, a lone SOA (IXFR, current) or the closing SOA ends it.
        if (m.rcode !== 'NOERROR' || (msgs.length === 1 && m.answers.length === 1 && soas === 1) || soas >= 2) { done(); return; }
      }
    });
  });
}
