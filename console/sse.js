// Server-Sent Events over fetch rather than EventSource: fetch sends the admin token as a Bearer header (an
// EventSource cannot send headers, and a token in the URL ends up in logs and history), and aborting it ends the
// stream at once. Reconnects after a drop, asking for what came after the last event id it saw.
import { authedFetch } from './api.js';

/**
 * openStream('/api/v1/queries/stream', { name: 'x' }, { onEvent(type, data, id), onState(state, detail) })
 * state: 'connecting' | 'open' | 'retrying' | 'closed' | 'error'. Returns { close() }.
 */
export function openStream(path, params, { onEvent, onState }) {
  let lastId = null;
  let closed = false;
  let controller = null;
  let delay = 500;

  const url = () => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
    if (lastId !== null) q.set('since', lastId);
    const s = q.toString();
    return s ? `${path}?${s}` : path;
  };

  const dispatch = (block) => {
    let type = 'message';
    let id = null;
    const data = [];
    for (const line of block.split('\n')) {
      if (line === '' || line.startsWith(':')) continue;
      const i = line.indexOf(':');
      const field = i < 0 ? line : line.slice(0, i);
      const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
      if (field === 'event') type = value;
      else if (field === 'data') data.push(value);
      else if (field === 'id') id = value;
    }
    if (id !== null) lastId = id;
    if (!data.length) return;
    let parsed;
    try { parsed = JSON.parse(data.join('\n')); } catch { parsed = data.join('\n'); }
    onEvent(type, parsed, id);
  };

  const run = async () => {
    while (!closed) {
      controller = new AbortController();
      onState('connecting');
      try {
        const res = await authedFetch(url(), { headers: { accept: 'text/event-stream' }, signal: controller.signal });
        if (!res.ok) {
          const body = await res.json().catch(() => ({}));
          onState('error', body.message ?? `${res.status} ${res.statusText}`);
          if (res.status >= 400 && res.status < 500 && res.status !== 429) return;
        } else {
          onState('open');
          delay = 500;
          const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
          let buf = '';
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            buf += value.replace(/\r\n?/g, '\n');
            let end;
            while ((end = buf.indexOf('\n\n')) >= 0) {
              dispatch(buf.slice(0, end));
              buf = buf.slice(end + 2);
            }
          }
        }
      } catch (err) {
        if (closed) break;
        if (err?.status === 401) { onState('error', err.message); return; }
      }
      if (closed) break;
      onState('retrying');
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 10_000);
    }
    onState('closed');
  };
  run();
  return { close() { closed = true; controller?.abort(); } };
}
