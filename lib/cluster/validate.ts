// Validates the fields of an API object that DNS uses, as the API server's validation does
// (pkg/apis/core/validation, pkg/apis/discovery/validation, apimachinery's name rules), before any source keeps it.
// An object the API server would refuse cannot be written to the wire either (a 64-character label, a dotted
// name, `clusterIP: abc`, port 70000 sent as 4464): every source skips it and says which field to fix, so one bad
// object never takes good answers down with it.
//
// Only what DNS reads is checked (names, namespaces, IPs, ports, hostnames, externalName), not the whole schema:
// a manifest that kubectl would refuse for an unrelated field (a container image, resources) still serves.
import { BlockList, isIP, isIPv4 } from 'node:net';
import { ManifestError } from './manifest-error.js';
import { hostnameAnnotationProblems } from './hostname-annotations.js';
import { ingressProblems } from './validate-ingress.js';
import { gatewayProblems, routeProblems } from './validate-gateway.js';
import { dnsEndpointProblems } from './validate-dnsendpoint.js';
import {
  dns1035Label, dns1123Label, dns1123Subdomain, ianaSvcName, ipAddress, labelValue, portNumber,
} from './name-rules.js';

type Raw = Record<string, any>;
const isObj = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** One field that fails, worded as kubectl prints it: `spec.ports[0].port: Invalid value: 70000: must be ...`. */
export interface FieldProblem {
  field: string;
  value: unknown;
  detail: string;
}

/** An object the API server would refuse. The message names it and every field to fix. */
export class InvalidObjectError extends ManifestError {
  constructor(readonly kind: string, readonly namespace: string, readonly objectName: string, readonly problems: FieldProblem[]) {
    super(`${kind} ${namespace ? `${namespace}/` : ''}${JSON.stringify(objectName)} is invalid: ${problems.map(formatProblem).join('; ')}`);
    this.name = 'InvalidObjectError';
  }
}

export function formatProblem(p: FieldProblem): string {
  const v = p.value === undefined ? '' : `Invalid value: ${JSON.stringify(p.value)?.slice(0, 80)}: `;
  return `${p.field}: ${v}${p.detail}`;
}

/** Kinds whose fields reach DNS directly or through the pods they make. */
export const VALIDATED_KINDS: ReadonlySet<string> = new Set([
  'Namespace', 'Service', 'EndpointSlice', 'Endpoints', 'Pod', 'ServiceImport', 'Ingress',
  'Gateway', 'HTTPRoute', 'GRPCRoute', 'TLSRoute', 'TCPRoute', 'UDPRoute', 'DNSEndpoint',
  'Deployment', 'ReplicaSet', 'ReplicationController', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob',
]);

class Problems {
  readonly list: FieldProblem[] = [];
  /** `field` may be a function: the path is only built for a value that fails (this runs for every pod). */
  check(field: string | (() => string), value: unknown, details: readonly string[]): void {
    if (details.length === 0) return;
    const f = typeof field === 'string' ? field : field();
    for (const detail of details) this.list.push({ field: f, value, detail });
  }
  add(field: string, value: unknown, detail: string): void {
    this.list.push({ field, value, detail });
  }
}

/** Namespaces already found valid: a large fixture repeats a handful of them 150,000 times. */
const goodNamespaces = new Set<string>();

/**
 * The problems of one object of `kind` (as a manifest gives it, or as an API list item without `kind`); [] when
 * it is valid or of a kind DNS does not read. `defaultNamespace` stands in for a missing metadata.namespace.
 */
