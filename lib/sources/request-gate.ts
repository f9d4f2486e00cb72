// CoreDNS's `apiserver_qps`, `apiserver_burst` and `apiserver_max_inflight` for the live client: one gate shared by
// every informer, as client-go shares one rate limiter per client. A request takes a token from a bucket (`burst`
// deep, refilled at `qps` a second: client-go's token bucket) and a slot of `maxInflight`, which it holds until the
// response headers are in (CoreDNS wraps the RoundTripper, so a watch's open stream holds no slot).
// Unset limits mean none: client-go's defaults (5 QPS, burst 10) apply only when the other of the pair is set.

/** client-go's rest.Config defaults, used when only one of qps/burst is given (as CoreDNS leaves the other unset) */
export const CLIENT_GO_QPS = 5;
export const CLIENT_GO_BURST = 10;

export interface RequestGateOptions {
  qps?: number;
  burst?: number;
  maxInflight?: number;
}

export type Release = () => void;

export class RequestGate {
  readonly qps: number;
  readonly burst: number;
  readonly maxInflight: number;
  private tokens: number;
  private last = performance.now();
  private inflight = 0;
  private readonly waiting: (() => void)[] = [];

  /** undefined when no option sets a limit */
  static from(o: RequestGateOptions): RequestGate | undefined {
    const rate = (o.qps ?? 0) > 0 || (o.burst ?? 0) > 0;
    if (!rate && !((o.maxInflight ?? 0) > 0)) return undefined;
    return new RequestGate(o);
  }

  constructor(o: RequestGateOptions) {
    const rate = (o.qps ?? 0) > 0 || (o.burst ?? 0) > 0;
    this.qps = rate ? (o.qps || CLIENT_GO_QPS) : 0;
    this.burst = rate ? Math.max(1, o.burst || CLIENT_GO_BURST) : 0;
    this.maxInflight = o.maxInflight ?? 0;
    this.tokens = this.burst;
  }

  /** Waits for a token and a slot; the caller releases the slot once its response headers are in. */
  async acquire(signal: AbortSignal): Promise<Release> {
    const wait = this.reserve();
    if (wait > 0) await sleep(wait, signal, () => { this.tokens += 1; });
    if (this.maxInflight > 0) {
      if (this.inflight >= this.maxInflight) await this.slot(signal);
      this.inflight++;
    }
    let released = false;
    return () => {
      if (released || this.maxInflight <= 0) return;
      released = true;
      this.inflight--;
      this.waiting.shift()?.();
    };
  }

  /** Takes a token now, possibly on credit: the milliseconds until it is really there (a reservation, FIFO). */
  private reserve(): number {
    if (this.qps <= 0) return 0;
    const now = performance.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.qps);
    this.last = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens / this.qps) * 1000;
  }

  private slot(signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const wake = () => {
        signal.removeEventListener('abort', onAbort);
        if (this.inflight < this.maxInflight) resolve();
        else this.waiting.unshift(wake);
      };
      const onAbort = () => {
        const i = this.waiting.indexOf(wake);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(signal.reason);
      };
      if (signal.aborted) return reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(wake);
    });
  }
}

function sleep(ms: number, signal: AbortSignal, onAbort: () => void): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) { onAbort(); return reject(signal.reason); }
    const timer = setTimeout(() => { signal.removeEventListener('abort', abort); resolve(); }, ms);
    const abort = () => { clearTimeout(timer); onAbort(); reject(signal.reason); };
    signal.addEventListener('abort', abort, { once: true });
  });
}
