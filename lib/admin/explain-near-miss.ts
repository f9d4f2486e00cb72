// Why a name got NXDOMAIN or NODATA, and what is near: a pure look over the store (its indexes and the ServiceNames
// index, never a scan per request), following the same parse the resolver does (lib/dns/request.ts), so every miss
// named here is a step the resolver really took. Bounded: at most MAX_LISTED objects or names per miss.
import type { ClusterStore } from '../cluster/store.js';
import type { Endpoint } from '../cluster/model.js';
import { endpointLabel, ipFromPodLabel, splitLabels } from '../dns/names.js';
import { QTYPE, typeName } from '../dns/records.js';
import { parseRequest } from '../dns/request.js';
import { matchZone } from '../dns/resolver.js';
import type { ResolverConfig } from '../dns/resolver-config.js';
import type { NearMiss } from './explain-types.js';
import { boundedDistance, type ServiceNames } from './explain-names.js';

export const MAX_LISTED = 10;

const SHAPES = 'SERVICE.NAMESPACE.svc.ZONE, ENDPOINT.SERVICE.NAMESPACE.svc.ZONE, _PORT._PROTO.SERVICE.NAMESPACE.svc.ZONE or 10-244-0-5.NAMESPACE.pod.ZONE';

const cap = <T>(xs: readonly T[]): T[] => xs.slice(0, MAX_LISTED);
const more = (xs: readonly unknown[]) => (xs.length > MAX_LISTED ? ` (and ${xs.length - MAX_LISTED} more)` : '');

export interface NearMissInput {
  store: ClusterStore;
  cfg: ResolverConfig;
  names: ServiceNames;
  /** the question, no trailing dot */
  name: string;
  qtype: number;
  /** the rcode DNS gave and whether the answer section was empty */
  rcode: string;
  empty: boolean;
  /** the asking pod's namespace, when explain was given one (its walk is shown, not suggested) */
  namespace?: string;
}

