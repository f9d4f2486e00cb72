// A Server-Sent Events reader over real fetch, as a browser's EventSource parses the stream (id/event/data lines,
// comments, blank line ends an event), with a bounded wait for the next event that matches.
export interface SseEvent {
  id?: string;
  event: string;
  data: string;
}

export interface SseReader {
  status: number;
  headers: Headers;
  events: SseEvent[];
  comments: string[];
  /** resolves with the first event (already read or to come) that matches, or rejects after ms */
  next(pred: (e: SseEvent) => boolean, ms?: number): Promise<SseEvent>;
  close(): void;
  /** resolves when the server ended the stream */
  ended: Promise<void>;
}

export async function openSse(url: string, headers: Record<string, string> = {}): Promise<SseReader> {
  const ac = new AbortController();
  const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: ac.signal });
  const events: SseEvent[] = [];
  const comments: string[] = [];
  const wakers = new Set<() => void>();
  let endedResolve!: () => void;
  const ended = new Promise<void>((r) => { endedResolve = r; });
  if (res.body && res.headers.get('content-type')?.startsWith('text/event-stream')) {
    void (async () => {
      const dec = new TextDecoder();
      let buf = '';
      let cur: Partial<SseEvent> & { data?: string } = {};
      try {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          buf += dec.decode(chunk, { stream: true });
          let nl;
          while ((nl = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, nl);
            buf = buf.slice(nl + 1);
            if (line === '') {
              if (cur.data !== undefined) events.push({ event: cur.event ?? 'message', data: cur.data, ...(cur.id !== undefined ? { id: cur.id } : {}) });
              cur = {};
              for (const w of wakers) w();
            } else if (line.startsWith(':')) comments.push(line.slice(1).trim());
            else {
              const c = line.indexOf(':');
              const field = c < 0 ? line : line.slice(0, c);
              const value = c < 0 ? '' : line.slice(c + 1).replace(/^ /, '');
              if (field === 'data') cur.data = cur.data === undefined ? value : `${cur.data}\n${value}`;
              else if (field === 'id') cur.id = value;
              else if (field === 'event') cur.event = value;
            }
          }
        }
      } catch { /* aborted or reset */ }
      endedResolve();
      for (const w of wakers) w();
    })();
  } else endedResolve();
  let done = false;
  void ended.then(() => { done = true; });
  return {
    status: res.status, headers: res.headers, events, comments, ended,
    close: () => ac.abort(),
    next(pred, ms = 5000) {
      return new Promise((resolve, reject) => {
        let seen = 0;
        const check = () => {
          for (; seen < events.length; seen++) {
            if (pred(events[seen])) { cleanup(); resolve(events[seen]); return; }
          }
          if (done) { cleanup(); reject(new Error(`the stream ended before a matching event (${events.length} events)`)); }
        };
        const timer = setTimeout(() => { cleanup(); reject(new Error(`no matching event within ${ms} ms; got ${events.map((e) => `${e.event}:${e.data.slice(0, 80)}`).join(' | ')}`)); }, ms);
        const cleanup = () => { clearTimeout(timer); wakers.delete(check); };
        wakers.add(check);
        check();
      });
    },
  };
}
