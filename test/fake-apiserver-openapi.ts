// The smallest OpenAPI v3 kubectl needs from the fake API server. `kubectl apply` validates a manifest before it
// sends it (--validate=strict, the default): when the server's OpenAPI v3 says a kind's PATCH path takes the
// `fieldValidation` query parameter, kubectl leaves validation to the server; otherwise it downloads the whole
// OpenAPI v2 schema to validate itself, and without one fails ("failed to download openapi"). So this serves the
// v3 index (/openapi/v3) and, per group version, a document with the PATCH paths of the kinds served, each marked
// with its x-kubernetes-group-version-kind and the parameter on the operation. No schemas: kubectl then takes a kind's strategic
// merge keys from its own compiled-in types, which it has for every kind served here.
import { SERVED, type ServedResource } from './fake-apiserver-discovery.js';

type Raw = Record<string, any>;

/** bumps when what is served changes: kubectl caches group-version documents by this hash */
const HASH = 'clusterdns-fake-1';

const gvPath = (group: string, version: string) => (group ? `apis/${group}/${version}` : 'api/v1');

const PARAMETERS = ['dryRun', 'fieldManager', 'fieldValidation', 'force'].map((name) => ({
  name, in: 'query', schema: { type: name === 'force' ? 'boolean' : 'string', uniqueItems: true },
}));

/** The OpenAPI v3 document for a path, or undefined when the path is not one. `crds`: the CRD versions installed. */
export function openapiV3(pathname: string, crds: readonly ServedResource[] = []): Raw | undefined {
  const path = pathname.replace(/\/+$/, '');
  const rs = [...SERVED, ...crds];
  const gvs = [...new Set(rs.map((r) => gvPath(r.group, r.version)))];
  if (path === '/openapi/v3') {
    return { paths: Object.fromEntries(gvs.map((gv) => [gv, { serverRelativeURL: `/openapi/v3/${gv}?hash=${HASH}` }])) };
  }
  const gv = gvs.find((x) => path === `/openapi/v3/${x}`);
  if (gv === undefined) return undefined;
  const paths: Raw = {};
  for (const r of rs.filter((x) => gvPath(x.group, x.version) === gv)) {
    const group = r.group;
    const prefix = `/${gv}${r.namespaced ? '/namespaces/{namespace}' : ''}/${r.name}/{name}`;
    paths[prefix] = {
      parameters: PARAMETERS,
      patch: {
        operationId: `patch${r.namespaced ? 'Namespaced' : ''}${r.kind}`,
        'x-kubernetes-action': 'patch',
        'x-kubernetes-group-version-kind': { group, version: r.version, kind: r.kind },
        // kubectl looks for the parameter on the operation (kube-apiserver also lists it on the path)
        parameters: PARAMETERS,
        responses: { 200: { description: 'OK' } },
      },
    };
  }
  return { openapi: '3.0.0', info: { title: 'Kubernetes (clusterdns fake API server)', version: 'v1.31.0' }, paths, components: { schemas: {} } };
}
