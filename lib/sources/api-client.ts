// GET requests to the Kubernetes API with every answer bounded in time and size, as client-go bounds them, and
// checked for being the API server's JSON at all. client-node 1.4.0 reads a list body whole with no size or time
// limit, never checks a watch's content type, and silently skips watch lines it cannot parse; so lists and watches
// are made here, over node:http(s), with the kubeconfig's agent (CA, client certificate) and Authorization header
// (kubeconfig/access.ts); a 401 is retried once with fresh credentials (a rotated token file, a re-run exec plugin),
// as client-go does.
import http from 'node:http';
import https from 'node:https';
import type { ClusterAccess } from './kubeconfig/access.js';
import { ApiResponseError, ApiStatusError } from './api-errors.js';
import type { RequestGate } from './request-gate.js';

export interface ApiLimits {
  /** a list page from request to last byte, and a watch up to its response headers (kube-apiserver's own default
   *  --request-timeout is 60 s, so a healthy server has answered or failed by then) */
  requestTimeoutMs: number;
  /** bytes one list page may take: 500 objects of 32 KiB, several times a real average (an oversize page is
   *  retried at half the page size, down to 50 objects), while a server that ignores `limit` or never ends the
   *  body cannot grow the process past it */
  listPageBytes: number;
  /** objects one list may hold across its pages (6x Kubernetes' 150,000-pod limit: beyond any real cluster) */
  listObjects: number;
  /** bytes one watch event (one line) may take (an object is at most ~1.5 MiB in etcd) */
  watchLineBytes: number;
}

const MiB = 1024 * 1024;

export const DEFAULT_API_LIMITS: Readonly<ApiLimits> = Object.freeze({
  requestTimeoutMs: 60_000,
  listPageBytes: 16 * MiB,
  listObjects: 1_000_000,
  watchLineBytes: 16 * MiB,
});

/** A non-2xx body is read this far, for the Status message in it. */
const ERROR_BODY_BYTES = 64 * 1024;

