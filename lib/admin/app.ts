// The admin HTTP API (fastify): probes, metrics, status, records, resolve, objects, reload, faults, queries.
// Every error is JSON { error, message } saying what to fix; every route has a schema.
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger as PinoLogger } from 'pino';
import { parseType } from '../dns/records.js';
import { FixtureError } from '../sources/manifest-files.js';
import { effectiveAdminAuth, hostAllowed, isOpenPath, tokenChecker, type AdminAuth } from './auth.js';
import { ContinueError, MAX_PAGE, RecordListing, streamRecords } from './record-listing.js';
import { FaultError, FaultLimitError, type FaultSpec } from './faults.js';
import { FAULT_SCHEMA, FAULT_SPEC_SCHEMA, POST_FAULT_DESCRIPTION } from './fault-schema.js';
import { NameError } from './resolve.js';
import { listExternalRecords } from '../plugins/ingress/explain.js';
import { QUERY_MATCH_QUERYSTRING, registerQueryWait } from './query-wait-route.js';
import { RejectedObjectsError } from '../sources/rejections.js';
import type { ClusterDnsServer } from '../start.js';
import { registerStaticRoutes } from '../static/routes.js';
import { registerExplainRoute } from './explain-route.js';
import { completeOpenApi } from './openapi-schemas.js';
import { answerJson, rrJson } from './dns-answer.js';
import { registerConsoleRoutes } from './console-route.js';
import { registerQueriesStream, streamAuthorization } from './queries-stream-route.js';
import { registerTreeRoute } from './tree-route.js';
import { OBJECTS_ERROR_SCHEMA, objectErrors } from './object-errors.js';

export interface AdminOptions {
  /** bearer token required on routes that change state (null = none required) */
  token: string | null;
  /** also require it to read ('all'); default: 'all' when the admin listener is not on loopback, else 'writes' */
  auth?: AdminAuth;
  bodyLimit?: number;
  /** which routes this listener serves: 'all' (the admin API) or only some probes (CoreDNS-style listeners) */
  routes?: 'all' | ('health' | 'ready' | 'metrics')[];
  /** the address this listener binds: on loopback it answers loopback names only (auth.ts hostAllowed) */
  listenHost?: string;
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
    rule: { type: 'string', description: 'external names: the object, field and address source that gave the record' },
  },
} as const;

class HttpError extends Error {
  constructor(public statusCode: number, public error: string, message: string) {
    super(message);
  }
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
  // Before any route: fills in each route's OpenAPI body, responses and error statuses (openapi-schemas.ts).
  app.addHook('onRoute', completeOpenApi);
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

  // Cross-site request forgery: a form or no-cors fetch with a text/plain body needs no CORS preflight, and the body
  // parser above takes any type, so without a token (the loopback default) any site the developer opens could add
  // faults or apply objects. Browsers name the page's origin in Origin; the console's own is this host. curl and
  // the CLI send none.
  const adminHost = opts.listenHost;
  app.addHook('onRequest', async (req, reply) => {
    if (!hostAllowed(req.headers.host, adminHost)) {
      return reply.code(403).send({ error: 'Forbidden', message: `this admin listener is on loopback and answers only requests to a loopback name (localhost, 127.0.0.1, [::1]), not "${String(req.headers.host).slice(0, 100)}": a page whose name was re-pointed at 127.0.0.1 (DNS rebinding) must not read or change it` });
    }
    if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return;
    const origin = req.headers.origin;
    if (origin === undefined) return;
    let host: string | undefined;
    try { host = new URL(origin).host; } catch { host = undefined; }
    if (host !== undefined && host === req.headers.host) return;
    return reply.code(403).send({ error: 'Forbidden', message: `a page from ${origin} may not change this server's state: use the console at its own address, or a client that sends no Origin` });
  });

