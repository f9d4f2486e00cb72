// The transfer plugin's ServeDNS (CoreDNS's plugin/transfer with plugin/kubernetes/xfr.go as the one Transferer):
// AXFR, and IXFR answered with a single SOA when the client's serial is the zone's, else as a full AXFR.
//   - Over UDP: REFUSED, whatever the name (CoreDNS checks the transport first).
//   - A name in none of the directive's zones goes on down the chain (the kubernetes plugin answers REFUSED).
//   - A client not in `to`: REFUSED.
//   - IXFR without exactly one SOA in the authority section: SERVFAIL.
//   - The name must be one of the cluster zones itself: CoreDNS would transfer a name below one (svc.cluster.local)
//     as if it were a zone, with every Service named under it; here it goes on down the chain (REFUSED), as do
//     the reverse zones, whose transfer in CoreDNS is the Services again under in-addr.arpa.
// The transfer is made lazily, a message at a time as the client reads (lib/wire/tcp-connection.ts), from the
// Services as they were when it began, sorted once.
import type { Logger } from 'pino';
import type { Service } from '../../cluster/model.js';
import type { ClusterStore } from '../../cluster/store.js';
import { soaRecord } from '../../dns/apex.js';
import { QTYPE, RCODE, type Answer, type SoaData } from '../../dns/records.js';
import type { ResolverConfig } from '../../dns/resolver-config.js';
import type { Next, Plugin, Reply, Request } from '../../plugin/handler.js';
import type { KubernetesPlugin } from '../kubernetes/handler.js';
import { TransferAcl, type TransferTo } from './acl.js';
import { batches } from './batches.js';
import { clientSerial } from './ixfr.js';
import { transferServices, zoneTransfer } from './zone-records.js';
import { inZone } from '../../dns/names.js';

/** One transfer directive: its zones ('' = the root) and who may transfer them. */
export interface TransferOptions {
  xfrs: { zones: string[]; to: TransferTo }[];
}

/**
 * Transfers being sent at once; past this, SERVFAIL (a secondary retries later). Each holds the sorted list of
 * Services (8 bytes a Service) until its client has read it all, and each makes one message (~3 ms of work at
 * 1,000 records) a turn of the event loop: ten at once keep a turn, and so a UDP query's wait, within ~30 ms.
 */
export const MAX_ACTIVE_TRANSFERS = 10;

/**
 * Transfers one client address may have at once. A secondary transfers a zone once per refresh; a client that asks
 * over many connections and never reads made the server encode the zone again for each (2.7 MB at 10,000 Services,
 * garbage faster than the GC took it back: RSS +420 MiB for 200 such connections), and held every slot.
 */
export const MAX_TRANSFERS_PER_CLIENT = 2;

/**
 * Full transfers one client address may start: a burst, then one a second. A secondary transfers a zone once per
 * SOA refresh; a client whose kernel buffers swallow whole zones (MBs on loopback) and asks hundreds of times would
 * otherwise make the server encode the zone each time (600 asks: RSS +420 MiB of garbage on Node 24). Each full
 * transfer of that zone is ~8 MB of garbage (records and bytes); a burst of 30 let a slow GC reach +247 MiB under
 * load, 10 bounds it near 100 MB whenever the GC runs, and a secondary needs one transfer per zone per refresh.
 */
export const TRANSFER_BURST = 10;
const TRANSFERS_PER_SECOND = 1;
/** client addresses whose rate is remembered; past this the oldest are forgotten (a flood of addresses) */
const MAX_TRACKED_CLIENTS = 10_000;

export interface TransferRuntime {
  store: ClusterStore;
  kubernetes: KubernetesPlugin;
  resolverConfig: () => ResolverConfig;
  logger: Logger;
}

const message = (rcode: number, aa: boolean, records: Answer['answer'] = []): Answer =>
  ({ rcode, aa, answer: records, authority: [], additional: [] });

export class TransferPlugin implements Plugin {
  readonly name = 'transfer';
  private readonly xfrs: { zones: string[]; acl: TransferAcl }[];
  private active = 0;
  private readonly byClient = new Map<string, number>();
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  /** the Services in transfer order, kept while the cluster does not change: transfers at once share one copy */
  private sorted?: { generation: number; services: readonly Service[] };

  constructor(opts: TransferOptions, private readonly rt: TransferRuntime) {
    this.xfrs = opts.xfrs.map((x) => ({ zones: x.zones, acl: new TransferAcl(x.to) }));
  }

  /** transfers being sent now */
  get activeTransfers(): number {
    return this.active;
  }

