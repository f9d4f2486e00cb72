// The transport's own tallies (plain numbers bumped on the packet path, never a prom-client call there) exported as
// counters when Prometheus scrapes: what was dropped, refused or held back, which no rcode metric can show.
import { Counter, type Registry } from 'prom-client';
import type { TransportStats } from '../wire/transport.js';

export function registerTransportMetrics(registry: Registry, stats: TransportStats): void {
  // The counters mirror monotonic tallies: reset and re-add on each scrape so the exported value is the tally.
  new Counter({
    name: 'clusterdns_dns_dropped_total', help: 'Queries dropped without a reply by the transport, by reason.',
    labelNames: ['reason'], registers: [registry],
    collect() {
      this.reset();
      this.inc({ reason: 'udp_source_port_0' }, stats.udpBadSourcePort);
      this.inc({ reason: 'udp_send_error' }, stats.udpSendErrors);
    },
  });
  new Counter({
    name: 'clusterdns_tcp_read_paused_total', help: 'Times a TCP connection stopped being read because queued answers were over the bound.',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(stats.tcpPaused);
    },
  });
}
