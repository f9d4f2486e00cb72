// CoreDNS's per-request metrics (core/dnsserver + plugin/metrics), same names, labels and buckets, so an existing
// CoreDNS dashboard works unchanged. Counting happens in plain typed arrays on the hot path (no label hashing,
// no objects); prom-client only reads them at scrape time through custom metric objects.
import type { Registry } from 'prom-client';
import { typeName, rcodeName } from '../dns/records.js';
import type { QueryEvent } from '../wire/responder.js';

/** The qtypes CoreDNS reports by name; everything else is "other". */
const MONITORED_TYPES = ['A', 'AAAA', 'CNAME', 'DNSKEY', 'DS', 'MX', 'NSEC', 'NSEC3', 'NS', 'PTR', 'RRSIG', 'SOA', 'SRV',
  'TXT', 'HTTPS', 'SVCB', 'IXFR', 'AXFR', 'ANY'];
const TYPE_INDEX = new Map<number, number>();
const TYPE_CODES: Record<string, number> = {
  A: 1, AAAA: 28, CNAME: 5, DNSKEY: 48, DS: 43, MX: 15, NSEC: 47, NSEC3: 50, NS: 2, PTR: 12, RRSIG: 46, SOA: 6,
  SRV: 33, TXT: 16, HTTPS: 65, SVCB: 64, IXFR: 251, AXFR: 252, ANY: 255,
};
MONITORED_TYPES.forEach((t, i) => TYPE_INDEX.set(TYPE_CODES[t], i));
const OTHER = MONITORED_TYPES.length;
const NTYPES = OTHER + 1;

/** 0.25 ms × 2^k, 16 buckets (CoreDNS's plugin/metrics/vars TimeBuckets). */
export const DURATION_BUCKETS = Array.from({ length: 16 }, (_, k) => 0.00025 * 2 ** k);
export const SIZE_BUCKETS = [0, 100, 200, 300, 400, 511, 1023, 2047, 4095, 8291, 16e3, 32e3, 48e3, 64e3];

const PLUGINS = ['', 'kubernetes', 'forward', 'fault'];
const PROTOS = ['udp', 'tcp'];

class Hist {
  counts: Float64Array;
  sum = 0;
  count = 0;
  constructor(public buckets: number[]) {
    this.counts = new Float64Array(buckets.length);
  }
  observe(v: number) {
    this.sum += v;
    this.count++;
    const b = this.buckets;
    // Cumulative buckets are computed at scrape time; here only the first bucket that holds v.
    for (let i = 0; i < b.length; i++) {
      if (v <= b[i]) { this.counts[i]++; return; }
    }
  }
  values(name: string, labels: Record<string, string>) {
    const out: { value: number; labels: Record<string, string | number>; metricName: string }[] = [];
    let acc = 0;
    for (let i = 0; i < this.buckets.length; i++) {
      acc += this.counts[i];
      out.push({ value: acc, labels: { ...labels, le: this.buckets[i] }, metricName: `${name}_bucket` });
    }
    out.push({ value: this.count, labels: { ...labels, le: '+Inf' }, metricName: `${name}_bucket` });
    out.push({ value: this.sum, labels, metricName: `${name}_sum` });
    out.push({ value: this.count, labels, metricName: `${name}_count` });
    return out;
  }
}

export class DnsMetrics {
  /** [proto][family][type] */
  private requests = new Float64Array(2 * 2 * NTYPES);
  /** rcode (0..23, else 24) × plugin */
  private responses = new Float64Array(25 * PLUGINS.length);
  private doRequests = 0;
  private duration = new Hist(DURATION_BUCKETS);
  private reqSize = [new Hist(SIZE_BUCKETS), new Hist(SIZE_BUCKETS)];
  private respSize = [new Hist(SIZE_BUCKETS), new Hist(SIZE_BUCKETS)];

  constructor(public server: string, private zone = '.') {}

  /** The responder's hook: one call per query, a few array increments. */
  record(e: QueryEvent, nowMs: number): void {
    const proto = e.transport === 'tcp' ? 1 : 0;
    const family = e.client.includes(':') ? 1 : 0;
    const t = TYPE_INDEX.get(e.question.type) ?? OTHER;
    this.requests[(proto * 2 + family) * NTYPES + t]++;
    if (e.do) this.doRequests++;
    this.reqSize[proto].observe(e.requestSize);
    if (e.rcode >= 0) {
      const p = PLUGINS.indexOf(e.plugin);
      this.responses[Math.min(e.rcode, 24) * PLUGINS.length + (p < 0 ? 0 : p)]++;
      this.respSize[proto].observe(e.responseSize);
    }
    this.duration.observe((nowMs - e.start) / 1000);
  }

  register(registry: Registry): void {
    const metric = (name: string, help: string, type: 'counter' | 'histogram', get: () => unknown) =>
      registry.registerMetric({ name, help, type, get: async () => ({ name, help, type, values: get(), aggregator: 'sum' }) } as any);
    // The server label is known only once the port is bound: read it at scrape time.
    let base = { server: this.server, zone: this.zone, view: '' };
    const refresh = () => { base = { server: this.server, zone: this.zone, view: '' }; };

    metric('coredns_dns_requests_total', 'Counter of DNS requests made per zone, protocol and family.', 'counter', () => {
      refresh();
      const out = [];
      for (let proto = 0; proto < 2; proto++) {
        for (let family = 0; family < 2; family++) {
          for (let t = 0; t < NTYPES; t++) {
            const v = this.requests[(proto * 2 + family) * NTYPES + t];
            if (v > 0) out.push({ value: v, labels: { ...base, proto: PROTOS[proto], family: String(family + 1), type: t === OTHER ? 'other' : MONITORED_TYPES[t] } });
          }
        }
      }
      return out;
    });
    metric('coredns_dns_responses_total', 'Counter of response status codes.', 'counter', () => {
      refresh();
      const out = [];
      for (let rc = 0; rc < 25; rc++) {
        for (let p = 0; p < PLUGINS.length; p++) {
          const v = this.responses[rc * PLUGINS.length + p];
          if (v > 0) out.push({ value: v, labels: { ...base, rcode: rcodeName(rc), plugin: PLUGINS[p] } });
        }
      }
      return out;
    });
    metric('coredns_dns_do_requests_total', 'Counter of DNS requests with DO bit set per zone.', 'counter',
      () => (this.doRequests > 0 ? [{ value: this.doRequests, labels: base }] : []));
    metric('coredns_dns_request_duration_seconds', 'Histogram of the time (in seconds) each request took per zone.', 'histogram',
      () => this.duration.values('coredns_dns_request_duration_seconds', base));
    metric('coredns_dns_request_size_bytes', 'Size of the EDNS0 UDP buffer in bytes (64K for TCP) per zone and protocol.', 'histogram',
      () => [0, 1].flatMap((p) => (this.reqSize[p].count > 0 ? this.reqSize[p].values('coredns_dns_request_size_bytes', { ...base, proto: PROTOS[p] }) : [])));
    metric('coredns_dns_response_size_bytes', 'Size of the returned response in bytes.', 'histogram',
      () => [0, 1].flatMap((p) => (this.respSize[p].count > 0 ? this.respSize[p].values('coredns_dns_response_size_bytes', { ...base, proto: PROTOS[p] }) : [])));
  }
}

export { typeName };
