// The OpenAPI side of the admin routes that declare less than they answer: an onRoute hook (added before the
// routes) fills in, per route, the request body, the success response and every error status the app's handlers
// can send, so Swagger UI's "Try it out" and a generated client see what the server really does. A route's own
// declarations win; this only adds what is missing. Response schemas here keep additionalProperties open: fastify
// serializes with them, and a field left out of a schema must not vanish from a reply.
import type { RouteOptions } from 'fastify';
import { MAX_RECORDS_PER_REQUEST } from '../static/spec.js';

export const ERROR_SCHEMA = {
  type: 'object',
  properties: { error: { type: 'string', description: 'the HTTP reason' }, message: { type: 'string', description: 'what went wrong and what to fix' } },
  required: ['error', 'message'],
} as const;

const open = (properties: Record<string, unknown>, required: string[] = []) => ({ type: 'object', properties, additionalProperties: true, ...(required.length ? { required } : {}) });
const anyObject = { type: 'object', additionalProperties: true } as const;

const RECORD_JSON = open({ name: { type: 'string' }, type: { type: 'string' }, ttl: { type: 'integer' }, data: {}, text: { type: 'string' }, source: { type: 'string' }, rule: { type: 'string', description: 'external names: the object, field and address source that gave the record' } });

const MANIFESTS_EXAMPLE = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: openapi-demo\n  namespace: default\nspec:\n  clusterIP: 10.96.200.1\n  ports:\n    - name: http\n      port: 80\n';

interface Extra {
  body?: unknown;
  /** the success status and its schema (or content map) */
  ok?: Record<number, unknown>;
  /** error statuses the handler sends besides 400/401/500 */
  errors?: number[];
  /** the body is checked by the handler (text parsed per route): no schema validation of it */
  textBody?: boolean;
}

