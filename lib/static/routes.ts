// Admin API for static records: GET lists them, POST adds (JSON specs or zone-file text), DELETE removes those added
// at run time. Writes need the admin token (the app's requireToken); a bad body is a 400 saying what to fix.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { formatRR, parseType, typeName, type RR } from '../dns/records.js';
import { RecordError } from './rdata.js';
import { StaticConflictError, type StaticRecords } from './service.js';
import { MAX_RECORDS_PER_REQUEST } from './spec.js';

/** bytes one POST may carry: 10,000 records of ~100 bytes of JSON */
export const STATIC_BODY_LIMIT = 1024 * 1024;

const PATH = '/api/v1/static-records';

export function staticRecordJson(rr: RR) {
  return {
    name: `${rr.name}.`, type: typeName(rr.type), ttl: rr.ttl, text: formatRR(rr),
    value: formatRR(rr).split('\t').slice(4).join('\t'), ...(rr.source ? { source: rr.source } : {}),
  };
}

const bad = (reply: FastifyReply, code: number, message: string) =>
  reply.code(code).send({ error: code === 409 ? 'Conflict' : code === 404 ? 'Not Found' : 'Bad Request', message });

/** The app's handler names its own 8 MiB limit: this route's is smaller, and the message must say so. */
function errorHandler(err: Error & { code?: string; statusCode?: number; validation?: unknown }, _req: FastifyRequest, reply: FastifyReply) {
  if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return reply.code(413).send({ error: 'Payload Too Large', message: `the body is over ${STATIC_BODY_LIMIT} bytes: send at most ${MAX_RECORDS_PER_REQUEST} records per request, in several requests` });
  const code = typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : err.validation ? 400 : 500;
  return reply.code(code).send({ error: code >= 500 ? 'Internal Server Error' : 'Bad Request', message: err.message });
}

export function registerStaticRoutes(app: FastifyInstance, statics: StaticRecords,
  requireToken: (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>): void {
  app.get<{ Querystring: { name?: string } }>(PATH, {
    errorHandler,
    schema: {
      description: 'Static records served beside the cluster zone (from --records files and added here), with where each came from.',
      querystring: { type: 'object', properties: { name: { type: 'string', maxLength: 255 } }, additionalProperties: false },
    },
  }, async (req) => {
    const want = req.query.name?.replace(/\.$/, '').toLowerCase();
    const records = statics.list().filter((r) => want === undefined || r.name.toLowerCase() === want);
    return { ...statics.status(), records: records.map(staticRecordJson) };
  });

  app.post(PATH, {
    preHandler: requireToken,
    bodyLimit: STATIC_BODY_LIMIT,
    errorHandler,
    schema: {
      description: `Add static records, all or none. JSON body: [{"name":"api.stripe.test","type":"A","value":"127.0.0.1","ttl":60}] (or {"records":[...]}); types A, AAAA, CNAME, TXT (value: a string or an array of strings), MX ("10 mail.example.test"), SRV ("0 5 443 target.example.test"), PTR. Or a text/plain body in zone-file syntax (absolute names, $ORIGIN, $TTL). At most ${MAX_RECORDS_PER_REQUEST} records and ${STATIC_BODY_LIMIT} bytes per request. A record equal to one added before replaces it (its TTL).`,
      security: [{ bearer: [] }],
    },
  }, async (req, reply) => {
    const body = String(req.body ?? '');
    const type = String(req.headers['content-type'] ?? '');
    let input: unknown = body;
    if (/json/i.test(type) || (!/text\//i.test(type) && /^\s*[[{]/.test(body))) {
      try {
        input = JSON.parse(body);
      } catch (err) {
        return bad(reply, 400, `the body is not JSON (${(err as Error).message}): send [{"name":"api.stripe.test","type":"A","value":"127.0.0.1"}], or zone-file text as text/plain`);
      }
    }
    try {
      const added = statics.add(input);
      // The count, not the records: echoing 10,000 records costs the event loop more than adding them.
      return reply.code(201).send({ added: added.length, total: statics.table.size });
    } catch (err) {
      if (err instanceof RecordError) return bad(reply, 400, err.message);
      throw err;
    }
  });

  app.delete<{ Querystring: { name?: string; type?: string } }>(PATH, {
    preHandler: requireToken,
    errorHandler,
    schema: {
      description: 'Remove static records added at run time: those at "name" (of "type", or every type), or without a name every one. Records from a --records file are changed by editing the file (409 says which).',
      security: [{ bearer: [] }],
      querystring: { type: 'object', properties: { name: { type: 'string', minLength: 1, maxLength: 255 }, type: { type: 'string', maxLength: 10 } }, additionalProperties: false },
    },
  }, async (req, reply) => {
    const { name } = req.query;
    let type: number | undefined;
    if (req.query.type !== undefined) {
      type = parseType(req.query.type);
      if (type === undefined) return bad(reply, 400, `type "${req.query.type}" is not a DNS type: use A, AAAA, CNAME, TXT, MX, SRV or PTR`);
      if (name === undefined) return bad(reply, 400, 'type narrows a name: give name too (without either, every run-time record goes)');
    }
    try {
      const removed = statics.remove(name, type);
      if (name !== undefined && removed === 0) return bad(reply, 404, `no static record at ${name}${type !== undefined ? ` of type ${typeName(type)}` : ''} added at run time: GET ${PATH} lists them`);
      return { removed };
    } catch (err) {
      if (err instanceof StaticConflictError) return bad(reply, 409, err.message);
      if (err instanceof RecordError) return bad(reply, 400, err.message);
      throw err;
    }
  });
}
