// The CustomResourceDefinitions the fake API server can have installed: the Gateway API kinds and external-dns's
// DNSEndpoint. A real cluster often lacks them, or has only some, or only older versions (Gateway API v0.x had only
// v1alpha2/v1beta1), so which resources and versions are installed is an option of the server, changeable while it
// runs (a CRD installed later, or removed). Each version listed is served (list, watch, get, writes) and discovered.
import type { ServedResource } from './fake-apiserver-discovery.js';

export type CrdResource = 'gateways' | 'httproutes' | 'grpcroutes' | 'tlsroutes' | 'tcproutes' | 'udproutes' | 'dnsendpoints';

export interface CrdInfo {
  kind: string;
  group: string;
  singular: string;
  shortNames: string[];
  /** every version the upstream CRD serves (standard + experimental channel), the storage/preferred one first */
  versions: string[];
}

export const GATEWAY_GROUP = 'gateway.networking.k8s.io';

export const CRDS: Record<CrdResource, CrdInfo> = {
  gateways: { kind: 'Gateway', group: GATEWAY_GROUP, singular: 'gateway', shortNames: ['gtw'], versions: ['v1', 'v1beta1'] },
  httproutes: { kind: 'HTTPRoute', group: GATEWAY_GROUP, singular: 'httproute', shortNames: [], versions: ['v1', 'v1beta1'] },
  grpcroutes: { kind: 'GRPCRoute', group: GATEWAY_GROUP, singular: 'grpcroute', shortNames: [], versions: ['v1', 'v1alpha2'] },
  tlsroutes: { kind: 'TLSRoute', group: GATEWAY_GROUP, singular: 'tlsroute', shortNames: [], versions: ['v1alpha2'] },
  tcproutes: { kind: 'TCPRoute', group: GATEWAY_GROUP, singular: 'tcproute', shortNames: [], versions: ['v1alpha2'] },
  udproutes: { kind: 'UDPRoute', group: GATEWAY_GROUP, singular: 'udproute', shortNames: [], versions: ['v1alpha2'] },
  dnsendpoints: { kind: 'DNSEndpoint', group: 'externaldns.k8s.io', singular: 'dnsendpoint', shortNames: [], versions: ['v1alpha1'] },
};

export const CRD_RESOURCES = Object.keys(CRDS) as CrdResource[];

/** resource → the versions installed; a resource not listed is not installed (404, absent from discovery) */
export type InstalledCrds = Partial<Record<CrdResource, string[]>>;

/** every CRD, every version: what fixture mode serves */
export function allCrds(): InstalledCrds {
  return Object.fromEntries(CRD_RESOURCES.map((r) => [r, [...CRDS[r].versions]]));
}

export const isCrdResource = (r: string): r is CrdResource => r in CRDS;

/** The installed CRDs as discovery lists them: one entry per resource and version. */
export function servedCrds(installed: InstalledCrds): ServedResource[] {
  const out: ServedResource[] = [];
  for (const r of CRD_RESOURCES) {
    const info = CRDS[r];
    // in the CRD's own order, so the preferred version comes first whatever order the caller gave
    for (const v of info.versions.filter((x) => installed[r]?.includes(x))) {
      out.push({ name: r, singular: info.singular, kind: info.kind, group: info.group, version: v, namespaced: true, shortNames: info.shortNames, categories: r === 'dnsendpoints' ? [] : ['gateway-api'] });
    }
  }
  return out;
}

/** The fake-apiserver CLI's --installed-crds: `none`, or `resource[=v1,v1beta1];...` (a resource alone: all versions). */
export function parseInstalledCrds(text: string): InstalledCrds {
  const out: InstalledCrds = {};
  if (text.trim() === 'none') return out;
  for (const part of text.split(';').map((p) => p.trim()).filter(Boolean)) {
    const [name, versions] = part.split('=');
    if (!isCrdResource(name)) throw new Error(`--installed-crds: ${name.slice(0, 40)} is not one of ${CRD_RESOURCES.join(', ')}`);
    const vs = versions === undefined ? CRDS[name].versions : versions.split(',');
    const bad = vs.find((v) => !CRDS[name].versions.includes(v));
    if (bad !== undefined) throw new Error(`--installed-crds: ${name} has no version ${bad.slice(0, 20)} (it has ${CRDS[name].versions.join(', ')})`);
    out[name] = vs;
  }
  return out;
}