  const tokenOk = opts.token === null ? () => true : tokenChecker(opts.token);
  const unauthorized = (reply: FastifyReply, message: string) => reply.code(401)
    .header('www-authenticate', 'Bearer realm="clusterdns"').send({ error: 'Unauthorized', message });
  const requireToken = async (req: FastifyRequest, reply: FastifyReply) => {
    if (!tokenOk(req.headers.authorization)) {
      return unauthorized(reply, 'this route changes state: send "Authorization: Bearer <token>" with the --admin-token value');
    }
  };
  const auth = opts.auth ?? effectiveAdminAuth(srv.config.adminAuth, srv.config.admin?.host);
  if (routes === 'all' && auth === 'all' && opts.token !== null) {
    // Before the body is read: without the token, only the probes, metrics and docs answer. Decided by the route
    // that would answer (not the raw URL, which `/docs/../api/v1/queries` could dress up); no route: token needed.
    app.addHook('onRequest', async (req, reply) => {
      const route = req.routeOptions.url;
      if ((route !== undefined && isOpenPath(route)) || tokenOk(req.headers.authorization ?? streamAuthorization(req))) return;
      return unauthorized(reply, 'this admin API requires the token for every route but /health, /ready, /metrics and /docs (--admin-auth all): send "Authorization: Bearer <token>" with the --admin-token value');
    });
  }
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

  const listing = new RecordListing(srv.store, () => srv.resolverConfig(), () => listExternalRecords(srv.dns.main.blocks, srv.store, srv.resolverConfig()));
  app.get<{ Querystring: { name?: string; type?: string; limit?: number; continue?: string } }>('/api/v1/records', {
    schema: {
      description: `Every name the server answers, with its records, sorted as a zone file. Accept: text/plain gives zone-file lines. Paged like the Kubernetes API: "limit" (1-${MAX_PAGE}) records per page; the response's "continue" (header X-Continue for text) fetches the next page; without "limit", everything. Built and written in slices, so DNS keeps answering.`,
      querystring: {
        type: 'object',
        properties: {
          name: { type: 'string', maxLength: 255 }, type: { type: 'string', maxLength: 10 },
          limit: { type: 'integer', minimum: 1, maximum: MAX_PAGE }, continue: { type: 'string', maxLength: 2048 },
        },
        additionalProperties: false,
      },
    },
  }, async (req, reply) => {
    const type = req.query.type !== undefined ? qtypeOf(req.query.type, 'A') : undefined;
    let page;
    try {
      page = await listing.page({ ...(req.query.name !== undefined ? { name: req.query.name } : {}), ...(type !== undefined ? { type } : {}) }, req.query.limit, req.query.continue);
    } catch (err) {
      if (err instanceof ContinueError) throw new HttpError(400, 'Bad Request', err.message);
      throw err;
    }
    const text = (req.headers.accept ?? '').includes('text/plain');
    if (page.continue !== undefined) reply.header('x-continue', page.continue).header('x-remaining-item-count', String(page.remaining ?? 0));
    reply.type(text ? 'text/plain' : 'application/json; charset=utf-8');
    return reply.send(streamRecords(page, text ? 'text' : 'json', rrJson));
  });

  app.get<{ Querystring: { name: string; type?: string } }>('/api/v1/resolve', {
    schema: {
      description: 'The exact answer DNS gives for a question (asked through the DNS responder itself, faults included), with rcode, sections, and the object each record came from.',
      querystring: { type: 'object', properties: { name: { type: 'string', minLength: 1, maxLength: 255 }, type: { type: 'string', maxLength: 10 } }, required: ['name'], additionalProperties: false },
      response: { 200: { type: 'object', properties: { name: { type: 'string' }, type: { type: 'string' }, rcode: { type: 'string' }, aa: { type: 'boolean' }, note: { type: 'string' }, answer: { type: 'array', items: RR_SCHEMA }, authority: { type: 'array', items: RR_SCHEMA }, additional: { type: 'array', items: RR_SCHEMA } } }, 400: ERROR },
    },
  }, async (req) => {
    const type = qtypeOf(req.query.type, 'A');
    const name = req.query.name.replace(/\.$/, '');
    try {
      return await answerJson({ handle: (m, t, c) => srv.dns.handle(m, t, c), resolve: (n, t) => srv.resolve(n, t), upstreams: srv.config.upstreams.length }, name, type);
    } catch (err) {
      if (err instanceof NameError) throw new HttpError(400, 'Bad Request', `${err.message}: dig could not ask it either`);
      throw err;
    }
  });
  registerExplainRoute(app, srv);
  registerTreeRoute(app, srv);