export function validateObject(kind: string, raw: unknown, defaultNamespace = 'default'): FieldProblem[] {
  if (!VALIDATED_KINDS.has(kind) || !isObj(raw)) return [];
  const p = new Problems();
  const meta: Raw = isObj(raw.metadata) ? raw.metadata : {};
  const name = str(meta.name);
  // A missing name is the converters' error ("metadata.name is missing"); here only its form.
  if (name) {
    // A ServiceImport carries the name of the Service it imports: the same rule.
    if (kind === 'Service' || kind === 'ServiceImport') p.check('metadata.name', name, dns1035Label(name));
    else if (kind === 'Namespace') p.check('metadata.name', name, dns1123Label(name));
    else p.check('metadata.name', name, dns1123Subdomain(name));
  }
  if (kind !== 'Namespace') {
    const ns = str(meta.namespace) || defaultNamespace;
    if (!goodNamespaces.has(ns)) {
      const bad = dns1123Label(ns);
      if (bad.length) p.check('metadata.namespace', ns, bad);
      else if (goodNamespaces.size < 10_000) goodNamespaces.add(ns);
    }
  }
  const spec: Raw = isObj(raw.spec) ? raw.spec : {};
  switch (kind) {
    case 'Service': service(p, spec, raw); hostnameAnnotationProblems(p, meta); break;
    case 'EndpointSlice': endpointSlice(p, raw, meta); break;
    case 'Endpoints': endpoints(p, raw); break;
    case 'Pod': pod(p, spec, 'spec'); podStatus(p, raw.status); break;
    case 'ServiceImport': serviceImport(p, spec); break;
    case 'Ingress': ingressProblems(p, spec, raw.status); break;
    case 'Gateway': gatewayProblems(p, spec, raw.status); break;
    case 'HTTPRoute': case 'GRPCRoute': case 'TLSRoute': case 'TCPRoute': case 'UDPRoute': routeProblems(p, kind, spec); break;
    case 'DNSEndpoint': dnsEndpointProblems(p, spec); break;
    case 'Namespace': break;
    default: workload(p, kind, name, spec);
  }
  return p.list;
}

/** Throws InvalidObjectError naming the object and every field to fix. */
export function assertValid(kind: string, raw: unknown, defaultNamespace = 'default'): void {
  const problems = validateObject(kind, raw, defaultNamespace);
  if (problems.length === 0) return;
  const meta: Raw = isObj(raw) && isObj(raw.metadata) ? raw.metadata : {};
  const ns = kind === 'Namespace' ? '' : str(meta.namespace) || defaultNamespace;
  throw new InvalidObjectError(kind, ns, str(meta.name), problems);
}

function service(p: Problems, spec: Raw, raw: Raw): void {
  const type = spec.type === undefined || spec.type === null ? 'ClusterIP' : spec.type;
  if (!['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'].includes(type)) {
    p.add('spec.type', type, 'Unsupported value: supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"');
  }
  if (type === 'ExternalName') {
    // A trailing dot marks the name fully qualified (the API server strips one before checking).
    const ext = str(spec.externalName);
    const cname = ext.endsWith('.') ? ext.slice(0, -1) : ext;
    if (!cname) p.add('spec.externalName', undefined, 'Required value');
    else p.check('spec.externalName', ext, dns1123Subdomain(cname));
  } else {
    const ip = spec.clusterIP;
    if (ip !== undefined && ip !== null && ip !== '' && ip !== 'None') {
      p.check('spec.clusterIP', ip, typeof ip === 'string' ? ipAddress(ip) : ['must be a string']);
    }
    const ips = arr(spec.clusterIPs);
    if (ips.length > 2) p.add('spec.clusterIPs', ips, 'may hold at most two entries, one per IP family');
    ips.forEach((v, i) => {
      if (v === 'None' && i === 0 && ips.length === 1) return;
      p.check(`spec.clusterIPs[${i}]`, v, typeof v === 'string' ? ipAddress(v) : ['must be a string']);
    });
    if (typeof ip === 'string' && ip && ips.length > 0 && ips[0] !== ip) {
      p.add('spec.clusterIPs[0]', ips[0], `must match spec.clusterIP ${JSON.stringify(ip)}`);
    }
  }
  const ports = arr(spec.ports);
  const names = new Set<string>();
  ports.forEach((raw, i) => {
    const f = `spec.ports[${i}]`;
    if (!isObj(raw)) { p.add(f, raw, 'must be a mapping with port, and name when there are several'); return; }
    const name = str(raw.name);
    if (name) {
      p.check(`${f}.name`, name, ianaSvcName(name));
      if (names.has(name)) p.add(`${f}.name`, name, 'Duplicate value');
      names.add(name);
    } else if (ports.length > 1) {
      p.add(`${f}.name`, undefined, 'Required value: every port needs a name when a Service has several');
    }
    if (raw.port === undefined || raw.port === null) p.add(`${f}.port`, undefined, 'Required value');
    else p.check(`${f}.port`, raw.port, typeof raw.port === 'number' ? portNumber(raw.port) : ['must be a number between 1 and 65535']);
    protocol(p, `${f}.protocol`, raw.protocol);
    const tp = raw.targetPort;
    if (typeof tp === 'number') p.check(`${f}.targetPort`, tp, portNumber(tp));
    else if (typeof tp === 'string' && tp !== '') p.check(`${f}.targetPort`, tp, /^\d+$/.test(tp) ? portNumber(Number(tp)) : ianaSvcName(tp));
  });
  externalAddresses(p, spec, raw.status);
}

