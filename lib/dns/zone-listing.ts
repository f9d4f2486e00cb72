// Every name the server answers, with its records: the content of `clusterdns records`, the admin API's
// /api/v1/records and the bench's zone file for knot. Built by asking the resolver itself for each (name, type),
// so the listing can never disagree with what DNS answers.
import type { ClusterStore } from '../cluster/store.js';
import { endpointLabel } from './names.js';
import { QTYPE, type RR } from './records.js';
import type { ResolverConfig } from './resolver-config.js';
import { resolve } from './resolver.js';

function reverseName(ip: string): string {
  if (!ip.includes(':')) return `${ip.split('.').reverse().join('.')}.in-addr.arpa`;
  const parts = ip.split('::');
  const head = parts[0] ? parts[0].split(':') : [];
  const tail = parts[1] ? parts[1].split(':') : [];
  const full = parts.length > 1 ? [...head, ...Array(8 - head.length - tail.length).fill('0'), ...tail] : head;
  const hex = full.map((w) => w.padStart(4, '0')).join('');
  return `${[...hex].reverse().join('.')}.ip6.arpa`;
}

/** Names and types worth asking about, derived from the store. */
export function candidateQuestions(store: ClusterStore, cfg: ResolverConfig): [string, number][] {
  const out: [string, number][] = [];
  const zone = cfg.zones[0];
  if (!zone) return out;
  for (const z of cfg.zones) {
    out.push([z, QTYPE.SOA], [z, QTYPE.NS], [`dns-version.${z}`, QTYPE.TXT]);
  }
  const ips = new Set<string>();
  for (const svc of store.allServices()) {
    const base = `${svc.name}.${svc.namespace}.svc.${zone}`;
    if (svc.type === 'ExternalName') { out.push([base, QTYPE.CNAME]); continue; }
    out.push([base, QTYPE.A], [base, QTYPE.AAAA], [base, QTYPE.SRV]);
    for (const ip of svc.clusterIPs) ips.add(ip);
    const named = new Set<string>();
    for (const p of svc.ports) if (p.name) named.add(`_${p.name.toLowerCase()}._${p.protocol.toLowerCase()}.${base}`);
    const labels = new Set<string>();
    for (const slice of store.readyEndpoints(svc.namespace, svc.name)) {
      for (const p of slice.ports) if (p.name) named.add(`_${p.name.toLowerCase()}._${p.protocol.toLowerCase()}.${base}`);
      for (const ep of slice.endpoints) {
        for (const a of ep.addresses) {
          ips.add(a);
          if (svc.headless) labels.add(endpointLabel(ep, a, cfg.endpointPodNames).toLowerCase());
        }
      }
    }
    for (const n of named) out.push([n, QTYPE.SRV]);
    for (const l of labels) out.push([`${l}.${base}`, QTYPE.A], [`${l}.${base}`, QTYPE.AAAA]);
  }
  if (cfg.reverseZones.length > 0) for (const ip of ips) out.push([reverseName(ip), QTYPE.PTR]);
  return out;
}

/** All records, de-duplicated and sorted by owner then type: what a zone file of the cluster would hold. */
export function listRecords(store: ClusterStore, cfg: ResolverConfig): RR[] {
  const seen = new Set<string>();
  const out: RR[] = [];
  for (const [name, type] of candidateQuestions(store, cfg)) {
    const ans = resolve(store, cfg, name, type);
    for (const rr of ans.answer) {
      if (rr.type !== type && !(type === QTYPE.CNAME && rr.type === QTYPE.CNAME)) continue;
      const k = `${rr.name}|${rr.type}|${JSON.stringify(rr.data)}`;
      if (seen.has(k)) continue;
      seen.add(k);
      out.push(rr);
    }
  }
  const order = (rr: RR) => rr.name.split('.').reverse().join('.');
  out.sort((a, b) => {
    const x = order(a); const y = order(b);
    return x < y ? -1 : x > y ? 1 : a.type - b.type;
  });
  return out;
}
