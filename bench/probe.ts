// A fast query loop from outside the server: one query per millisecond for one name, each answer timed and kept.
// It measures two things at once: when an answer changes (propagation), and how long the server did not answer
// at all (a stalled event loop delays every probe sent during the stall, so the worst probe latency is the
// longest stall, to within the probe interval).
import dgram from 'node:dgram';
import packet from 'dns-packet';
import { encodeQuery } from './dns-client.js';

export interface ProbeReply {
  sentAt: number;
  receivedAt: number;
  latencyMs: number;
  rcode: string;
  /** first A record's address, '' when none */
  address: string;
}

export class Prober {
  private sock = dgram.createSocket('udp4');
  private timer?: NodeJS.Timeout;
  private inFlight = new Map<number, number>();
  private id = 0;
  readonly replies: ProbeReply[] = [];
  private waiters: { since: number; pred: (r: ProbeReply) => boolean; resolve: (r: ProbeReply) => void }[] = [];

  constructor(private port: number, private name: string, private type = 'A') {
    this.sock.on('message', (msg) => this.onReply(msg));
  }

  start(intervalMs = 1): void {
    this.timer = setInterval(() => {
      this.id = (this.id + 1) & 0xffff;
      this.inFlight.set(this.id, performance.now());
      this.sock.send(encodeQuery(this.name, this.type, this.id), this.port, '127.0.0.1');
    }, intervalMs);
  }

  private onReply(msg: Buffer): void {
    const now = performance.now();
    const id = msg.readUInt16BE(0);
    const sentAt = this.inFlight.get(id);
    if (sentAt === undefined) return;
    this.inFlight.delete(id);
    let rcode = 'FORMERR';
    let address = '';
    try {
      const p = packet.decode(msg);
      rcode = (p as any).rcode ?? 'NOERROR';
      const a = (p.answers ?? []).find((r) => r.type === 'A') as { data?: unknown } | undefined;
      if (a) address = String(a.data);
    } catch { /* counted as an odd reply */ }
    const r: ProbeReply = { sentAt, receivedAt: now, latencyMs: now - sentAt, rcode, address };
    this.replies.push(r);
    this.waiters = this.waiters.filter((w) => {
      if (r.sentAt >= w.since && w.pred(r)) { w.resolve(r); return false; }
      return true;
    });
  }

  /** The first reply to a probe sent at or after `since` that satisfies `pred`. */
  waitFor(since: number, pred: (r: ProbeReply) => boolean, timeoutMs: number): Promise<ProbeReply | undefined> {
    const hit = this.replies.find((r) => r.sentAt >= since && pred(r));
    if (hit) return Promise.resolve(hit);
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve(undefined), timeoutMs);
      this.waiters.push({ since, pred, resolve: (r) => { clearTimeout(t); resolve(r); } });
    });
  }

  /**
   * Over probes sent in [from, to): the worst latency, the longest time between two consecutive answers (the
   * server answered nothing meanwhile, though asked every millisecond: a blocked event loop), and how many got
   * no answer within `lostAfterMs`.
   */
  worst(from: number, to: number, lostAfterMs = 5000): { maxMs: number; maxGapMs: number; answered: number; lost: number } {
    let maxMs = 0;
    let answered = 0;
    let maxGapMs = 0;
    let prev = from;
    const received = this.replies.filter((r) => r.receivedAt >= from && r.receivedAt < to).map((r) => r.receivedAt).sort((a, b) => a - b);
    for (const at of received) {
      maxGapMs = Math.max(maxGapMs, at - prev);
      prev = at;
    }
    for (const r of this.replies) {
      if (r.sentAt < from || r.sentAt >= to) continue;
      answered++;
      if (r.latencyMs > maxMs) maxMs = r.latencyMs;
    }
    const now = performance.now();
    let lost = 0;
    for (const sentAt of this.inFlight.values()) {
      if (sentAt >= from && sentAt < to && now - sentAt > lostAfterMs) lost++;
    }
    return { maxMs, maxGapMs, answered, lost };
  }

  /** Idempotent, so a test can stop it early and still leave it to its teardown. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.sock.close();
  }

  private stopped = false;
}