  serveDNS(req: Request, next: Next): Reply | Promise<Reply> {
    if (req.type !== QTYPE.AXFR && req.type !== QTYPE.IXFR) return next(req);
    // Replies here depend on the client, the authority section and the moment: none is cached.
    if (req.transport !== 'tcp') {
      req.varies = true;
      return { kind: 'answer', answer: message(RCODE.REFUSED, false), plugin: '' };
    }
    const lname = req.name.toLowerCase();
    const x = this.longestMatch(lname);
    if (!x) return next(req);
    req.varies = true;
    // CoreDNS writes this REFUSED itself, without OPT: one message, as a transfer's are.
    if (!x.acl.allows(req.client)) return { kind: 'messages', messages: [message(RCODE.REFUSED, false)], plugin: this.name };
    let serial = 0;
    if (req.type === QTYPE.IXFR) {
      const s = clientSerial(req.msg);
      if (s === undefined) return { kind: 'answer', answer: message(RCODE.SERVFAIL, false), plugin: '' };
      serial = s;
    }
    const cfg = this.rt.resolverConfig();
    if (!cfg.zones.includes(lname)) return next(req);
    const view = this.rt.kubernetes.view;
    const soa = soaRecord(lname, cfg, view);
    // The client is current: its serial alone (CoreDNS compares for equality; 0 asks for everything).
    // As CoreDNS, that one SOA goes without AA (miekg/dns's SetReply).
    if (serial !== 0 && serial === (soa.data as SoaData).serial) {
      return { kind: 'messages', messages: [message(RCODE.NOERROR, false, [soa])], plugin: this.name };
    }
    if ((this.byClient.get(req.client) ?? 0) >= MAX_TRANSFERS_PER_CLIENT) {
      this.rt.logger.debug({ zone: lname, client: req.client }, 'transfer: this client has too many transfers at once; SERVFAIL');
      return { kind: 'answer', answer: message(RCODE.SERVFAIL, false), plugin: '' };
    }
    if (!this.takeToken(req.client)) {
      this.rt.logger.debug({ zone: lname, client: req.client }, 'transfer: this client asked too often; SERVFAIL');
      return { kind: 'answer', answer: message(RCODE.SERVFAIL, false), plugin: '' };
    }
    if (this.active >= MAX_ACTIVE_TRANSFERS) {
      this.rt.logger.warn({ zone: lname, client: req.client, active: this.active }, 'transfer: too many transfers at once; SERVFAIL');
      return { kind: 'answer', answer: message(RCODE.SERVFAIL, false), plugin: '' };
    }
    const generation = this.rt.kubernetes.generation();
    if (!this.sorted || this.sorted.generation !== generation) {
      this.sorted = { generation, services: transferServices(this.rt.store.allServices(), view) };
    }
    const services = this.sorted.services;
    return { kind: 'messages', messages: this.send(zoneTransfer(view, cfg, lname, soa, services), lname, req.client, soa), plugin: this.name };
  }

  /** The messages of one transfer, made as they are taken; the slot is held from the first until the end. */
  private *send(records: Iterable<Answer['answer'][number]>, zone: string, client: string, soa: Answer['answer'][number]): Generator<Answer, void, void> {
    this.active++;
    this.byClient.set(client, (this.byClient.get(client) ?? 0) + 1);
    let count = 0;
    let done = false;
    try {
      for (const batch of batches(records)) {
        count += batch.length;
        yield message(RCODE.NOERROR, true, batch);
      }
      done = true;
    } finally {
      this.active--;
      const left = (this.byClient.get(client) ?? 1) - 1;
      if (left > 0) this.byClient.set(client, left);
      else this.byClient.delete(client);
      const serial = (soa.data as SoaData).serial;
      if (done) this.rt.logger.info({ zone, client, records: count, serial }, 'transfer: outgoing transfer sent');
      else this.rt.logger.info({ zone, client, records: count, serial }, 'transfer: outgoing transfer cut off by the client');
    }
  }

  /** A token of the client's bucket (TRANSFER_BURST, refilled at TRANSFERS_PER_SECOND), or false when it has none. */
  private takeToken(client: string): boolean {
    const now = performance.now();
    let b = this.buckets.get(client);
    if (!b) {
      if (this.buckets.size >= MAX_TRACKED_CLIENTS) this.buckets.delete(this.buckets.keys().next().value!);
      b = { tokens: TRANSFER_BURST, at: now };
      this.buckets.set(client, b);
    }
    b.tokens = Math.min(TRANSFER_BURST, b.tokens + ((now - b.at) / 1000) * TRANSFERS_PER_SECOND);
    b.at = now;
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  private longestMatch(lname: string): { zones: string[]; acl: TransferAcl } | undefined {
    let best: { zones: string[]; acl: TransferAcl } | undefined;
    let bestLen = -1;
    for (const x of this.xfrs) {
      for (const z of x.zones) {
        if (inZone(lname, z) && z.length > bestLen) { best = x; bestLen = z.length; }
      }
    }
    return best;
  }
}