export function findNearMisses(inp: NearMissInput): NearMiss[] {
  const { store, cfg, name, qtype } = inp;
  const out: NearMiss[] = [];
  const lname = name.toLowerCase();
  const m = matchZone(cfg, lname);
  if (!m) {
    const zones = [...cfg.zones, ...cfg.reverseZones];
    out.push({ kind: 'outside-zones', message: `${name}. is under none of the zones this server serves (${zones.join(', ')}): the kubernetes plugin does not answer it; it goes to the upstreams (REFUSED without one)${inp.namespace !== undefined ? '' : '; a pod would try it with its search list first: give namespace to see that walk'}` });
    // "web.default" or "web.default.svc" is a relative name a pod completes; say what it would complete to.
    const zone = cfg.zones[0];
    if (zone !== undefined && lname.split('.').length <= 3) {
      const two = lname.split('.');
      // Only for what looks like SERVICE.NAMESPACE: "nope.example" is an outside name, not a namespace "example".
      const looksLocal = two.length === 2 && (store.namespaceExists(two[1]) || inp.names.namespacesOf(two[0]).length > 0);
      const full = lname.endsWith('.svc') ? `${lname}.${zone}` : looksLocal ? `${lname}.svc.${zone}` : undefined;
      if (full) out.push(...findNearMisses({ ...inp, name: full, empty: true }).filter((x) => x.kind !== 'outside-zones'));
    }
    return out;
  }
  if (!store.synced && inp.rcode === 'SERVFAIL') {
    out.push({ kind: 'not-synced', message: 'the server has not synced with every source yet: names it does not know get SERVFAIL, not NXDOMAIN, until it has (as CoreDNS does)' });
  }
  const zone = m.lzone;
  const base = lname === zone ? [] : splitLabels(zone === '' ? lname : lname.slice(0, lname.length - zone.length - 1));
  if (m.reverse) {
    if (qtype === QTYPE.PTR && inp.empty) out.push({ kind: 'bad-shape', message: `no Service cluster IP and no ready endpoint address is ${name}: PTR records exist only for those (pod IPs get none, as in CoreDNS)` });
    return out;
  }
  const r = parseRequest(base);
  if (!r) {
    // "web.default.cluster.local": the svc label left out.
    if (base.length === 2 && store.service(base[1], base[0])) {
      const fixed = `${base[0]}.${base[1]}.svc.${zone}`;
      out.push({ kind: 'missing-svc-label', message: `the "svc" label is missing: Service ${base[1]}/${base[0]} answers at ${fixed}.`, objects: [`Service/${base[1]}/${base[0]}`], names: [fixed] });
    } else {
      out.push({ kind: 'bad-shape', message: `${name}. has no shape the cluster zone answers: names are ${SHAPES}` });
    }
    return out;
  }
  if (r.podOrSvc === '' || r.namespace === '') return out;
  if (!store.namespaceExists(r.namespace)) {
    const near = closestNamespaces(inp, r.namespace);
    out.push({ kind: 'no-namespace', message: `namespace "${r.namespace}" does not exist (or is not served: --namespaces)${near.length ? `; similar: ${near.join(', ')}` : ''}`, ...(near.length ? { objects: near.map((n) => `Namespace/${n}`) } : {}) });
  }
  if (r.podOrSvc === 'pod') return out.concat(podMisses(inp, r.namespace, r.service));
  if (r.service === '') return out;

  const svc = store.service(r.namespace, r.service);
  if (!svc) {
    const others = inp.names.namespacesOf(r.service).filter((ns) => ns !== r.namespace && store.service(ns, r.service));
    if (others.length > 0) {
      const names = cap(others).map((ns) => rebuild(r.endpoint, r.port, r.protocol, `${r.service}.${ns}.svc.${zone}`));
      out.push({ kind: 'other-namespace', message: `no Service "${r.service}" in namespace ${r.namespace}, but there is one in ${cap(others).join(', ')}${more(others)}: ask ${names[0]}. (or run the client in that namespace)`, objects: cap(others).map((ns) => `Service/${ns}/${r.service}`), names });
    }
    if (store.namespaceExists(r.namespace)) {
      const sim = inp.names.similar(r.namespace, r.service);
      if (sim.names.length > 0) {
        const names = sim.names.map((s) => rebuild(r.endpoint, r.port, r.protocol, `${s}.${r.namespace}.svc.${zone}`));
        out.push({ kind: 'similar-name', message: `no Service "${r.service}" in ${r.namespace}; similar names there: ${sim.names.join(', ')}${sim.complete ? '' : ' (only part of the namespace was compared: it is very large)'}`, objects: sim.names.map((s) => `Service/${r.namespace}/${s}`), names });
      }
    }
    if (out.length === 0 || out.every((x) => x.kind === 'not-synced')) {
      out.push({ kind: 'other-namespace', message: `no Service "${r.service}" in namespace ${r.namespace}, nor in any other namespace` });
    }
    return out;
  }

  const key = `Service/${svc.namespace}/${svc.name}`;
  const svcName = `${svc.name}.${svc.namespace}.svc.${zone}`;
  if (svc.type === 'ExternalName') {
    const target = svc.externalName.replace(/\.+$/, '');
    if (r.endpoint || r.port) out.push({ kind: 'externalname', message: `${key} is an ExternalName Service: it has only the CNAME at ${svcName}., no endpoint or port names`, objects: [key], names: [svcName] });
    else if (!target || /^[\d.]+$|:/.test(target)) out.push({ kind: 'externalname', message: `${key} is an ExternalName Service whose externalName "${svc.externalName}" is ${target ? 'an IP address' : 'empty'}: CoreDNS serves nothing for it; use a ClusterIP Service without selector and an EndpointSlice for an IP`, objects: [key] });
    else if (inp.empty && qtype !== QTYPE.A && qtype !== QTYPE.AAAA && qtype !== QTYPE.CNAME) out.push({ kind: 'no-data-type', message: `${key} is an ExternalName Service: it answers CNAME (and A/AAAA through the target), not ${typeName(qtype)}`, objects: [key] });
    return out;
  }

  const slices = inp.names.slicesOf(svc.namespace, svc.name);
  const ready = store.readyEndpoints(svc.namespace, svc.name);
  const readyCount = ready.reduce((n, s) => n + s.endpoints.length, 0);
  const notReady: Endpoint[] = [];
  for (const s of slices) for (const e of s.endpoints) if (!e.ready && !svc.publishNotReadyAddresses && notReady.length < 1000) notReady.push(e);
  const epName = (e: Endpoint) => (e.podName ? `Pod/${svc.namespace}/${e.podName}` : `${e.addresses[0] ?? '?'}`);

  if ((svc.headless || r.endpoint) && readyCount === 0) {
    const why = slices.length === 0
      ? `it has no EndpointSlice${svc.selector ? ` (no pod matches its selector ${JSON.stringify(svc.selector)}, or none is scheduled yet)` : ' (it has no selector: write an EndpointSlice labelled kubernetes.io/service-name)'}`
      : notReady.length > 0 ? `${notReady.length} endpoint(s) exist but none is ready: ${cap(notReady).map(epName).join(', ')}${more(notReady)} (publishNotReadyAddresses: true would publish them)` : 'its EndpointSlices list no endpoint';
    if (svc.headless) out.push({ kind: 'headless-no-ready', message: `${key} is headless and has no ready endpoint, so its names do not exist: ${why}`, objects: [key, ...cap(notReady).filter((e) => e.podName).map(epName)] });
  }
  if (r.endpoint) {
    const labels: string[] = [];
    let found = false;
    for (const s of ready) for (const e of s.endpoints) for (const a of e.addresses) {
      const l = endpointLabel(e, a, inp.cfg.endpointPodNames).toLowerCase();
      if (l === r.endpoint) found = true;
      if (labels.length < 1000) labels.push(l);
    }
    if (!found) {
      const unready = notReady.find((e) => e.addresses.some((a) => endpointLabel(e, a, inp.cfg.endpointPodNames).toLowerCase() === r.endpoint));
      if (unready) {
        out.push({ kind: 'endpoint-not-ready', message: `endpoint "${r.endpoint}" of ${key} exists but is not ready (${epName(unready)}): only ready endpoints get names; it answers once its pod is Ready`, objects: [key, ...(unready.podName ? [epName(unready)] : [])] });
      } else if (labels.length > 0) {
        const sim = closestLabels(labels, r.endpoint);
        out.push({ kind: 'no-such-endpoint', message: `${key} has no ready endpoint named "${r.endpoint}"; its endpoint names: ${cap(labels).join(', ')}${more(labels)}${svc.headless ? '' : ' (endpoint names exist for every Service with endpoints, headless or not)'}`, objects: [key], names: (sim.length ? sim : cap(labels)).map((l) => `${l}.${svcName}`) });
      }
    }
  }
  if (r.port || r.protocol) {
    const ports = svc.headless ? [...new Map(ready.flatMap((s) => s.ports).map((p) => [`${p.name}/${p.protocol}/${p.port}`, p])).values()] : svc.ports;
    const ok = ports.some((p) => (r.port === '' || r.port === p.name.toLowerCase()) && (r.protocol === '' || r.protocol === p.protocol.toLowerCase()));
    if (!ok) {
      const unnamed = ports.filter((p) => p.name === '');
      const named = ports.filter((p) => p.name !== '').map((p) => `_${p.name}._${p.protocol.toLowerCase()}`);
      if (unnamed.length > 0) {
        out.push({ kind: 'unnamed-port', message: `${key}'s port ${unnamed.map((p) => `${p.port}/${p.protocol}`).join(', ')} has no name, so it has no _PORT._PROTO SRV name: name it (spec.ports[].name) or ask SRV ${svcName}. (every port)`, objects: [key], names: [svcName, ...named.map((n) => `${n}.${svcName}`)] });
      } else if (ports.length === 0) {
        out.push({ kind: 'no-port', message: `${key} declares no port: it has no SRV records`, objects: [key] });
      } else {
        out.push({ kind: 'no-such-port', message: `${key} has no port "_${r.port}._${r.protocol}"; its ports: ${named.join(', ')}`, objects: [key], names: named.map((n) => `${n}.${svcName}`) });
      }
    }
  }
  if (inp.empty && inp.rcode === 'NOERROR') {
    if (qtype === QTYPE.A || qtype === QTYPE.AAAA) {
      const want6 = qtype === QTYPE.AAAA;
      const addrs = svc.headless || r.endpoint ? ready.flatMap((s) => s.endpoints.flatMap((e) => e.addresses)) : svc.clusterIPs;
      if (addrs.length > 0 && addrs.every((a) => a.includes(':') !== want6)) {
        out.push({ kind: 'other-family', message: `${key} has only ${want6 ? 'IPv4' : 'IPv6'} addresses: ask ${want6 ? 'A' : 'AAAA'} (ipFamilies ${JSON.stringify(svc.ipFamilies ?? [])})`, objects: [key] });
      }
    } else if (qtype === QTYPE.SRV) {
      out.push({ kind: 'no-port', message: `${key} has no port with a number: SRV records need one`, objects: [key] });
    } else if (qtype !== QTYPE.CNAME) {
      out.push({ kind: 'no-data-type', message: `the name exists, but the cluster zone holds only A, AAAA, SRV (and CNAME for ExternalName, PTR in reverse zones): ${typeName(qtype)} is NODATA`, objects: [key] });
    }
  }
  return out;
}

