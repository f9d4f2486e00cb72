// GET /api/v1/queries/stream: the query journal live, as Server-Sent Events (queries-stream.ts does the fan-out).
//
// The token: a browser's EventSource cannot send an Authorization header, so this route, and only this one, also
// takes it as `?token=`. It is read-only (it shows what the journal shows to a Bearer holder), a URL can leak
// through history and proxy logs, so the answer says `Cache-Control: no-store` and `Referrer-Policy: no-referrer`;
// a client that can set headers (curl, fetch) should send the header instead.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ClusterDnsServer } from '../start.js';
import { ERROR_SCHEMA } from './openapi-schemas.js';
import { compileQueryMatch, type QueryMatch } from './query-match.js';
import { QUERY_MATCH_QUERYSTRING } from './query-wait-route.js';
import { DEFAULT_REPLAY, HEARTBEAT_MS, MAX_BUFFERED_BYTES, MAX_EVENTS_PER_SECOND, MAX_REPLAY, MAX_STREAMS, QueryStreamHub } from './queries-stream.js';

export const STREAM_ROUTE = '/api/v1/queries/stream';

const hubs = new WeakMap<ClusterDnsServer, QueryStreamHub>();

/** The server's one hub (the journal has one tap). */
export function streamHubFor(srv: ClusterDnsServer): QueryStreamHub {
  let h = hubs.get(srv);
  if (!h) {
    h = new QueryStreamHub(srv.journal, () => srv.resolverConfig().zones, (ip) => srv.store.podNamespaceByIP(ip));
    hubs.set(srv, h);
  }
  return h;
}

/** For the admin app's token check: `Bearer <token>` from `?token=` on this route, else undefined. */
export function streamAuthorization(req: FastifyRequest): string | undefined {
  if (req.method !== 'GET' || req.routeOptions.url !== STREAM_ROUTE) return undefined;
  const t = (req.query as Record<string, unknown> | undefined)?.token;
  return typeof t === 'string' && t !== '' ? `Bearer ${t}` : undefined;
}

interface StreamQuery extends QueryMatch { since?: number; limit?: number; token?: string }

/** A Last-Event-ID header as a sequence number; undefined when absent or not one of ours. */
function lastEventId(h: string | string[] | undefined): number | undefined {
  const v = Array.isArray(h) ? h[0] : h;
  if (v === undefined || !/^\d{1,15}$/.test(v.trim())) return undefined;
  return Number(v.trim());
}

export function registerQueriesStream(app: FastifyInstance, srv: ClusterDnsServer): void {
  const hub = streamHubFor(srv);
  const mine = new Set<() => void>();
  // Open streams would hold app.close() forever: end them first.
  app.addHook('preClose', async () => {
    for (const close of [...mine]) close();
  });
  app.get<{ Querystring: StreamQuery }>(STREAM_ROUTE, {
    schema: {
      description: `The query journal live, as Server-Sent Events (text/event-stream): each query is an "event: query" whose id is its journal sequence number and whose data is the /api/v1/queries entry plus seq, at (ISO time), answerData (the answers as short strings), latencyMs, plugin, and for a pod's search-path walk lookup/lookupName/lookupDone (rows of one walk share a lookup). First replays the last "limit" matching queries (default ${DEFAULT_REPLAY}, at most ${MAX_REPLAY}), or those after "since" or the Last-Event-ID header (a reconnect); "event: gap" ({reason, skipped, message}) says how many were left out: reason "replay" past the limit, "journal" overwritten since, "reset" an id ahead of this server's (it restarted: replayed as for a new client), "rate" past ${MAX_EVENTS_PER_SECOND} events a second (the rest are not even built; the journal still has them). A heartbeat comment every ${HEARTBEAT_MS / 1000} s. At most ${MAX_STREAMS} streams (503 past it); a client that leaves over ${MAX_BUFFERED_BYTES / 1024} KiB unread is disconnected. The token may come as ?token= (EventSource cannot send headers). 409 with the journal off.`,
      querystring: {
        type: 'object',
        properties: {
          ...QUERY_MATCH_QUERYSTRING,
          since: { type: 'integer', minimum: 0, description: 'replay the queries after this sequence number (an event id)' },
          limit: { type: 'integer', minimum: 1, maximum: MAX_REPLAY, default: DEFAULT_REPLAY, description: 'queries replayed first' },
          token: { type: 'string', maxLength: 512, description: 'the admin token, for clients that cannot send Authorization (EventSource)' },
        },
        additionalProperties: false,
      },
      response: {
        200: { description: 'the event stream', content: { 'text/event-stream': { schema: { type: 'string' } } } },
        400: ERROR_SCHEMA, 401: ERROR_SCHEMA, 409: ERROR_SCHEMA, 503: ERROR_SCHEMA,
      },
    },
  }, async (req, reply) => {
    if (srv.journal.capacity === 0) {
      return reply.code(409).send({ error: 'Conflict', message: 'the query journal is off (--journal 0): there is nothing to stream' });
    }
    const { since, limit, token, ...filter } = req.query;
    void token;
    compileQueryMatch(filter); // a QueryMatchError: 400 before the stream starts
    if (hub.size >= MAX_STREAMS) {
      return reply.code(503).header('retry-after', '5').send({ error: 'Service Unavailable', message: `${MAX_STREAMS} query streams are open already: close one (another console tab?) and retry` });
    }
    const resume = lastEventId(req.headers['last-event-id']) ?? since;
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
      'x-accel-buffering': 'no',
      connection: 'keep-alive',
    });
    // Node sends a HEAD response's headers only at end(), and ignores writes: a HEAD that opened a stream hung
    // for good, holding one of the MAX_STREAMS places.
    if (req.method === 'HEAD') return void res.end();
    res.socket?.setNoDelay(true);
    const close = hub.open(res, filter, { ...(resume !== undefined ? { since: resume } : {}), limit: limit ?? DEFAULT_REPLAY });
    // The socket's 'close', not only the response's: a response pipelined behind another request gets the socket
    // only when that one ends, and if the client leaves first it never emits 'close' (it would hold its place and
    // keep the journal hooked for good; MAX_STREAMS such hang-ups would shut the live view out).
    const sock = req.raw.socket;
    const done = () => {
      mine.delete(done);
      sock.off('close', done);
      close();
      if (!res.writableEnded) res.end();
    };
    mine.add(done);
    res.on('close', done);
    sock.on('close', done);
    if (sock.destroyed) done();
  });
}
