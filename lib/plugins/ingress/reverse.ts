// PTR records for the addresses external names answer with (k8s_gateway users ask for them: ori-edge/k8s_gateway#304).
// The index maps each IP to the hostnames whose A/AAAA answer holds it, as the plugin answers them (an exact host
// beats a wildcard, routes beat Ingresses beat annotations), so a PTR never names a host that would not answer with
// that address. Wildcard hosts name no PTR (no one name stands for them). Built on the first PTR question after a
// change of an object that names hosts or holds their addresses (Ingress, Gateway API, Service, Namespace, DNSEndpoint): one
// pass over the hosts, each matched once. Endpoint and Pod churn, most of a live cluster's changes, costs nothing.
import { isIP } from 'node:net';
import { canonicalIPv6 } from '../../dns/names.js';
import { QTYPE, type RR } from '../../dns/records.js';
import { dnsEndpointAnswer } from './dnsendpoint.js';
import { externalHosts, type HostFilter, type HostView } from './hosts.js';
import { matchName, type MatchOptions } from './lookup.js';
import { wildcardPrefix } from './provenance.js';

/**
 * PTRs per address at most. Thousands of Ingresses behind one controller address are usual (every host of a
 * cluster shares ingress-nginx's IP); a PTR answer naming them all would be megabytes over TCP and useless to a
 * reader. The first names in sorted order are kept, so the set is stable.
 */
export const MAX_PTR_PER_ADDRESS = 32;

interface Entry {
  names: string[];
  /** how many names there were before the cut */
  total: number;
  rules: Map<string, { source: string; rule: string }>;
}

/** The kinds whose changes can change a host or its addresses. */
const RELEVANT = new Set(['Ingress', 'Gateway', 'HTTPRoute', 'GRPCRoute', 'TLSRoute', 'TCPRoute', 'UDPRoute', 'Service', 'Namespace', 'DNSEndpoint']);

export class ReverseIndex {
  private generation = -1;
  private dirty = true;
  private unsubscribe?: () => void;
  private byIP = new Map<string, Entry>();

  constructor(private readonly view: HostView, private readonly filter: HostFilter & MatchOptions) {}

  close(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  /** Whether `ip` is an address some external name answers with. */
  has(ip: string): boolean {
    this.refresh();
    return this.byIP.has(ip);
  }

  /** The PTR records at `qname` for `ip`, sorted by target, at most MAX_PTR_PER_ADDRESS. */
  records(qname: string, ip: string, ttl: number): { records: RR[]; leftOut: number } {
    this.refresh();
    const e = this.byIP.get(ip);
    if (!e) return { records: [], leftOut: 0 };
    const records = e.names.map((host): RR => {
      const why = e.rules.get(host)!;
      return { name: qname, type: QTYPE.PTR, ttl, data: host, source: why.source, rule: `reverse of an address ${host} answers with: ${why.rule}` };
    });
    return { records, leftOut: e.total - e.names.length };
  }

  private refresh(): void {
    if (this.generation === this.view.generation) return;
    // Subscribed on first use (a plugin built only to list records never is), then rebuilt only on relevant changes;
    // a view that cannot tell (no onChange) is rebuilt on every change of generation.
    if (!this.unsubscribe && this.view.onChange) {
      this.unsubscribe = this.view.onChange((changes) => { if (!this.dirty && changes.some((c) => RELEVANT.has(c.kind))) this.dirty = true; });
      this.dirty = true;
    }
    if (this.unsubscribe && !this.dirty) { this.generation = this.view.generation; return; }
    this.dirty = false;
    const all = new Map<string, Map<string, { source: string; rule: string }>>();
    const add = (a: string, host: string, why: { source: string; rule: string }) => {
      if (isIP(a) === 0) return;
      const ip = canonical(a);
      let m = all.get(ip);
      if (!m) all.set(ip, (m = new Map()));
      m.set(host, why);
    };
    for (const host of externalHosts(this.view, this.filter)) {
      if (host.startsWith('*.')) continue;
      // per family, what the plugin answers: a DNSEndpoint at this exact name beats a wildcard route or Ingress
      // (dnsendpoint.ts), so its targets are the host's addresses then, not the wildcard's
      const found = matchName(this.view, host, this.filter);
      for (const qtype of [QTYPE.A, QTYPE.AAAA]) {
        const dep = dnsEndpointAnswer(this.view, this.filter, host, host, qtype, 0);
        if (dep === undefined) {
          const want6 = qtype === QTYPE.AAAA;
          const why = found && { source: found.sources.join(','), rule: `${wildcardPrefix(found.host)}${found.rules.join('; ')}` };
          if (found && why) for (const a of found.addresses) if (isIP(a) !== 0 && a.includes(':') === want6) add(a, host, why);
          continue;
        }
        if (dep.kind !== 'records') continue;
        for (const rr of dep.records) {
          if (rr.type === qtype && typeof rr.data === 'string') add(rr.data, host, { source: rr.source ?? 'DNSEndpoint', rule: `${rr.source ?? 'DNSEndpoint'} spec.endpoints ${host} ${qtype === QTYPE.A ? 'A' : 'AAAA'}` });
        }
      }
    }
    const byIP = new Map<string, Entry>();
    for (const [ip, m] of all) {
      const sorted = [...m.keys()].sort();
      const names = sorted.slice(0, MAX_PTR_PER_ADDRESS);
      const rules = new Map<string, { source: string; rule: string }>();
      for (const n of names) rules.set(n, m.get(n)!);
      byIP.set(ip, { names, total: sorted.length, rules });
    }
    this.byIP = byIP;
    this.generation = this.view.generation;
  }
}

/** An address in the form ipFromReverseName gives (RFC 5952 for IPv6), so both sides compare equal. */
export const canonical = (ip: string): string => (ip.includes(':') ? canonicalIPv6(ip) : ip);