/** 'METHOD /path' → what the route answers that its own schema does not say. */
const ROUTES: Record<string, Extra> = {
  'GET /metrics': { ok: { 200: { description: 'Prometheus text exposition', content: { 'text/plain': { schema: { type: 'string' } } } } } },
  'GET /api/v1/status': {
    ok: { 200: open({ version: { type: 'string' }, uptimeSeconds: { type: 'integer' }, state: { type: 'string' }, ready: { type: 'boolean' }, source: { type: 'string' }, synced: { type: 'boolean' }, dns: { type: 'string' }, zones: { type: 'array', items: { type: 'string' } }, objects: anyObject, generation: { type: 'integer' }, serial: { type: 'integer' }, faults: { type: 'array', items: anyObject }, upstreams: { type: 'array', items: { type: 'string' } } }) },
  },
  'GET /api/v1/records': {
    ok: { 200: { description: 'the records (JSON), or zone-file lines with Accept: text/plain', content: { 'application/json': { schema: open({ count: { type: 'integer' }, records: { type: 'array', items: RECORD_JSON }, continue: { type: 'string' }, remainingItemCount: { type: 'integer' } }) }, 'text/plain': { schema: { type: 'string' } } } } },
  },
  'GET /api/v1/resolve': {},
  'POST /api/v1/objects': {
    textBody: true,
    body: {
      description: 'One or more Kubernetes manifests (like kubectl apply -f): YAML documents separated by ---, a JSON object, a JSON array or a List.',
      content: {
        'application/yaml': { schema: { type: 'string', example: MANIFESTS_EXAMPLE } },
        'application/json': { schema: { oneOf: [{ type: 'object' }, { type: 'array', items: { type: 'object' } }], example: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'openapi-demo', namespace: 'default' }, spec: { clusterIP: '10.96.200.1', ports: [{ name: 'http', port: 80 }] } } } },
        'text/plain': { schema: { type: 'string', example: MANIFESTS_EXAMPLE } },
      },
    },
    ok: { 200: open({ applied: { type: 'array', items: { type: 'string' }, description: 'Kind/namespace/name of each object applied' } }, ['applied']) },
    errors: [409, 413, 422],
  },
  'DELETE /api/v1/objects/:kind/:namespace/:name': { ok: { 200: open({ deleted: { type: 'string' } }, ['deleted']) }, errors: [404, 409] },
  'DELETE /api/v1/objects/:kind/:name': { ok: { 200: open({ deleted: { type: 'string' } }, ['deleted']) }, errors: [404, 409] },
  'POST /api/v1/reload': { ok: { 200: open({ reloaded: { type: 'boolean' }, files: { type: 'integer' }, lastReload: {} }, ['reloaded']) }, errors: [409, 422] },
  'GET /api/v1/faults': {},
  'POST /api/v1/faults': { errors: [409, 413] },
  'DELETE /api/v1/faults/:id': { errors: [404] },
  'DELETE /api/v1/faults': {},
  'GET /api/v1/queries': { ok: { 200: open({ capacity: { type: 'integer' }, count: { type: 'integer' }, queries: { type: 'array', items: anyObject } }, ['capacity', 'count', 'queries']) } },
  'DELETE /api/v1/queries': { ok: { 200: open({ cleared: { type: 'boolean' } }, ['cleared']) } },
  'GET /api/v1/queries/wait': {},
  'GET /api/v1/explain': {},
  'GET /api/v1/static-records': { ok: { 200: open({ records: { type: 'array', items: open({ name: { type: 'string' }, type: { type: 'string' }, ttl: { type: 'integer' }, value: { type: 'string' }, text: { type: 'string' }, source: { type: 'string' } }) } }, ['records']) } },
  'POST /api/v1/static-records': {
    textBody: true,
    body: {
      description: `Static records, all or none (at most ${MAX_RECORDS_PER_REQUEST}): JSON specs, or zone-file text as text/plain.`,
      content: {
        'application/json': { schema: { oneOf: [{ type: 'array', items: open({ name: { type: 'string' }, type: { type: 'string' }, value: {}, ttl: { type: 'integer' } }, ['name', 'type', 'value']) }, open({ records: { type: 'array', items: anyObject } }, ['records'])], example: [{ name: 'api.stripe.test', type: 'A', value: '127.0.0.1', ttl: 60 }] } },
        'text/plain': { schema: { type: 'string', example: 'api.stripe.test. 60 IN A 127.0.0.1\n' } },
      },
    },
    ok: { 201: open({ added: { type: 'integer' }, total: { type: 'integer' } }, ['added', 'total']) },
    errors: [409, 413],
  },
  'DELETE /api/v1/static-records': { ok: { 200: open({ removed: { type: 'integer' } }, ['removed']) }, errors: [404, 409] },
};

/** Routes that answer without the token even with --admin-auth all (auth.ts isOpenPath). */
const isApi = (url: string) => url.startsWith('/api/');

/** The onRoute hook: completes `route.schema` in place (see the file comment). */
export function completeOpenApi(route: RouteOptions): void {
  const schema = route.schema as Record<string, any> | undefined;
  if (!schema || schema.hide) return;
  const methods = Array.isArray(route.method) ? route.method : [route.method];
  const extra = ROUTES[`${methods[0]} ${route.url}`];
  if (!extra && !isApi(route.url)) return;
  const response: Record<string, unknown> = { ...(schema.response ?? {}) };
  const add = (code: number, s: unknown) => { if (response[code] === undefined) response[code] = s; };
  for (const [code, s] of Object.entries(extra?.ok ?? {})) add(Number(code), s);
  if (extra?.body && !schema.body) {
    schema.body = extra.body;
    // The content-type parser hands every body over as text; the handler parses and checks it (its messages keep
    // YAML line numbers), so the schema documents and does not validate.
    if (extra.textBody) route.validatorCompiler = () => () => true;
  }
  if (isApi(route.url)) {
    if (schema.querystring || schema.params || schema.body) add(400, ERROR_SCHEMA);
    add(401, ERROR_SCHEMA);
    add(500, ERROR_SCHEMA);
  }
  for (const code of extra?.errors ?? []) add(code, ERROR_SCHEMA);
  route.schema = { ...schema, response };
}