/**
 * The addresses k8s_external serves. The API server has no count limit; ours bounds what one name can answer (an
 * A answer of 100 addresses is 1.6 KB) and what one object can cost.
 */
export const MAX_EXTERNAL_ADDRESSES = 100;

function externalAddresses(p: Problems, spec: Raw, status: unknown): void {
  const ext = arr(spec.externalIPs);
  if (ext.length > MAX_EXTERNAL_ADDRESSES) p.add('spec.externalIPs', `${ext.length} addresses`, `clusterdns serves at most ${MAX_EXTERNAL_ADDRESSES}`);
  for (let i = 0; i < ext.length && p.list.length < 20; i++) {
    const v = ext[i];
    p.check(`spec.externalIPs[${i}]`, v, typeof v === 'string' ? nonSpecialIP(v) : ['must be a string']);
  }
  const lb = isObj(status) && isObj(status.loadBalancer) ? arr(status.loadBalancer.ingress) : [];
  if (lb.length > MAX_EXTERNAL_ADDRESSES) p.add('status.loadBalancer.ingress', `${lb.length} entries`, `clusterdns serves at most ${MAX_EXTERNAL_ADDRESSES}`);
  for (let i = 0; i < lb.length && p.list.length < 20; i++) {
    const f = `status.loadBalancer.ingress[${i}]`;
    const ing = lb[i];
    if (!isObj(ing)) { p.add(f, ing, 'must be a mapping with ip or hostname'); continue; }
    if (ing.ip !== undefined && ing.ip !== null && ing.ip !== '') p.check(`${f}.ip`, ing.ip, typeof ing.ip === 'string' ? ipAddress(ing.ip) : ['must be a string']);
    const h = ing.hostname;
    if (h !== undefined && h !== null && h !== '') {
      if (typeof h !== 'string') p.add(`${f}.hostname`, h, 'must be a string');
      else if (isIP(h)) p.add(`${f}.hostname`, h, 'must be a DNS name, not an IP address');
      else if (h.split('.').some((l) => l.length > 63)) p.add(`${f}.hostname`, h, 'a DNS label may have at most 63 characters: clusterdns cannot answer a CNAME to it');
      else p.check(`${f}.hostname`, h, dns1123Subdomain(h));
    }
  }
}

/** The ranges ValidateNonSpecialIP refuses for externalIPs, with its messages. */
const SPECIAL_RANGES: [BlockList, string][] = ([
  [[['0.0.0.0', 32, 'ipv4'], ['::', 128, 'ipv6']], 'may not be unspecified (0.0.0.0)'],
  [[['127.0.0.0', 8, 'ipv4'], ['::1', 128, 'ipv6']], 'may not be in the loopback range (127.0.0.0/8, ::1/128)'],
  [[['169.254.0.0', 16, 'ipv4'], ['fe80::', 10, 'ipv6']], 'may not be in the link-local range (169.254.0.0/16, fe80::/10)'],
  [[['224.0.0.0', 24, 'ipv4'], ['ff02::', 16, 'ipv6']], 'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)'],
] as [[string, number, 'ipv4' | 'ipv6'][], string][]).map(([nets, msg]) => {
  const b = new BlockList();
  for (const [net, bits, fam] of nets) b.addSubnet(net, bits, fam);
  return [b, msg];
});

