// Writes to the fake API server, answered as kube-apiserver answers them, so `kubectl apply`, `create`, `replace`,
// `patch`, `label` and `delete` (and curl) work: POST creates (409 when the object exists), PUT replaces (404 when
// it does not, 409 on a stale resourceVersion), PATCH merges (fake-apiserver-patch.ts), DELETE answers with the
// object's last state. Bodies are bounded (kube-apiserver's 3 MiB) and every refusal is a Status saying what to fix.
import type http from 'node:http';
import { parse as parseYaml } from 'yaml';
import { mergePatch, strategicMergePatch } from './fake-apiserver-patch.js';

type Raw = Record<string, any>;

/** kube-apiserver's limit on a request body */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

/** Where writes go: the server's own objects, or a cluster that synthesises from them (fake-apiserver-cluster.ts). */
export interface WritableObjects {
  /** the object a PATCH applies to */
  get(resource: string, namespace: string, name: string): Raw | undefined;
  /** creates or replaces; returns the object as now served. Throws InvalidObject when the API server would refuse it. */
  put(resource: string, obj: Raw): Raw;
  /** returns the last state, undefined when there was no such object */
  remove(resource: string, namespace: string, name: string): Raw | undefined;
}

/** An object the API server would refuse: answered 422 Invalid with the message, and per field the causes kubectl prints. */
export class InvalidObject extends Error {
  constructor(message: string, readonly causes: { field: string; message: string }[] = []) {
    super(message);
  }
}

export interface WriteRoute {
  resource: string;
  kind: string;
  group: string;
  namespaced: boolean;
  namespace?: string;
  name?: string;
  query: Record<string, string>;
  /** the object as served now (for resourceVersion checks), by name */
  served(name: string): Raw | undefined;
}

export function status(code: number, reason: string, message: string, details?: Raw): Raw {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: code < 400 ? 'Success' : 'Failure', message, reason, ...(details ? { details } : {}), code };
}

type Reply = (code: number, body: unknown, headers?: Record<string, string>) => void;

