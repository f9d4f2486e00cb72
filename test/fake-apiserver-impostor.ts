// Answers a fake API server gives when it is told to be something else: an auth proxy's login page, a JSON
// service of another shape, a list that never ends, a list or watch that never answers.
import type http from 'node:http';

export type Impostor = 'html' | 'wrong-json' | 'endless-list' | 'hang-list' | 'hang-watch';

/** Answers a list or watch as `impostor`; false when this request is to be served normally. */
export function answerAsImpostor(
  impostor: Impostor, res: http.ServerResponse, info: { kind: string; apiVersion: string }, rv: number, watch: boolean,
): boolean {
  switch (impostor) {
    case 'html': {
      const page = '<!doctype html><html><head><title>Sign in</title></head><body><form action="/oauth2/start">Sign in with SSO</form></body></html>\n';
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': Buffer.byteLength(page) });
      res.end(page);
      return true;
    }
    case 'wrong-json': {
      const body = `${JSON.stringify({ status: 'ok', user: null, redirect: '/login' })}\n`;
      res.writeHead(200, watch
        ? { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' }
        : { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
      return true;
    }
    case 'endless-list': {
      if (watch) return false;
      res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
      res.write(`{"kind":"${info.kind}List","apiVersion":"${info.apiVersion}","metadata":{"resourceVersion":"${rv}"},"items":[`);
      let n = 0;
      // Items as fast as the client reads them, until it hangs up.
      const pump = () => {
        while (!res.destroyed && !res.writableEnded) {
          const items: string[] = [];
          for (let i = 0; i < 200; i++, n++) {
            items.push(JSON.stringify({ metadata: { name: `endless-${n}`, namespace: 'default', resourceVersion: '1' }, spec: { clusterIP: 'None' } }));
          }
          if (!res.write(`${items.join(',')},`)) {
            res.once('drain', pump);
            return;
          }
        }
      };
      pump();
      return true;
    }
    case 'hang-list':
    case 'hang-watch':
      // Headers never sent, body never written: the socket stays open until the client gives up.
      return impostor === 'hang-list' ? !watch : watch;
  }
}