function nonSpecialIP(s: string): readonly string[] {
  const bad = ipAddress(s);
  if (bad.length) return bad;
  // BlockList matches an IPv4-mapped IPv6 address against the IPv4 ranges, as Go's checks see it.
  const fam = isIPv4(s) ? 'ipv4' : 'ipv6';
  return SPECIAL_RANGES.filter(([b]) => b.check(s, fam)).map(([, msg]) => msg);
}

/**
 * The MCS API's CRD schema (sigs.k8s.io/mcs-api v1alpha1) for the fields DNS reads, plus what the wire needs: a port
 * must fit SRV's 16 bits and a port name must be a DNS label (the CRD's own doc asks for one). spec.ips of a
 * Headless import are accepted and ignored, as the CRD and CoreDNS do.
 */
function serviceImport(p: Problems, spec: Raw): void {
  const type = spec.type;
  if (type === undefined || type === null || type === '') p.add('spec.type', undefined, 'Required value: "ClusterSetIP" or "Headless"');
  else if (type !== 'ClusterSetIP' && type !== 'Headless') p.add('spec.type', type, 'Unsupported value: supported values: "ClusterSetIP", "Headless"');
  const ips = arr(spec.ips);
  if (ips.length > 2) p.add('spec.ips', ips.length, 'may hold at most two entries, one per IP family');
  for (let i = 0; i < ips.length && i < 3; i++) {
    const v = ips[i];
    p.check(`spec.ips[${i}]`, v, typeof v === 'string' ? ipAddress(v) : ['must be a string']);
  }
  const ports = arr(spec.ports);
  if (ports.length > 100) p.add('spec.ports', ports.length, 'must have at most 100 items');
  for (let i = 0; i < ports.length && i < 100; i++) {
    const raw = ports[i];
    const f = `spec.ports[${i}]`;
    if (!isObj(raw)) { p.add(f, raw, 'must be a mapping with port'); continue; }
    if (raw.name !== undefined && raw.name !== null && raw.name !== '') p.check(`${f}.name`, raw.name, dns1123Label(String(raw.name)));
    if (raw.port === undefined || raw.port === null) p.add(`${f}.port`, undefined, 'Required value');
    else p.check(`${f}.port`, raw.port, typeof raw.port === 'number' ? portNumber(raw.port) : ['must be a number between 1 and 65535']);
    protocol(p, `${f}.protocol`, raw.protocol);
  }
}

function protocol(p: Problems, field: string, v: unknown): void {
  if (v === undefined || v === null) return;
  if (v !== 'TCP' && v !== 'UDP' && v !== 'SCTP') p.add(field, v, 'Unsupported value: supported values: "SCTP", "TCP", "UDP"');
}

