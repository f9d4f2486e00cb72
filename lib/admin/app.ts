// The admin HTTP API (fastify): probes, metrics, status, records, resolve, objects, reload, faults, queries.
// Every error is JSON { error, message } saying what to fix; every route has a schema.
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger as PinoLogger } from 'pino';
import { parseType, rcodeName, typeName, formatRR, type RR } from '../dns/records.js';
import { FixtureError } from '../sources/manifest-files.js';
import { FaultError, FAULT_KINDS, type FaultSpec } from './faults.js';
import type { ClusterDnsServer } from '../start.js';

export interface AdminOptions {
  /** bearer token required on routes that change state (null = none required) */
  token: string | null;
  bodyLimit?: number;
  /** which routes this listener serves: 'all' (the admin API) or only some probes (CoreDNS-style listeners) */
  routes?: 'all' | ('health' | 'ready' | 'metrics')[];
}

const ERROR = {
  type: 'object',
  properties: { error: { type: 'string' }, message: { type: 'string' } },
  required: ['error', 'message'],
} as const;

const RR_SCHEMA = {
  type: 'object',
  properties: {
    name: { type: 'string' }, type: { type: 'string' }, ttl: { type: 'integer' },
    data: {}, text: { type: 'string' }, source: { type: 'string' },
  },
} as const;

class HttpError extends Error {
  constructor(public statusCode: number, public error: string, message: string) {
    super(message);
  }
}

function rrJson(rr: RR) {
  return {
    name: `${rr.name}.`, type: typeName(rr.type), ttl: rr.ttl,
    data: rr.data === undefined ? rr.raw.toString('hex') : rr.data, text: formatRR(rr),
    ...(rr.source ? { source: rr.source } : {}),
  };
}

function qtypeOf(s: string | undefined, dflt: string): number {
  const t = parseType(s ?? dflt);
  if (t === undefined) throw new HttpError(400, 'Bad Request', `type "${s}" is not a DNS type: use A, AAAA, SRV, PTR, TXT, CNAME, SOA, NS or TYPEnn`);
  return t;
}

