// PATCH bodies for the fake API server: JSON merge patch (RFC 7386), and the part of strategic merge patch that
// `kubectl apply`, `kubectl label`/`annotate` and `kubectl edit` send for the kinds it serves: maps merge, null
// deletes, lists of objects with a merge key (ports, containers, env, conditions...) merge element by element,
// `$patch: delete|replace`, `$setElementOrder/…` and `$deleteFromPrimitiveList/…`. Other lists are replaced, as
// for atomic lists. JSON patch (RFC 6902) and server-side apply are refused with 415 by the caller.
type Raw = Record<string, any>;

const isObj = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);

/** RFC 7386: maps merge recursively, null deletes, anything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObj(patch)) return patch;
  const out: Raw = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/**
 * The merge key of a list field, as the Kubernetes Go types declare it (patchMergeKey) for the lists of
 * Namespace, Service, Pod and EndpointSlice; undefined = replace the list whole.
 */
function mergeKeyOf(field: string, sample: Raw | undefined): string | undefined {
  switch (field) {
    case 'ports': return sample && 'containerPort' in sample ? 'containerPort' : 'port';
    case 'containers': case 'initContainers': case 'ephemeralContainers': case 'env': case 'volumes':
    case 'imagePullSecrets': case 'hostAliases': return field === 'hostAliases' ? 'ip' : 'name';
    case 'volumeMounts': return 'mountPath';
    case 'conditions': return 'type';
    case 'ownerReferences': return 'uid';
    default: return undefined;
  }
}

const ORDER = '$setElementOrder/';
const DELETE_PRIMITIVE = '$deleteFromPrimitiveList/';

/** Strategic merge patch of a map (the subset above). */
export function strategicMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObj(patch)) return patch;
  if (patch.$patch === 'replace') {
    const { $patch: _, ...rest } = patch;
    return rest;
  }
  if (patch.$patch === 'delete') return undefined;
  const out: Raw = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch' || k === '$retainKeys' || k.startsWith(ORDER)) continue;
    if (k.startsWith(DELETE_PRIMITIVE)) {
      const field = k.slice(DELETE_PRIMITIVE.length);
      if (Array.isArray(out[field]) && Array.isArray(v)) out[field] = out[field].filter((x: unknown) => !v.includes(x));
      continue;
    }
    if (v === null) { delete out[k]; continue; }
    if (Array.isArray(v)) {
      out[k] = mergeList(k, out[k], v, patch[`${ORDER}${k}`]);
      continue;
    }
    const merged = strategicMergePatch(out[k], v);
    if (merged === undefined) delete out[k];
    else out[k] = merged;
  }
  return out;
}

function mergeList(field: string, current: unknown, patch: unknown[], order: unknown): unknown[] {
  const sample = patch.find(isObj) ?? (Array.isArray(current) ? current.find(isObj) : undefined);
  const key = mergeKeyOf(field, sample);
  if (!key || !Array.isArray(current) || !patch.every(isObj)) return patch.filter((e) => !(isObj(e) && e.$patch));
  const out: Raw[] = current.filter(isObj).map((e) => ({ ...e }));
  for (const p of patch as Raw[]) {
    const i = out.findIndex((e) => e[key] === p[key]);
    if (p.$patch === 'delete') {
      if (i >= 0) out.splice(i, 1);
    } else if (i >= 0) {
      out[i] = strategicMergePatch(out[i], p) as Raw;
    } else {
      const { $patch: _, ...rest } = p;
      out.push(rest);
    }
  }
  if (Array.isArray(order)) {
    const rank = (e: Raw) => {
      const r = order.findIndex((o) => isObj(o) && o[key] === e[key]);
      return r < 0 ? order.length : r;
    };
    out.sort((a, b) => rank(a) - rank(b));
  }
  return out;
}
