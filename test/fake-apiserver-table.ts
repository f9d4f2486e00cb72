// Server-side printing (meta.k8s.io/v1 Table): `kubectl get` asks for it and prints the columns it is given, so
// the fake API server renders the columns kube-apiserver's printers do for the kinds it serves (NAME, TYPE,
// CLUSTER-IP, PORT(S)... for Services; READY, STATUS, IP, NODE for Pods). Without it kubectl prints NAME and AGE only.
type Raw = Record<string, any>;

export const TABLE_TYPE = 'application/json;as=Table;v=v1;g=meta.k8s.io';

/** kubectl's Accept for `get`: Table first, then plain JSON. */
export function wantsTable(accept: string | undefined): boolean {
  return (accept ?? '').split(',').some((a) => a.includes('as=Table') && a.includes('g=meta.k8s.io') && /(^|;)\s*v=v1\s*(;|$)/.test(a));
}

interface Column { name: string; type: string; format?: string; priority?: number }

const AGE: Column = { name: 'Age', type: 'string' };
const NAME: Column = { name: 'Name', type: 'string', format: 'name' };

const COLUMNS: Record<string, Column[]> = {
  Namespace: [NAME, { name: 'Status', type: 'string' }, AGE],
  Service: [NAME, { name: 'Type', type: 'string' }, { name: 'Cluster-IP', type: 'string' }, { name: 'External-IP', type: 'string' },
    { name: 'Port(s)', type: 'string' }, AGE, { name: 'Selector', type: 'string', priority: 1 }],
  Pod: [NAME, { name: 'Ready', type: 'string' }, { name: 'Status', type: 'string' }, { name: 'Restarts', type: 'string' }, AGE,
    { name: 'IP', type: 'string', priority: 1 }, { name: 'Node', type: 'string', priority: 1 }],
  Endpoints: [NAME, { name: 'Endpoints', type: 'string' }, AGE],
  EndpointSlice: [NAME, { name: 'AddressType', type: 'string' }, { name: 'Ports', type: 'string' }, { name: 'Endpoints', type: 'string' }, AGE],
};

/** kubectl's HumanDuration, as kube-apiserver prints AGE. */
export function age(created: string | undefined, now = Date.now()): string {
  const t = created ? Date.parse(created) : NaN;
  if (!Number.isFinite(t)) return '<unknown>';
  const s = Math.max(0, Math.floor((now - t) / 1000));
  const m = Math.floor(s / 60);
  const h = Math.floor(m / 60);
  const d = Math.floor(h / 24);
  if (s < 120) return `${s}s`;
  if (m < 10) return s % 60 ? `${m}m${s % 60}s` : `${m}m`;
  if (h < 3) return `${m}m`;
  if (h < 8) return m % 60 ? `${h}h${m % 60}m` : `${h}h`;
  if (h < 48) return `${h}h`;
  if (d < 8) return h % 24 ? `${d}d${h % 24}h` : `${d}d`;
  return `${d}d`;
}

const none = (s: string | undefined) => (s ? s : '<none>');

function cells(o: Raw): unknown[] {
  const spec: Raw = o.spec ?? {};
  const status: Raw = o.status ?? {};
  const created = age(o.metadata?.creationTimestamp);
  switch (o.kind) {
    case 'Namespace': return [o.metadata.name, o.metadata.deletionTimestamp ? 'Terminating' : status.phase ?? 'Active', created];
    case 'Service': {
      const ports = (spec.ports ?? []).map((p: Raw) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol ?? 'TCP'}`).join(',');
      const external = spec.type === 'ExternalName' ? spec.externalName
        : (status.loadBalancer?.ingress ?? []).map((i: Raw) => i.ip ?? i.hostname).join(',') || (spec.type === 'LoadBalancer' ? '<pending>' : '');
      const selector = Object.entries(spec.selector ?? {}).map(([k, v]) => `${k}=${String(v)}`).join(',');
      return [o.metadata.name, spec.type ?? 'ClusterIP', spec.type === 'ExternalName' ? '<none>' : none(spec.clusterIP), none(external), none(ports), created, none(selector)];
    }
    case 'Pod': {
      const containers: Raw[] = spec.containers ?? [];
      const statuses: Raw[] = status.containerStatuses ?? [];
      const readyCond = (status.conditions ?? []).find((c: Raw) => c.type === 'Ready');
      const ready = statuses.length ? statuses.filter((c) => c.ready).length : readyCond?.status === 'True' ? containers.length : 0;
      const restarts = statuses.reduce((n, c) => n + (Number(c.restartCount) || 0), 0);
      return [o.metadata.name, `${ready}/${containers.length}`, o.metadata.deletionTimestamp ? 'Terminating' : status.phase ?? 'Pending', String(restarts), created,
        none(status.podIP), none(spec.nodeName)];
    }
    case 'EndpointSlice': {
      const ports = (o.ports ?? []).map((p: Raw) => (p.port === undefined ? '<unset>' : String(p.port))).join(',');
      const addresses = (o.endpoints ?? []).flatMap((e: Raw) => e.addresses ?? []);
      const shown = addresses.slice(0, 3).join(',') + (addresses.length > 3 ? ` + ${addresses.length - 3} more...` : '');
      return [o.metadata.name, o.addressType, none(ports), addresses.length ? shown : '<unset>', created];
    }
    case 'Endpoints': {
      const all = (o.subsets ?? []).flatMap((ss: Raw) => (ss.addresses ?? []).flatMap((a: Raw) =>
        (ss.ports?.length ? ss.ports.map((p: Raw) => `${a.ip}:${p.port}`) : [String(a.ip)])));
      const shown = all.slice(0, 3).join(',') + (all.length > 3 ? ` + ${all.length - 3} more...` : '');
      return [o.metadata.name, all.length ? shown : '<none>', created];
    }
    default: return [o.metadata?.name, created];
  }
}

/**
 * A Table of `items` of one kind. `includeObject` as kube-apiserver takes it: Metadata (default) puts
 * PartialObjectMetadata in each row, Object the whole object, None nothing.
 */
export function toTable(kind: string, items: Raw[], metadata: Raw, includeObject: string | undefined): Raw {
  const rowObject = (o: Raw): Raw | undefined => {
    if (includeObject === 'None') return undefined;
    if (includeObject === 'Object') return o;
    return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata };
  };
  return {
    kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata,
    columnDefinitions: (COLUMNS[kind] ?? [NAME, AGE]).map((c) => ({ name: c.name, type: c.type, format: c.format ?? '', description: '', priority: c.priority ?? 0 })),
    rows: items.map((o) => {
      const obj = rowObject(o);
      return { cells: cells(o), ...(obj ? { object: obj } : {}) };
    }),
  };
}
