// GET /api/v1/explain and the one Explainer per server that it and dns.explain() share (its Service-name index is
// rebuilt only when the store changed).
import type { FastifyInstance } from 'fastify';
import type { ClusterDnsServer } from '../start.js';
import { ExplainError, Explainer, MAX_NDOTS, MAX_NEAR_MISSES } from './explain.js';
import { ERROR_SCHEMA } from './openapi-schemas.js';

const explainers = new WeakMap<ClusterDnsServer, Explainer>();

export function explainerFor(srv: ClusterDnsServer): Explainer {
  let e = explainers.get(srv);
  if (!e) {
    e = new Explainer({
      store: srv.store,
      resolverConfig: () => srv.resolverConfig(),
      faults: () => srv.faults.list(),
      handle: (m, t, c) => srv.dns.handle(m, t, c),
      resolve: (n, t) => srv.resolve(n, t),
      get upstreams() { return srv.config.upstreams.length; },
    });
    explainers.set(srv, e);
  }
  return e;
}

const RECORD = {
  type: 'object',
  properties: {
    name: { type: 'string' }, type: { type: 'string' }, ttl: { type: 'integer' }, data: {}, text: { type: 'string' },
    source: { type: 'string', description: 'the object the record came from: Service/NS/NAME, Pod/NS/IP, schema, server' },
    rule: { type: 'string', description: 'the DNS schema rule that made it' },
  },
  required: ['name', 'type', 'ttl', 'text', 'rule'],
} as const;

export const EXPLANATION_SCHEMA = {
  type: 'object',
  properties: {
    name: { type: 'string' }, type: { type: 'string' },
    rcode: { type: 'string', description: 'NOERROR, NXDOMAIN, SERVFAIL, REFUSED..., or NOREPLY when a fault drops the query' },
    aa: { type: 'boolean' }, note: { type: 'string' },
    answer: { type: 'array', items: RECORD }, authority: { type: 'array', items: RECORD }, additional: { type: 'array', items: RECORD },
    nearMisses: {
      type: 'array', maxItems: MAX_NEAR_MISSES,
      items: {
        type: 'object',
        properties: {
          kind: { type: 'string', description: 'other-namespace, similar-name, endpoint-not-ready, headless-no-ready, unnamed-port, no-such-port, outside-zones, search-list, fault, external-name, ...' },
          message: { type: 'string' }, objects: { type: 'array', items: { type: 'string' } }, names: { type: 'array', items: { type: 'string' } },
        },
        required: ['kind', 'message'],
      },
    },
    nearMissesLeftOut: { type: 'integer' },
    search: {
      type: 'object',
      properties: {
        namespace: { type: 'string' }, ndots: { type: 'integer' }, search: { type: 'array', items: { type: 'string' } },
        walk: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, rcode: { type: 'string' }, answers: { type: 'integer' }, stop: { type: 'boolean' } }, required: ['name', 'rcode', 'answers'] } },
        resolvedAs: { type: 'string' },
      },
      required: ['namespace', 'ndots', 'search', 'walk'],
    },
    faults: { type: 'array', items: { type: 'object', properties: { id: { type: 'integer' }, name: { type: 'string' }, fault: { type: 'string' }, type: { type: 'string' } }, required: ['id', 'name', 'fault'] } },
  },
  required: ['name', 'type', 'rcode', 'aa', 'answer', 'authority', 'additional', 'nearMisses', 'faults'],
} as const;

export function registerExplainRoute(app: FastifyInstance, srv: ClusterDnsServer): void {
  app.get<{ Querystring: { name: string; type?: string; namespace?: string; ndots?: number } }>('/api/v1/explain', {
    schema: {
      description: 'The exact answer DNS gives (through the responder, faults included) and why: the object and rule behind each record; for NXDOMAIN/NODATA the near misses (the Service in another namespace, a similar name, an endpoint not ready, an unnamed port, a headless Service with nothing ready, a name outside the zones, a fault); with namespace, the search-path walk a pod there makes (glibc order, ndots).',
      querystring: {
        type: 'object',
        properties: {
          name: { type: 'string', minLength: 1, maxLength: 255, description: 'a fully qualified name, or a relative one ("web", "web.prod") with namespace', examples: ['web.default.svc.cluster.local'] },
          type: { type: 'string', maxLength: 10, default: 'A', description: 'A, AAAA, SRV, PTR, TXT, CNAME, SOA, NS or TYPEnn' },
          namespace: { type: 'string', maxLength: 63, description: 'the asking pod\'s namespace: adds its search-path walk' },
          ndots: { type: 'integer', minimum: 0, maximum: MAX_NDOTS, default: 5, description: 'the pod\'s resolv.conf ndots' },
        },
        required: ['name'],
        additionalProperties: false,
      },
      response: { 200: EXPLANATION_SCHEMA, 400: ERROR_SCHEMA, 401: ERROR_SCHEMA },
    },
  }, async (req, reply) => {
    try {
      return await explainerFor(srv).explain(req.query.name, {
        ...(req.query.type !== undefined ? { type: req.query.type } : {}),
        ...(req.query.namespace !== undefined ? { namespace: req.query.namespace } : {}),
        ...(req.query.ndots !== undefined ? { ndots: req.query.ndots } : {}),
      });
    } catch (err) {
      if (err instanceof ExplainError) return reply.code(400).send({ error: 'Bad Request', message: err.message });
      throw err;
    }
  });
}
