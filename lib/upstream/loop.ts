// Forwarding loop detection, after CoreDNS's `loop` plugin: a query for a random name (`<n>.<n>.`, HINFO) is sent
// through the upstreams at start-up; if it reaches us more than twice, our upstreams lead back to us. Apart from
// that probe, a query arriving with the ID and question of one we forwarded and still wait for may be our own
// query come back (a server forwarding to itself): that one query is answered SERVFAIL, which stops the bounce at
// once, and a probe round confirms. The bounce alone never trips detection: a client may pick the same 16-bit ID
// for the same name by chance, or spoof it. Once a loop is seen, everything that would be forwarded is answered
// SERVFAIL, it is logged once, and the probe is re-sent every RECHECK_MS: when it comes back answered and not
// looped, forwarding resumes.
import { randomInt } from 'node:crypto';

/** CoreDNS: "seen more than twice" */
const MAX_PROBE_SEEN = 2;
/** between probes while no upstream answered one (CoreDNS keeps trying for 30 s) */
const RETRY_MS = 5_000;
const RETRY_FOR_MS = 30_000;
/** between probes while a loop is known, to notice it is gone */
const RECHECK_MS = 30_000;

export interface LoopLogger {
  warn(obj: object, msg: string): void;
  info?(obj: object, msg: string): void;
}

export interface LoopStatus {
  detected: boolean;
  /** why, when detected */
  reason: string | null;
  /** ms since the epoch */
  since: number | null;
  /** SERVFAILs given instead of forwarding since start-up */
  refused: number;
  /** loops detected since start-up */
  detections: number;
  /** queries that came in with the ID and question of one we were forwarding: refused, and a probe sent */
  bounces: number;
}

/** The lower-cased question section of a query for `name`, HINFO, IN: the form forwarder.ts compares. */
function questionOf(name: string): string {
  const parts = name.split('.').filter(Boolean);
  let s = '';
  for (const p of parts) s += String.fromCharCode(p.length) + p;
  return `${s}\u0000\u0000\u000d\u0000\u0001`;
}

export class LoopGuard {
  private probeName = '';
  private probeQuestion = '';
  private probeSeen = 0;
  private detectedAt: number | null = null;
  private reason: string | null = null;
  private refused = 0;
  private detections = 0;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private probing = false;
  private send: ((query: Buffer) => Promise<Buffer | null>) | undefined;
  private startedAt = 0;
  /** queries that arrived with the ID and question of one we were forwarding (answered SERVFAIL) */
  private bounces = 0;

  constructor(private logger?: LoopLogger) {}

  get detected(): boolean {
    return this.detectedAt !== null;
  }

  get status(): LoopStatus {
    return { detected: this.detected, reason: this.reason, since: this.detectedAt, refused: this.refused, detections: this.detections, bounces: this.bounces };
  }

  /**
   * A query about to be forwarded: false to forward it, true to answer SERVFAIL instead. `ownPending` says
   * whether its ID and question are those of a query we forwarded and wait for.
   */
  refuse(question: string, ownPending: boolean): boolean {
    if (question === this.probeQuestion && this.probeQuestion !== '') {
      // The probe itself is forwarded even while a loop is known: that is how its end is noticed.
      if (++this.probeSeen > MAX_PROBE_SEEN) return this.trip(`the loop probe ${this.probeName} HINFO came back ${this.probeSeen} times`);
      return false;
    }
    if (this.detected) { this.refused++; return true; }
    if (ownPending) {
      this.refused++;
      this.bounces++;
      if (!this.probing && !this.timer) void this.round();
      return true;
    }
    return false;
  }

  private trip(reason: string): true {
    this.refused++;
    if (this.detectedAt === null) {
      this.detectedAt = Date.now();
      this.reason = reason;
      this.detections++;
      this.logger?.warn({ reason, probe: this.probeName }, 'forwarding loop detected: the upstreams send our queries back to us; answering SERVFAIL instead of forwarding until it is gone');
    }
    return true;
  }

  /** A fresh probe query (random ID and name); its question becomes the one counted. */
  nextProbe(): Buffer {
    this.probeName = `${randomInt(1, 2 ** 47)}.${randomInt(1, 2 ** 47)}.`;
    this.probeQuestion = questionOf(this.probeName);
    this.probeSeen = 0;
    const labels = this.probeName.split('.').filter(Boolean);
    const q = Buffer.alloc(12 + labels.reduce((n, l) => n + l.length + 1, 0) + 5);
    q.writeUInt16BE(randomInt(0x10000), 0);
    q.writeUInt16BE(0x0100, 2);
    q.writeUInt16BE(1, 4);
    let o = 12;
    for (const l of labels) { q[o++] = l.length; o += q.write(l, o, 'latin1'); }
    q[o++] = 0;
    q.writeUInt16BE(13, o);
    q.writeUInt16BE(1, o + 2);
    return q;
  }

  /**
   * Sends probes with `send` (which must not pass through refuse()) until one is answered, then only while a loop
   * is known. Resolves after the first probe settles.
   */
  async start(send: (query: Buffer) => Promise<Buffer | null>): Promise<void> {
    this.send = send;
    this.startedAt = Date.now();
    await this.round();
  }

  private async round(): Promise<void> {
    const send = this.send;
    if (this.closed || !send || this.probing) return;
    if (this.timer) { clearTimeout(this.timer); this.timer = undefined; }
    this.probing = true;
    const reply = await send(this.nextProbe()).catch(() => null);
    this.probing = false;
    if (this.closed) return;
    if (reply && this.probeSeen <= MAX_PROBE_SEEN) {
      if (this.detected) {
        this.logger?.info?.({ probe: this.probeName }, 'forwarding loop gone: forwarding again');
        this.detectedAt = null;
        this.reason = null;
      }
      return;
    }
    const wait = this.detected ? RECHECK_MS : Date.now() - this.startedAt < RETRY_FOR_MS ? RETRY_MS : 0;
    if (wait === 0) return;
    this.timer = setTimeout(() => { this.timer = undefined; void this.round(); }, wait);
    this.timer.unref();
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
  }
}
