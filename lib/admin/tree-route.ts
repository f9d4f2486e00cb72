// GET /api/v1/tree: the cluster as the console's tree shows it, a page at a time (tree.ts).
import type { FastifyInstance } from 'fastify';
import { implicitServer } from '../plugin/implicit.js';
import type { ClusterDnsServer } from '../start.js';
import { ERROR_SCHEMA } from './openapi-schemas.js';
import { DEFAULT_TREE_PAGE, MAX_FILTER_LENGTH, MAX_TREE_PAGE, Tree, TreeError } from './tree.js';

const str = { type: 'string' } as const;
const strings = { type: 'array', items: str } as const;

const RECORD = { type: 'object', properties: { name: str, type: str, ttl: { type: 'integer' }, data: {} }, required: ['name', 'type', 'ttl', 'data'] } as const;

export const TREE_NAMESPACES_SCHEMA = {
  type: 'object',
  properties: {
    namespaces: { type: 'array', items: { type: 'object', properties: { name: str, services: { type: 'integer' }, pods: { type: 'integer' } }, required: ['name', 'services', 'pods'] } },
    total: { type: 'integer', description: 'namespaces matching the filter, all pages' },
    continue: { type: 'string', description: 'pass as "continue" for the next page; absent on the last' },
  },
  required: ['namespaces', 'total'],
} as const;

export const TREE_NAMESPACE_SCHEMA = {
  type: 'object',
  properties: {
    namespace: str,
    services: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          name: str,
          kind: { type: 'string', description: 'ClusterIP, Headless, ExternalName, NodePort, LoadBalancer' },
          clusterIPs: strings, externalName: str,
          ports: { type: 'array', items: { type: 'object', properties: { name: str, port: { type: 'integer' }, protocol: str } } },
          names: { ...strings, description: 'the DNS names this Service answers under (its name, SRV names, headless endpoint names; the first 50)' },
          namesLeftOut: { type: 'integer' },
          records: { type: 'array', items: RECORD, description: 'what DNS answers for those names (the first 50)' },
          recordsLeftOut: { type: 'integer' },
          endpoints: {
            type: 'array',
            items: { type: 'object', properties: { ip: str, ready: { type: 'boolean' }, hostname: str, pod: str, node: str, names: strings }, required: ['ip', 'ready', 'names'] },
            description: 'every endpoint address (the first 50), ready or not; names: the DNS names that answer with it',
          },
          endpointsLeftOut: { type: 'integer' },
          externalNames: { ...strings, description: 'names under external zones (k8s_external, ingress hostname annotations) DNS answers for it' },
        },
        required: ['name', 'kind', 'clusterIPs', 'names', 'records', 'endpoints', 'externalNames'],
      },
    },
    pods: {
      type: 'array',
      items: { type: 'object', properties: { name: str, ip: str, ips: strings, ready: { type: 'boolean' }, phase: str, names: strings }, required: ['name', 'ip', 'names'] },
    },
    totalServices: { type: 'integer' }, totalPods: { type: 'integer' },
    continue: { type: 'string', description: 'pass as "continue" (with the same namespace and filter) for the next page; absent on the last' },
  },
  required: ['namespace', 'services', 'pods', 'totalServices', 'totalPods'],
} as const;

const trees = new WeakMap<ClusterDnsServer, Tree>();

function treeFor(srv: ClusterDnsServer): Tree {
  let t = trees.get(srv);
  if (!t) {
    t = new Tree({
      store: srv.store,
      resolverConfig: () => srv.resolverConfig(),
      plugins: () => (srv.config.servers ?? [implicitServer(srv.config, false)]).flatMap((b) => b.plugins),
      handle: (m, tr, c) => srv.responder.handle(m, tr, c),
    });
    trees.set(srv, t);
  }
  return t;
}

export function registerTreeRoute(app: FastifyInstance, srv: ClusterDnsServer): void {
  app.get<{ Querystring: { namespace?: string; filter?: string; limit?: number; continue?: string } }>('/api/v1/tree', {
    schema: {
      description: `The cluster as a tree, a page at a time. Without "namespace": the namespaces with their Service and Pod counts. With it: that namespace's Services (kind, names, records, endpoints, external names) then its Pods, "limit" items a page (default ${DEFAULT_TREE_PAGE}, at most ${MAX_TREE_PAGE}), sorted by name; "continue" from the response fetches the next. "filter": a substring of namespace, Service or Pod names, DNS names or addresses (case-insensitive). 404 for a namespace DNS does not serve.`,
      querystring: {
        type: 'object',
        properties: {
          namespace: { type: 'string', minLength: 1, maxLength: 63 },
          filter: { type: 'string', maxLength: MAX_FILTER_LENGTH },
          limit: { type: 'integer', minimum: 1, maximum: MAX_TREE_PAGE, default: DEFAULT_TREE_PAGE },
          continue: { type: 'string', maxLength: 1024 },
        },
        additionalProperties: false,
      },
      response: {
        200: { oneOf: [TREE_NAMESPACES_SCHEMA, TREE_NAMESPACE_SCHEMA] },
        400: ERROR_SCHEMA, 404: ERROR_SCHEMA,
      },
    },
  }, async (req, reply) => {
    const { namespace, filter, limit = DEFAULT_TREE_PAGE } = req.query;
    const tree = treeFor(srv);
    // The schema documents both shapes; the reply is plain JSON (no field dropped by a oneOf serializer).
    reply.serializer((payload: unknown) => JSON.stringify(payload));
    try {
      if (namespace === undefined) return reply.send(await tree.namespaces(filter, limit, req.query.continue));
      const page = await tree.namespace(namespace, filter, limit, req.query.continue);
      if (!page) return reply.code(404).send({ error: 'Not Found', message: `no namespace "${namespace}" in what DNS serves: GET /api/v1/tree lists them` });
      return reply.send(page);
    } catch (err) {
      if (err instanceof TreeError) return reply.code(400).send({ error: 'Bad Request', message: err.message });
      throw err;
    }
  });
}