function endpointSlice(p: Problems, raw: Raw, meta: Raw): void {
  const at = raw.addressType === undefined || raw.addressType === null ? 'IPv4' : raw.addressType;
  if (at !== 'IPv4' && at !== 'IPv6' && at !== 'FQDN') {
    p.add('addressType', at, 'Unsupported value: supported values: "FQDN", "IPv4", "IPv6"');
  }
  const svc = isObj(meta.labels) ? meta.labels['kubernetes.io/service-name'] : undefined;
  if (svc !== undefined) p.check('metadata.labels[kubernetes.io/service-name]', svc, labelValue(String(svc)));
  for (const key of ['multicluster.kubernetes.io/service-name', 'multicluster.kubernetes.io/source-cluster']) {
    const v = isObj(meta.labels) ? meta.labels[key] : undefined;
    if (v !== undefined) p.check(`metadata.labels[${key}]`, v, labelValue(String(v)));
  }
  const eps = arr(raw.endpoints);
  if (eps.length > 1000) p.add('endpoints', `${eps.length} endpoints`, 'must have at most 1000 items');
  for (let i = 0; i < eps.length && p.list.length < 20; i++) {
    const e = eps[i];
    const f = () => `endpoints[${i}]`;
    if (!isObj(e)) { p.add(f(), e, 'must be a mapping with addresses'); continue; }
    const addrs = arr(e.addresses);
    if (addrs.length === 0 || addrs.length > 100) p.add(`${f()}.addresses`, addrs.length, 'must have at least 1 and at most 100 items');
    for (let j = 0; j < addrs.length; j++) {
      const a = addrs[j];
      const af = () => `${f()}.addresses[${j}]`;
      if (typeof a !== 'string') p.add(af(), a, 'must be a string');
      else if (at === 'FQDN') p.check(af, a, dns1123Subdomain(a));
      else if (at === 'IPv4' || at === 'IPv6') p.check(af, a, ipAddress(a, at));
    }
    if (e.hostname !== undefined && e.hostname !== null) p.check(() => `${f()}.hostname`, e.hostname, dns1123Label(String(e.hostname)));
  }
  const ports = arr(raw.ports);
  if (ports.length > 100) p.add('ports', ports.length, 'must have at most 100 items');
  ports.forEach((pt, i) => {
    const f = `ports[${i}]`;
    if (!isObj(pt)) { p.add(f, pt, 'must be a mapping'); return; }
    if (pt.name !== undefined && pt.name !== null && pt.name !== '') p.check(`${f}.name`, pt.name, dns1123Label(String(pt.name)));
    if (pt.port !== undefined && pt.port !== null) p.check(`${f}.port`, pt.port, typeof pt.port === 'number' ? portNumber(pt.port) : ['must be a number between 1 and 65535']);
    protocol(p, `${f}.protocol`, pt.protocol);
  });
}

function endpoints(p: Problems, raw: Raw): void {
  arr(raw.subsets).forEach((s, i) => {
    const f = `subsets[${i}]`;
    if (!isObj(s)) { p.add(f, s, 'must be a mapping'); return; }
    for (const list of ['addresses', 'notReadyAddresses'] as const) {
      arr(s[list]).forEach((a, j) => {
        const af = `${f}.${list}[${j}]`;
        if (!isObj(a)) { p.add(af, a, 'must be a mapping with ip'); return; }
        p.check(`${af}.ip`, a.ip, typeof a.ip === 'string' ? ipAddress(a.ip) : ['Required value']);
        if (a.hostname !== undefined && a.hostname !== null && a.hostname !== '') p.check(`${af}.hostname`, a.hostname, dns1123Label(String(a.hostname)));
      });
    }
    const ports = arr(s.ports);
    ports.forEach((pt, k) => {
      const pf = `${f}.ports[${k}]`;
      if (!isObj(pt)) { p.add(pf, pt, 'must be a mapping'); return; }
      if (pt.name !== undefined && pt.name !== null && pt.name !== '') p.check(`${pf}.name`, pt.name, dns1123Label(String(pt.name)));
      p.check(`${pf}.port`, pt.port, typeof pt.port === 'number' ? portNumber(pt.port) : ['must be a number between 1 and 65535']);
      protocol(p, `${pf}.protocol`, pt.protocol);
    });
  });
}

