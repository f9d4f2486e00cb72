// What a list and a watch event from the API server look like, checked before anything is believed, and how
// resourceVersions compare. A 200 whose JSON has another shape is an error, never "zero objects".
import { ApiResponseError } from './api-errors.js';

type Raw = Record<string, any>;

export interface ListShape {
  kind: string;
  apiVersion: string;
  resourceVersion: string;
  continue: string | undefined;
  items: unknown[];
}

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface EventShape {
  type: EventType;
  object: Raw;
}

const EVENT_TYPES = new Set<string>(['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR']);

const isObject = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);

function describe(v: unknown): string {
  if (Array.isArray(v)) return 'an array';
  if (v === null) return 'null';
  if (isObject(v)) {
    const keys = Object.keys(v);
    return `an object with ${keys.length ? `keys ${keys.slice(0, 5).join(', ')}${keys.length > 5 ? ', ...' : ''}` : 'no keys'}`;
  }
  return `a ${typeof v}`;
}

/** A list: kind *List, apiVersion, metadata.resourceVersion, an items array. */
export function checkList(body: unknown, url: URL): ListShape {
  const bad = (what: string) => new ApiResponseError(`not a Kubernetes list (${what}) from ${url}`, 'shape');
  if (!isObject(body)) throw bad(`got ${describe(body)}`);
  if (body.kind === 'Status') throw bad(`a Status: ${String(body.message ?? body.reason ?? '')}`);
  if (typeof body.kind !== 'string' || !body.kind.endsWith('List')) throw bad(`kind ${JSON.stringify(body.kind)}; got ${describe(body)}`);
  if (typeof body.apiVersion !== 'string' || body.apiVersion === '') throw bad('no apiVersion');
  const md = body.metadata;
  if (!isObject(md) || typeof md.resourceVersion !== 'string' || md.resourceVersion === '') throw bad('no metadata.resourceVersion');
  if (!Array.isArray(body.items)) throw bad(`items is ${describe(body.items)}`);
  const cont = typeof md.continue === 'string' && md.continue !== '' ? md.continue : undefined;
  return { kind: body.kind, apiVersion: body.apiVersion, resourceVersion: md.resourceVersion, continue: cont, items: body.items };
}

/** A watch event: a known type and an object; every object but an ERROR's Status carries a resourceVersion. */
export function checkEvent(ev: unknown, url: URL): EventShape {
  const bad = (what: string) => new ApiResponseError(`malformed watch event (${what}) from ${url}`, 'shape');
  if (!isObject(ev)) throw bad(`got ${describe(ev)}`);
  if (typeof ev.type !== 'string' || !EVENT_TYPES.has(ev.type)) throw bad(`type ${JSON.stringify(ev.type)}; got ${describe(ev)}`);
  if (!isObject(ev.object)) throw bad(`${ev.type} with object ${describe(ev.object)}`);
  if (ev.type !== 'ERROR') {
    const md = ev.object.metadata;
    if (!isObject(md) || typeof md.resourceVersion !== 'string' || md.resourceVersion === '') throw bad(`${ev.type} without metadata.resourceVersion`);
    if (ev.type !== 'BOOKMARK' && (typeof md.name !== 'string' || md.name === '')) throw bad(`${ev.type} without metadata.name`);
  }
  return { type: ev.type as EventType, object: ev.object };
}

const NUMERIC = /^[0-9]{1,40}$/;

export const isNumericRv = (rv: string): boolean => NUMERIC.test(rv);

/**
 * -1, 0 or 1 when both resourceVersions are numbers (etcd revisions, compared as integers of any size); undefined
 * when either is not a number. Kubernetes calls resourceVersions opaque, but every etcd-backed server's are numbers.
 */
export function compareRv(a: string, b: string): -1 | 0 | 1 | undefined {
  if (!NUMERIC.test(a) || !NUMERIC.test(b)) return undefined;
  const x = a.replace(/^0+(?=.)/, '');
  const y = b.replace(/^0+(?=.)/, '');
  if (x.length !== y.length) return x.length < y.length ? -1 : 1;
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * Why a resourceVersion seen after `last` means the server's history cannot be trusted (restored from a backup,
 * replaced, or not an API server at all), or undefined when it can.
 */
export function untrustedRv(rv: string, last: string): string | undefined {
  if (!isNumericRv(last)) return undefined; // opaque resourceVersions: nothing to compare
  if (!isNumericRv(rv)) return `unparseable resourceVersion ${JSON.stringify(rv.slice(0, 40))} after ${last}`;
  if (compareRv(rv, last)! < 0) return `resourceVersion went back from ${last} to ${rv} (API server restored or replaced?)`;
  return undefined;
}

/** kube-apiserver's answer to a watch from a resourceVersion it has not reached: 504, cause ResourceVersionTooLarge. */
export function isTooLargeRv(status: Raw | undefined): boolean {
  if (!status) return false;
  const causes: unknown = status.details?.causes;
  return (Array.isArray(causes) && causes.some((c) => isObject(c) && c.reason === 'ResourceVersionTooLarge'))
    || /too large resource version/i.test(String(status.message ?? ''));
}
