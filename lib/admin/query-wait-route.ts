// GET /api/v1/queries/wait: waitForQuery() for a harness in any language, as an HTTP long poll. The same match and
// the same bound as in-process (lib/admin/query-waiters.ts); a client that hangs up gives its place back at once.
//
// On timeout: 408, not 504. Nothing failed on the server: the query a test expected did not come, which is the
// caller's answer, like a 404. A 5xx would count in every error-rate alert and tell retrying HTTP layers the server
// is unhealthy; a 504 also names a gateway that is not there. (OkHttp re-sends a 408 once by itself; the body's
// "recent" queries say what arrived either way.)
import type { FastifyInstance } from 'fastify';
import type { QueryJournal } from './journal.js';
import { QueryMatchError, type QueryMatch } from './query-match.js';
import { DEFAULT_WAIT_MS, QueryWaitClosedError, QueryWaitLimitError, QueryWaitTimeoutError } from './query-waiters.js';

/** A long poll held longer than this is a hung harness; HTTP clients and proxies commonly give up near here too. */
export const MAX_HTTP_WAIT_MS = 120_000;

const ENTRY = {
  type: 'object',
  properties: {
    time: { type: 'number' }, name: { type: 'string' }, type: { type: 'string' }, transport: { type: 'string' },
    client: { type: 'string' }, rcode: { type: 'string' }, answers: { type: 'integer' },
  },
} as const;
const ERROR = { type: 'object', properties: { error: { type: 'string' }, message: { type: 'string' } }, required: ['error', 'message'] } as const;

/** Match fields as GET /api/v1/queries takes them, for its schema too. */
export const QUERY_MATCH_QUERYSTRING = {
  name: { type: 'string', maxLength: 256, description: 'case-insensitive; "*" matches any run of characters' },
  type: { type: 'string', maxLength: 10 },
  rcode: { type: 'string', maxLength: 10, description: 'NOERROR, NXDOMAIN, SERVFAIL, REFUSED, ... or DROPPED' },
  client: { type: 'string', maxLength: 45, description: 'the client IP address' },
  transport: { type: 'string', enum: ['udp', 'tcp', 'UDP', 'TCP'] },
} as const;

interface WaitQuery { name?: string; type?: string; rcode?: string; client?: string; transport?: 'udp' | 'tcp'; timeout?: string; includePast?: boolean }

/** "5000", "5000ms", "5s" → milliseconds. */
function timeoutMs(s: string | undefined): number {
  if (s === undefined) return DEFAULT_WAIT_MS;
  const m = /^(\d{1,9})(ms|s)?$/.exec(s.trim());
  const ms = m ? Number(m[1]) * (m[2] === 's' ? 1000 : 1) : NaN;
  if (!(ms >= 1 && ms <= MAX_HTTP_WAIT_MS)) {
    throw new QueryMatchError(`timeout "${s}": give milliseconds (5000) or a duration (500ms, 5s), from 1 ms to ${MAX_HTTP_WAIT_MS / 1000}s`);
  }
  return ms;
}

export function registerQueryWait(app: FastifyInstance, journal: QueryJournal): void {
  app.get<{ Querystring: WaitQuery }>('/api/v1/queries/wait', {
    schema: {
      description: `Long poll: answers 200 with the first query matching name/type/rcode/client/transport that arrives after the request (includePast=true: or the oldest already in the journal). 408 after "timeout" (milliseconds or "5s"; default ${DEFAULT_WAIT_MS} ms, at most ${MAX_HTTP_WAIT_MS / 1000}s) with the last queries received; 429 when 1000 waits are pending; 400 for a match that cannot match; 409 with the journal off; 503 when the server stops.`,
      querystring: {
        type: 'object',
        properties: { ...QUERY_MATCH_QUERYSTRING, timeout: { type: 'string', maxLength: 16 }, includePast: { type: 'boolean' } },
        additionalProperties: false,
      },
      response: {
        200: { type: 'object', properties: { query: ENTRY, waitedMs: { type: 'integer' } } },
        400: ERROR,
        408: { type: 'object', properties: { ...ERROR.properties, received: { type: 'integer' }, recent: { type: 'array', items: ENTRY } }, required: ['error', 'message'] },
        409: ERROR, 429: ERROR, 503: ERROR,
      },
    },
  }, async (req, reply) => {
    const { timeout, includePast, ...fields } = req.query;
    const match: QueryMatch = fields;
    const ms = timeoutMs(timeout);
    // The client hung up (its own timeout, a killed harness): stop waiting so it does not hold a place to the end.
    const gone = new AbortController();
    const onClose = () => { if (!reply.raw.writableFinished) gone.abort(); };
    reply.raw.on('close', onClose);
    const started = performance.now();
    try {
      const query = await journal.waitFor(match, { timeoutMs: ms, signal: gone.signal, ...(includePast ? { includePast } : {}) });
      return { query, waitedMs: Math.round(performance.now() - started) };
    } catch (err) {
      if (err instanceof QueryWaitTimeoutError) {
        return reply.code(408).send({ error: 'Request Timeout', message: err.message, received: err.received, recent: err.recent });
      }
      if (err instanceof QueryWaitLimitError) return reply.code(429).header('retry-after', '1').send({ error: 'Too Many Requests', message: err.message });
      if (err instanceof QueryWaitClosedError) {
        return reply.code(err.statusCode).send({ error: err.statusCode === 409 ? 'Conflict' : 'Service Unavailable', message: err.message });
      }
      if (gone.signal.aborted) return reply.code(499).send({ error: 'Client Closed Request', message: 'the client hung up' }); // read by nobody
      throw err; // QueryMatchError: 400 through the app's error handler (statusCode 400)
    } finally {
      reply.raw.off('close', onClose);
    }
  });
}