export async function buildAdminApp(srv: ClusterDnsServer, logger: PinoLogger, opts: AdminOptions): Promise<FastifyInstance> {
  const app = Fastify({
    // Per-request logs are noise beside a DNS server: the admin logger only reports problems.
    loggerInstance: logger.child({ component: 'admin' }, { level: logger.isLevelEnabled('warn') ? 'warn' : logger.level }) as any,
    bodyLimit: opts.bodyLimit ?? 8 * 1024 * 1024,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: true, allErrors: false } },
  });
  const routes = opts.routes ?? 'all';
  const serves = (r: 'health' | 'ready' | 'metrics') => routes === 'all' || routes.includes(r);

  app.setErrorHandler((err: any, _req, reply) => {
    if (err instanceof HttpError) return reply.code(err.statusCode).send({ error: err.error, message: err.message });
    if (err.validation) return reply.code(400).send({ error: 'Bad Request', message: `${err.message}` });
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return reply.code(413).send({ error: 'Payload Too Large', message: `the body is over ${opts.bodyLimit ?? 8 * 1024 * 1024} bytes: send fewer objects per request` });
    }
    if (err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return reply.code(400).send({ error: 'Bad Request', message: err.message });
    }
    const code = typeof err.statusCode === 'number' && err.statusCode >= 400 ? err.statusCode : 500;
    if (code >= 500) logger.error({ err }, 'admin request failed');
    return reply.code(code).send({ error: code >= 500 ? 'Internal Server Error' : 'Bad Request', message: err.message });
  });
  app.setNotFoundHandler((req, reply) => {
    reply.code(404).send({ error: 'Not Found', message: `no route ${req.method} ${req.url.split('?')[0]}; the API is described at /docs` });
  });

  // Bodies are manifests (YAML or JSON) or JSON: take them as text and parse per route, so YAML errors keep lines.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  const requireToken = async (req: FastifyRequest, reply: FastifyReply) => {
    if (opts.token === null) return;
    const h = req.headers.authorization ?? '';
    if (h !== `Bearer ${opts.token}`) {
      return reply.code(401).send({ error: 'Unauthorized', message: 'this route changes state: send "Authorization: Bearer <token>" with the --admin-token value' });
    }
  };
  const fixturesOnly = () => {
    if (!srv.fixtures) throw new HttpError(409, 'Conflict', 'the server runs in live mode: the Kubernetes API is the source of truth; change objects with kubectl');
    return srv.fixtures;
  };

  if (routes === 'all') {
    await app.register(fastifySwagger, {
      openapi: {
        info: { title: 'clusterdns admin API', version: srv.version, description: 'Probes, metrics, records, and run-time changes for a clusterdns server.' },
        components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      },
    });
    await app.register(fastifySwaggerUi, { routePrefix: '/docs' });
  }

  if (serves('health')) {
    app.get('/health', { schema: { description: 'Liveness (CoreDNS health plugin): 200 OK while serving; 503 during the shutdown lame-duck period.', response: { 200: { type: 'string' }, 503: { type: 'string' } } } },
      async (_req, reply) => {
        reply.type('text/plain');
        if (srv.state !== 'serving') return reply.code(503).send('Shutting down');
        return 'OK';
      });
  }
  if (serves('ready')) {
    app.get('/ready', { schema: { description: 'Readiness (CoreDNS ready plugin): 200 OK once every source has loaded or synced, else 503 with the reason.', response: { 200: { type: 'string' }, 503: { type: 'string' } } } },
      async (_req, reply) => {
        reply.type('text/plain');
        const r = srv.readiness();
        if (!r.ready) return reply.code(503).send(r.reason);
        return 'OK';
      });
  }
  if (serves('metrics')) {
    app.get('/metrics', { schema: { description: 'Prometheus metrics, CoreDNS names and labels.' } }, async (_req, reply) => {
      reply.type(srv.metrics.registry.contentType);
      return srv.metrics.registry.metrics();
    });
  }
  if (routes !== 'all') return app;

  app.get('/api/v1/status', { schema: { description: 'Source, sync state, object counts, last reload, faults, version, uptime.' } }, async () => srv.status());

  app.get<{ Querystring: { name?: string; type?: string } }>('/api/v1/records', {
    schema: {
      description: 'Every name the server answers, with its records. Accept: text/plain gives zone-file lines.',
      querystring: { type: 'object', properties: { name: { type: 'string', maxLength: 255 }, type: { type: 'string', maxLength: 10 } }, additionalProperties: false },
    },
  }, async (req, reply) => {
    const type = req.query.type !== undefined ? qtypeOf(req.query.type, 'A') : undefined;
    const lname = req.query.name?.toLowerCase().replace(/\.$/, '');
    const records = srv.records().filter((rr) => (type === undefined || rr.type === type) && (lname === undefined || rr.name.toLowerCase() === lname));
    if ((req.headers.accept ?? '').includes('text/plain')) {
      reply.type('text/plain');
      return records.map((rr) => formatRR(rr)).join('\n') + (records.length ? '\n' : '');
    }
    return { count: records.length, records: records.map(rrJson) };
  });

  app.get<{ Querystring: { name: string; type?: string } }>('/api/v1/resolve', {
    schema: {
      description: 'The exact answer DNS gives for a question, with rcode, sections, and the object each record came from.',
      querystring: { type: 'object', properties: { name: { type: 'string', minLength: 1, maxLength: 255 }, type: { type: 'string', maxLength: 10 } }, required: ['name'], additionalProperties: false },
      response: { 200: { type: 'object', properties: { name: { type: 'string' }, type: { type: 'string' }, rcode: { type: 'string' }, aa: { type: 'boolean' }, note: { type: 'string' }, answer: { type: 'array', items: RR_SCHEMA }, authority: { type: 'array', items: RR_SCHEMA }, additional: { type: 'array', items: RR_SCHEMA } } }, 400: ERROR },
    },
  }, async (req) => {
    const type = qtypeOf(req.query.type, 'A');
    const name = req.query.name.replace(/\.$/, '');
    const a = srv.resolve(name, type);
    const note = a.outOfZone ? (srv.config.upstreams.length ? 'outside the cluster zones: forwarded to the upstreams' : 'outside the cluster zones: REFUSED (no --upstream)')
      : a.chase ? `the CNAME target is outside our zones${srv.config.upstreams.length ? ': its records come from the upstreams' : ''}` : undefined;
    return {
      name: `${name}.`, type: typeName(type), rcode: rcodeName(a.rcode), aa: a.aa, ...(note ? { note } : {}),
      answer: a.answer.map(rrJson), authority: a.authority.map(rrJson), additional: a.additional.map(rrJson),
    };
  });

  app.post('/api/v1/objects', {
    preHandler: requireToken,
    schema: { description: 'Apply manifests (YAML or JSON, one or many documents, like kubectl apply -f). 409 in live mode.', security: [{ bearer: [] }] },
  }, async (req, reply) => {
    const fixtures = fixturesOnly();
    const body = typeof req.body === 'string' ? req.body : '';
    if (body.trim() === '') throw new HttpError(400, 'Bad Request', 'the body is empty: send one or more Kubernetes manifests as YAML or JSON');
    try {
      const r = await fixtures.apply(body);
      return reply.code(200).send({ applied: r.applied });
    } catch (err) {
      if (err instanceof FixtureError) {
        if (err.refused) throw new HttpError(422, 'Unprocessable Entity', `${err.message} (nothing was applied; the last good state keeps serving)`);
        throw new HttpError(400, 'Bad Request', err.message);
      }
      throw err;
    }
  });

  const deleteHandler = async (req: FastifyRequest<{ Params: { kind: string; namespace?: string; name: string } }>) => {
    const fixtures = fixturesOnly();
    const { kind, name } = req.params;
    const namespace = req.params.namespace ?? '';
    if (!(await fixtures.delete(kind, namespace, name))) {
      throw new HttpError(404, 'Not Found', `no ${kind} ${namespace ? `${namespace}/` : ''}${name} to delete (kinds are spelled as in manifests: Service, EndpointSlice, Pod, Namespace, Deployment...)`);
    }
    return { deleted: `${kind}/${namespace}/${name}` };
  };
  const nameParam = { type: 'string', minLength: 1, maxLength: 253 } as const;
  app.delete<{ Params: { kind: string; namespace?: string; name: string } }>('/api/v1/objects/:kind/:namespace/:name', {
    preHandler: requireToken,
    schema: { description: 'Delete one object. 409 in live mode.', security: [{ bearer: [] }], params: { type: 'object', properties: { kind: nameParam, namespace: nameParam, name: nameParam }, required: ['kind', 'namespace', 'name'] } },
  }, deleteHandler);
  app.delete<{ Params: { kind: string; namespace?: string; name: string } }>('/api/v1/objects/:kind/:name', {
    preHandler: requireToken,
    schema: { description: 'Delete one cluster-scoped object (a Namespace).', security: [{ bearer: [] }], params: { type: 'object', properties: { kind: nameParam, name: nameParam }, required: ['kind', 'name'] } },
  }, deleteHandler);

  app.post('/api/v1/reload', {
    preHandler: requireToken,
    schema: { description: 'Re-read the fixture files now. On a parse error, 422 with the file and line; the last good state keeps serving.', security: [{ bearer: [] }] },
  }, async () => {
    const fixtures = fixturesOnly();
    try {
      await fixtures.reload();
    } catch (err) {
      if (err instanceof FixtureError) throw new HttpError(422, 'Unprocessable Entity', `${err.message} (the last good state keeps serving)`);
      throw err;
    }
    return { reloaded: true, files: fixtures.status.files.length, lastReload: fixtures.status.lastReload };
  });

  app.get('/api/v1/faults', { schema: { description: 'Injected faults.' } }, async () => ({ faults: srv.faults.list() }));
  app.post('/api/v1/faults', {
    preHandler: requireToken,
    schema: { description: `Inject a fault for names matching a pattern (* matches anything): ${FAULT_KINDS.join(', ')}. Body: {"name","fault","type"?,"delayMs"?,"times"?}`, security: [{ bearer: [] }] },
  }, async (req, reply) => {
    let spec: FaultSpec;
    try {
      spec = JSON.parse(String(req.body ?? ''));
    } catch {
      throw new HttpError(400, 'Bad Request', 'the body must be JSON: {"name": "*.default.svc.cluster.local", "fault": "servfail"}');
    }
    try {
      return reply.code(201).send(srv.faults.add(spec));
    } catch (err) {
      if (err instanceof FaultError) throw new HttpError(400, 'Bad Request', err.message);
      throw err;
    }
  });
  app.delete<{ Params: { id: number } }>('/api/v1/faults/:id', {
    preHandler: requireToken,
    schema: { description: 'Remove one fault.', security: [{ bearer: [] }], params: { type: 'object', properties: { id: { type: 'integer', minimum: 1 } }, required: ['id'] } },
  }, async (req) => {
    if (!srv.faults.remove(req.params.id)) throw new HttpError(404, 'Not Found', `no fault with id ${req.params.id}: GET /api/v1/faults lists them`);
    return { removed: req.params.id };
  });
  app.delete('/api/v1/faults', { preHandler: requireToken, schema: { description: 'Remove every fault.', security: [{ bearer: [] }] } }, async () => {
    srv.faults.clear();
    return { removed: 'all' };
  });

  app.get<{ Querystring: { name?: string; type?: string; rcode?: string; limit?: number } }>('/api/v1/queries', {
    schema: {
      description: 'Recent queries (bounded journal), oldest first.',
      querystring: { type: 'object', properties: { name: { type: 'string', maxLength: 255 }, type: { type: 'string', maxLength: 10 }, rcode: { type: 'string', maxLength: 10 }, limit: { type: 'integer', minimum: 1, maximum: 100000 } }, additionalProperties: false },
    },
  }, async (req) => {
    const { limit, ...filter } = req.query;
    const queries = srv.journal.entries(filter, limit);
    return { capacity: srv.journal.capacity, count: queries.length, queries };
  });
  app.delete('/api/v1/queries', { preHandler: requireToken, schema: { description: 'Empty the query journal.', security: [{ bearer: [] }] } }, async () => {
    srv.journal.clear();
    return { cleared: true };
  });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  return app;
}