  app.post('/api/v1/objects', {
    preHandler: requireToken,
    schema: { description: 'Apply manifests (YAML or JSON, one or many documents, like kubectl apply -f). 409 in live mode. A 400 (syntax) or 422 (an object the API server would refuse) says in "errors" the document, line and column of each error.', security: [{ bearer: [] }], response: { 400: OBJECTS_ERROR_SCHEMA, 422: OBJECTS_ERROR_SCHEMA } },
  }, async (req, typed) => {
    const reply = typed as FastifyReply; // the schema's statuses narrow send's types; 200 comes from openapi-schemas.ts
    const fixtures = fixturesOnly();
    const body = typeof req.body === 'string' ? req.body : '';
    if (body.trim() === '') throw new HttpError(400, 'Bad Request', 'the body is empty: send one or more Kubernetes manifests as YAML or JSON');
    try {
      const r = await fixtures.apply(body);
      return reply.code(200).send({ applied: r.applied });
    } catch (err) {
      if (err instanceof RejectedObjectsError) {
        return reply.code(422).send({ error: 'Unprocessable Entity', message: `nothing was applied: the API server would refuse ${err.rejections.length === 1 ? 'this object' : 'these objects'}; fix the fields named:\n${err.message}`, errors: objectErrors(body, err) });
      }
      if (err instanceof FixtureError) {
        if (err.refused) return reply.code(422).send({ error: 'Unprocessable Entity', message: `${err.message} (nothing was applied; the last good state keeps serving)`, errors: objectErrors(body, err) });
        return reply.code(400).send({ error: 'Bad Request', message: err.message, errors: objectErrors(body, err) });
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

  app.get('/api/v1/faults', {
    schema: { description: 'Injected faults, in the order they apply, with hits (acted on) and seen (matched by name and type).', response: { 200: { type: 'object', properties: { faults: { type: 'array', items: FAULT_SCHEMA } } } } },
  }, async () => ({ faults: srv.faults.list() }));
  app.post('/api/v1/faults', {
    preHandler: requireToken,
    // The body schema documents the spec; Faults.add checks it (its messages name the field and what to fix).
    validatorCompiler: () => () => true,
    schema: { description: POST_FAULT_DESCRIPTION, security: [{ bearer: [] }], body: FAULT_SPEC_SCHEMA, response: { 201: FAULT_SCHEMA, 400: ERROR, 409: ERROR } },
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
      if (err instanceof FaultLimitError) throw new HttpError(409, 'Conflict', err.message);
      if (err instanceof FaultError) throw new HttpError(400, 'Bad Request', err.message);
      throw err;
    }
  });
  app.delete<{ Params: { id: number } }>('/api/v1/faults/:id', {
    preHandler: requireToken,
    schema: { description: 'Remove one fault.', security: [{ bearer: [] }], params: { type: 'object', properties: { id: { type: 'integer', minimum: 1 } }, required: ['id'] }, response: { 200: { type: 'object', properties: { removed: { type: 'integer' } } }, 404: ERROR } },
  }, async (req) => {
    if (!srv.faults.remove(req.params.id)) throw new HttpError(404, 'Not Found', `no fault with id ${req.params.id}: GET /api/v1/faults lists them`);
    return { removed: req.params.id };
  });
  app.delete('/api/v1/faults', { preHandler: requireToken, schema: { description: 'Remove every fault.', security: [{ bearer: [] }], response: { 200: { type: 'object', properties: { removed: { type: 'string' } } } } } }, async () => {
    srv.faults.clear();
    return { removed: 'all' };
  });

  app.get<{ Querystring: { name?: string; type?: string; rcode?: string; client?: string; transport?: 'udp' | 'tcp'; limit?: number } }>('/api/v1/queries', {
    schema: {
      description: 'Recent queries (bounded journal), oldest first.',
      querystring: { type: 'object', properties: { ...QUERY_MATCH_QUERYSTRING, limit: { type: 'integer', minimum: 1, maximum: 100000 } }, additionalProperties: false },
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
  registerQueryWait(app, srv.journal);
  registerQueriesStream(app, srv);

  registerStaticRoutes(app, srv.staticRecords, requireToken);

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  registerConsoleRoutes(app);
  return app;
}