function podMisses(inp: NearMissInput, ns: string, label: string): NearMiss[] {
  if (label === '') return [];
  if (inp.cfg.pods === 'disabled') return [{ kind: 'pods-disabled', message: 'pod names are off (pods disabled, the default): start with --pods insecure or verified (Corefile: pods insecure)' }];
  const ip = ipFromPodLabel(label);
  if (!ip) return [{ kind: 'bad-pod-name', message: `"${label}" is not an address with dashes: pod names are 10-244-0-5.${ns}.pod.ZONE (IPv6: fd00--1)` }];
  if (inp.cfg.pods === 'verified' && !inp.store.podIPExists(ns, ip)) {
    return [{ kind: 'pod-not-found', message: `pods verified: no running pod in ${ns} has IP ${ip} (pods insecure would answer any address)` }];
  }
  return [];
}

function closestNamespaces(inp: NearMissInput, ns: string): string[] {
  const all = inp.names.namespaces();
  const near: string[] = [];
  // Namespaces are few next to Services; the comparison is banded anyway.
  for (const n of all.slice(0, 10_000)) if (n !== ns && Math.abs(n.length - ns.length) <= 2 && distanceAtMost2(n, ns)) near.push(n);
  return cap(near);
}

function closestLabels(labels: string[], want: string): string[] {
  return labels.filter((l) => distanceAtMost2(l, want)).slice(0, MAX_LISTED);
}

const distanceAtMost2 = (a: string, b: string) => boundedDistance(a, b, 2) <= 2;

/** The question's name with another service base: keeps the endpoint or _port._proto labels asked. */
function rebuild(endpoint: string, port: string, protocol: string, base: string): string {
  if (endpoint) return `${endpoint}.${base}`;
  if (port || protocol) return `_${port || '*'}._${protocol || '*'}.${base}`;
  return base;
}