function mediaType(res: http.IncomingMessage): string {
  return String(res.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
}

export function formatBytes(n: number): string {
  return n >= MiB ? `${+(n / MiB).toFixed(1)} MiB` : n >= 1024 ? `${+(n / 1024).toFixed(1)} KiB` : `${n} bytes`;
}

export class ApiClient {
  /** `gate`: the apiserver_qps/burst/max_inflight limits, shared by every client of one source */
  constructor(private readonly access: ClusterAccess, readonly limits: ApiLimits, private readonly gate?: RequestGate) {}

  url(path: string, query: Record<string, string | number | boolean | undefined>): URL {
    const url = new URL(this.access.server + path);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, String(v));
    return url;
  }

  /** A list page (or any GET answered with one JSON document), parsed. */
  async getJson(url: URL, signal: AbortSignal): Promise<unknown> {
    const { limits } = this;
    const deadline = new Deadline(signal, limits.requestTimeoutMs);
    try {
      const res = await this.open(url, deadline.signal);
      await this.expectJson(res, url);
      const chunks: Buffer[] = [];
      let bytes = 0;
      for await (const chunk of res as AsyncIterable<Buffer>) {
        bytes += chunk.length;
        if (bytes > limits.listPageBytes) {
          res.destroy();
          throw new ApiResponseError(`list answer over ${formatBytes(limits.listPageBytes)} from ${url} (the limit of one page)`, 'too-large');
        }
        chunks.push(chunk);
      }
      const text = Buffer.concat(chunks).toString('utf8');
      chunks.length = 0;
      try {
        return JSON.parse(text);
      } catch {
        throw new ApiResponseError(`unparseable JSON (${formatBytes(bytes)}) from ${url}`, 'shape');
      }
    } catch (err) {
      throw deadline.explain(err, `no complete list answer within ${limits.requestTimeoutMs / 1000} s from ${url}`);
    } finally {
      deadline.clear();
    }
  }

  /**
   * A watch: resolves when the server ends the stream cleanly, rejects on anything else. Each line is parsed and
   * handed to `onEvent` (which may throw to end the watch); `onConnected` runs once the headers are in and good.
   */
  async watch(url: URL, signal: AbortSignal, onConnected: () => void, onEvent: (event: unknown) => void): Promise<void> {
    const { limits } = this;
    const deadline = new Deadline(signal, limits.requestTimeoutMs);
    let res: http.IncomingMessage;
    try {
      res = await this.open(url, deadline.signal);
      await this.expectJson(res, url);
    } catch (err) {
      deadline.clear();
      throw deadline.explain(err, `no answer to a watch within ${limits.requestTimeoutMs / 1000} s from ${url}`);
    }
    // The stream itself lives as long as the server keeps it (timeoutSeconds); the caller watches for stalls.
    deadline.clearTimer();
    try {
      onConnected();
      await this.stream(res, url, onEvent);
    } finally {
      res.destroy();
      deadline.clear();
    }
  }

  /** Splits a watch body into lines, each bounded, and hands each parsed line to `onEvent`. */
  private async stream(res: http.IncomingMessage, url: URL, onEvent: (event: unknown) => void): Promise<void> {
    const { limits } = this;
    let parts: Buffer[] = [];
    let pending = 0;
    const line = (buf: Buffer) => {
      const text = buf.toString('utf8').trim();
      if (text === '') return;
      let event: unknown;
      try {
        event = JSON.parse(text);
      } catch {
        throw new ApiResponseError(`unparseable watch line (${formatBytes(buf.length)}: ${JSON.stringify(text.slice(0, 60))}) from ${url}`, 'shape');
      }
      onEvent(event);
    };
    for await (const chunk of res as AsyncIterable<Buffer>) {
      let start = 0;
      for (let nl = chunk.indexOf(10); nl !== -1; nl = chunk.indexOf(10, start)) {
        const piece = chunk.subarray(start, nl);
        start = nl + 1;
        if (pending + piece.length > limits.watchLineBytes) throw this.lineTooLong(url);
        if (parts.length === 0) line(piece);
        else {
          parts.push(piece);
          const whole = Buffer.concat(parts);
          parts = [];
          pending = 0;
          line(whole);
        }
      }
      if (start < chunk.length) {
        const rest = chunk.subarray(start);
        pending += rest.length;
        if (pending > limits.watchLineBytes) throw this.lineTooLong(url);
        parts.push(rest);
      }
    }
    if (pending > 0) line(Buffer.concat(parts));
  }

  private lineTooLong(url: URL): ApiResponseError {
    return new ApiResponseError(`watch event over ${formatBytes(this.limits.watchLineBytes)} from ${url} (the limit of one event)`, 'too-large');
  }

  private async open(url: URL, signal: AbortSignal): Promise<http.IncomingMessage> {
    const res = await this.request(url, signal);
    if (res.statusCode !== 401 || !this.access.unauthorized()) return res;
    res.resume();
    res.destroy();
    return this.request(url, signal);
  }

  private async request(url: URL, signal: AbortSignal): Promise<http.IncomingMessage> {
    const { headers, agent } = await untilAborted(this.access.credentials(), signal);
    const mod = url.protocol === 'https:' ? https : http;
    if (this.gate) {
      const release = await this.gate.acquire(signal);
      try {
        return await this.send(mod, url, headers, agent, signal);
      } finally {
        release();
      }
    }
    return this.send(mod, url, headers, agent, signal);
  }

  private send(mod: typeof http | typeof https, url: URL, headers: http.OutgoingHttpHeaders, agent: http.Agent | undefined,
    signal: AbortSignal): Promise<http.IncomingMessage> {
    return new Promise((resolve, reject) => {
      const req = mod.request(url, {
        method: 'GET',
        agent,
        headers: { ...headers, Accept: 'application/json' },
        signal,
      }, resolve);
      req.on('error', reject);
      req.end();
    });
  }

  /** Anything but a 200 with JSON is an error that says what came back. */
  private async expectJson(res: http.IncomingMessage, url: URL): Promise<void> {
    const status = res.statusCode ?? 0;
    if (status !== 200) {
      const chunks: Buffer[] = [];
      let bytes = 0;
      try {
        for await (const chunk of res as AsyncIterable<Buffer>) {
          chunks.push(chunk);
          bytes += chunk.length;
          if (bytes >= ERROR_BODY_BYTES) break;
        }
      } catch { /* the status is what matters */ }
      res.destroy();
      const location = res.headers.location ? ` (redirect to ${res.headers.location})` : '';
      throw new ApiStatusError(status, Buffer.concat(chunks).subarray(0, ERROR_BODY_BYTES).toString('utf8'), `${url}${location}`);
    }
    const type = mediaType(res);
    if (type !== 'application/json') {
      res.destroy();
      throw new ApiResponseError(`${type || 'no Content-Type'} (not JSON) from ${url}`, 'content-type');
    }
  }
}

/** A stopped source does not wait for a credential plugin still running (it ends on its time limit, or with us). */
function untilAborted<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** The caller's abort signal combined with a time limit; says which of the two ended a request. */
class Deadline {
  private readonly ctl = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private timedOut = false;
  private readonly onAbort = () => this.ctl.abort();

  constructor(private readonly outer: AbortSignal, ms: number) {
    if (outer.aborted) this.ctl.abort();
    else outer.addEventListener('abort', this.onAbort, { once: true });
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.ctl.abort();
    }, ms);
  }

  get signal(): AbortSignal {
    return this.ctl.signal;
  }

  clearTimer(): void {
    clearTimeout(this.timer);
  }

  clear(): void {
    clearTimeout(this.timer);
    this.outer.removeEventListener('abort', this.onAbort);
  }

  explain(err: unknown, timeoutMessage: string): unknown {
    return this.timedOut && !this.outer.aborted ? new ApiResponseError(timeoutMessage, 'timeout') : err;
  }
}