/** A pod spec (a Pod's, or a workload's template at `at`). */
function pod(p: Problems, spec: Raw, at: string): void {
  if (spec.hostname !== undefined && spec.hostname !== null && spec.hostname !== '') p.check(() => `${at}.hostname`, spec.hostname, dns1123Label(String(spec.hostname)));
  if (spec.subdomain !== undefined && spec.subdomain !== null && spec.subdomain !== '') p.check(() => `${at}.subdomain`, spec.subdomain, dns1123Label(String(spec.subdomain)));
  const containers = spec.containers;
  if (!Array.isArray(containers)) return;
  for (let i = 0; i < containers.length; i++) {
    const c = containers[i];
    if (!isObj(c) || !Array.isArray(c.ports)) continue;
    for (let j = 0; j < c.ports.length; j++) {
      const pt = c.ports[j];
      if (!isObj(pt)) continue;
      // Paths are built only for a failing field: no closure or string per valid port.
      const port = typeof pt.containerPort === 'number' ? portNumber(pt.containerPort) : ['Required value: a number between 1 and 65535'];
      if (port.length) p.check(`${at}.containers[${i}].ports[${j}].containerPort`, pt.containerPort, port);
      if (pt.name !== undefined && pt.name !== null && pt.name !== '') {
        const name = ianaSvcName(String(pt.name));
        if (name.length) p.check(`${at}.containers[${i}].ports[${j}].name`, pt.name, name);
      }
    }
  }
}

function podStatus(p: Problems, status: unknown): void {
  if (!isObj(status)) return;
  if (typeof status.podIP === 'string' && status.podIP !== '') p.check('status.podIP', status.podIP, ipAddress(status.podIP));
  const ips = status.podIPs;
  if (!Array.isArray(ips)) return;
  for (let i = 0; i < ips.length; i++) {
    const x = ips[i];
    const ip = isObj(x) ? x.ip : x;
    // podIPs[0] is podIP again: checked once.
    if (ip === status.podIP) continue;
    const bad = typeof ip === 'string' ? ipAddress(ip) : ['must be a string'];
    if (bad.length) p.check(`status.podIPs[${i}].ip`, ip, bad);
  }
}

const countOf = (v: unknown, dflt: number): number | undefined =>
  v === undefined || v === null ? dflt : typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : undefined;

/**
 * A workload: its pod template as a Pod, and the names its controller would give the pods where they become DNS
 * labels (a StatefulSet's pod name is its hostname; an Indexed Job's `<name>-<index>` too). In a cluster such a
 * controller fails to create the pods; here the workload is refused up front.
 */
function workload(p: Problems, kind: string, name: string, spec: Raw): void {
  const tmplAt = kind === 'CronJob' ? 'spec.jobTemplate.spec.template' : 'spec.template';
  const jobSpec: Raw = kind === 'CronJob' && isObj(spec.jobTemplate) && isObj(spec.jobTemplate.spec) ? spec.jobTemplate.spec : spec;
  const tmpl = kind === 'CronJob' ? jobSpec.template : spec.template;
  if (isObj(tmpl) && isObj(tmpl.spec)) pod(p, tmpl.spec, `${tmplAt}.spec`);
  if (!name) return;
  if (kind === 'StatefulSet') {
    if (typeof spec.serviceName === 'string' && spec.serviceName !== '') p.check('spec.serviceName', spec.serviceName, dns1123Label(spec.serviceName));
    const replicas = countOf(spec.replicas, 1);
    const start = isObj(spec.ordinals) ? countOf(spec.ordinals.start, 0) : 0;
    // An unreadable count is the synthesiser's error to report; here only the names it implies.
    if (replicas !== undefined && start !== undefined && replicas > 0) {
      const last = `${name}-${start + replicas - 1}`;
      const bad = dns1123Label(last);
      if (bad.length) p.add('metadata.name', name, `the pod ${JSON.stringify(last.slice(0, 80))} would get it as its hostname, which must be a DNS-1123 label: ${bad.join(', ')}`);
    }
  }
  if ((kind === 'Job' || kind === 'CronJob') && jobSpec.completionMode === 'Indexed') {
    const n = countOf(jobSpec.completions, 1) ?? 1;
    const last = `${name}-${Math.max(0, n - 1)}`;
    const bad = dns1123Label(last);
    if (bad.length) p.add('metadata.name', name, `an Indexed Job's pod hostname ${JSON.stringify(last.slice(0, 80))} must be a DNS-1123 label: ${bad.join(', ')}`);
  }
}