export function handleWrite(store: WritableObjects, route: WriteRoute, req: http.IncomingMessage, reply: Reply): void {
  const method = req.method ?? '';
  const { resource, name } = route;
  const ns = route.namespaced ? route.namespace ?? 'default' : '';
  const notFound = () => reply(404, status(404, 'NotFound', `${resource} "${name}" not found`, { name, kind: resource }));
  if (method === 'DELETE') {
    if (!name) return reply(405, status(405, 'MethodNotAllowed', `deleting a collection of ${resource} is not supported: delete them by name`));
    const last = store.remove(resource, ns, name);
    return last ? reply(200, last) : notFound();
  }
  if (!['POST', 'PUT', 'PATCH'].includes(method)) return reply(405, status(405, 'MethodNotAllowed', `method ${method} is not allowed`));
  if (method !== 'POST' && !name) return reply(405, status(405, 'MethodNotAllowed', `${method} needs an object name in the path`));
  readBody(req, reply, (text) => {
    const type = String(req.headers['content-type'] ?? 'application/json').split(';')[0].trim().toLowerCase();
    if (method === 'PATCH' && (type === 'application/json-patch+json' || type === 'application/apply-patch+yaml')) {
      return reply(415, status(415, 'UnsupportedMediaType',
        `the fake API server does not take ${type} patches: use client-side \`kubectl apply\` (the default), a strategic merge or a merge patch`));
    }
    let body: unknown;
    try {
      body = type.includes('yaml') ? parseYaml(text) : JSON.parse(text);
    } catch (err) {
      return reply(400, status(400, 'BadRequest', `the body is not ${type.includes('yaml') ? 'YAML' : 'JSON'}: ${(err as Error).message}`));
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      return reply(400, status(400, 'BadRequest', 'the body must be one object (a mapping)'));
    }
    let obj = body as Raw;
    const existing = name ? store.get(resource, ns, name) : undefined;
    if (method === 'PATCH') {
      if (!existing) return notFound();
      if (type === 'application/merge-patch+json') obj = mergePatch(existing, obj) as Raw;
      else if (type === 'application/strategic-merge-patch+json') obj = strategicMergePatch(existing, obj) as Raw;
      else return reply(415, status(415, 'UnsupportedMediaType', `a PATCH needs Content-Type application/strategic-merge-patch+json or application/merge-patch+json, not ${type}`));
    }
    obj.kind ??= route.kind;
    if (obj.kind !== route.kind) {
      return reply(400, status(400, 'BadRequest', `the object is a ${String(obj.kind)}, but the request is for ${resource} (kind ${route.kind})`));
    }
    obj.metadata = typeof obj.metadata === 'object' && obj.metadata !== null ? { ...obj.metadata } : {};
    if (route.namespaced) {
      if (obj.metadata.namespace && route.namespace && obj.metadata.namespace !== route.namespace) {
        return reply(400, status(400, 'BadRequest', 'the namespace of the provided object does not match the namespace sent on the request'));
      }
      obj.metadata.namespace = obj.metadata.namespace || ns;
    }
    if (method === 'POST' && !obj.metadata.name && obj.metadata.generateName) {
      obj.metadata.name = `${obj.metadata.generateName}${Math.random().toString(36).slice(2, 7)}`;
    }
    if (!obj.metadata.name) return reply(422, status(422, 'Invalid', `${route.kind} is invalid: metadata.name: Required value`));
    if (name && obj.metadata.name !== name) {
      return reply(400, status(400, 'BadRequest', `the name of the object (${obj.metadata.name}) does not match the name on the URL (${name})`));
    }
    const objNs = route.namespaced ? obj.metadata.namespace : '';
    const current = route.served(obj.metadata.name);
    if (method === 'POST' && (current || store.get(resource, objNs, obj.metadata.name))) {
      return reply(409, status(409, 'AlreadyExists', `${resource} "${obj.metadata.name}" already exists`, { name: obj.metadata.name, kind: resource }));
    }
    if (method === 'PUT') {
      if (!existing) return notFound();
      const rv = obj.metadata.resourceVersion;
      if (rv && current && rv !== current.metadata?.resourceVersion) {
        return reply(409, status(409, 'Conflict',
          `Operation cannot be fulfilled on ${resource} "${name}": the object has been modified; please apply your changes to the latest version and try again`));
      }
    }
    if (route.query.dryRun === 'All') return reply(method === 'POST' ? 201 : 200, obj);
    try {
      reply(method === 'POST' ? 201 : 200, store.put(resource, obj));
    } catch (err) {
      // Inside a body callback nothing may throw: an error here would take the whole fake server down.
      if (err instanceof InvalidObject) {
        const causes = err.causes.map((c) => ({ reason: 'FieldValueInvalid', message: c.message, field: c.field }));
        reply(422, status(422, 'Invalid', `${route.kind} "${obj.metadata.name}" is invalid: ${err.message}`,
          { name: obj.metadata.name, group: route.group, kind: route.kind, ...(causes.length ? { causes } : {}) }));
      } else {
        reply(500, status(500, 'InternalError', `${method} ${resource} "${obj.metadata.name}" failed: ${(err as Error).message}`));
      }
    }
  });
}

/** Reads a body up to MAX_BODY_BYTES; past that answers 413 and closes the connection. */
function readBody(req: http.IncomingMessage, reply: Reply, done: (text: string) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let refused = false;
  req.on('data', (c: Buffer) => {
    if (refused) return;
    size += c.length;
    if (size > MAX_BODY_BYTES) {
      refused = true;
      chunks.length = 0;
      reply(413, status(413, 'RequestEntityTooLarge', `the request body is over ${MAX_BODY_BYTES} bytes: send smaller objects`), { Connection: 'close' });
      return;
    }
    chunks.push(c);
  });
  req.on('end', () => {
    if (refused) return;
    try {
      done(Buffer.concat(chunks).toString('utf8'));
    } catch (err) {
      // A body nested past the stack (a patch of 100,000 nested maps) is the client's fault, not a crash.
      reply(400, status(400, 'BadRequest', `the body could not be processed: ${(err as Error).message}`));
    }
  });
}
