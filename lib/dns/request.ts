// Turns a query name into the small request struct CoreDNS's parse.go builds:
//   [endpoint | _port._proto].service.namespace.(svc|pod).zone
import { stripUnderscore } from './names.js';

export interface NameRequest {
  /** 'svc', 'pod', or '' for the apex and the bare `svc.`/`pod.` names (which exist but hold nothing) */
  podOrSvc: '' | 'svc' | 'pod';
  namespace: string;
  service: string;
  endpoint: string;
  port: string;
  protocol: string;
}

/**
 * `base` = the lower-cased labels left of the zone. Returns undefined for a name that cannot exist
 * (not ending in svc/pod, or more than two labels left of the service): NXDOMAIN.
 */
export function parseRequest(base: readonly string[]): NameRequest | undefined {
  const r: NameRequest = { podOrSvc: '', namespace: '', service: '', endpoint: '', port: '', protocol: '' };
  if (base.length === 0) return r;
  if (base.length === 1 && (base[0] === 'svc' || base[0] === 'pod')) return r;
  let last = base.length - 1;
  const kind = base[last];
  if (kind !== 'svc' && kind !== 'pod') return undefined;
  r.podOrSvc = kind;
  if (--last < 0) return r;
  r.namespace = base[last];
  if (--last < 0) return r;
  r.service = base[last];
  if (--last < 0) return r;
  if (last === 0) {
    r.endpoint = base[0];
  } else if (last === 1) {
    r.port = stripUnderscore(base[0]);
    r.protocol = stripUnderscore(base[1]);
  } else {
    return undefined;
  }
  return r;
}

/** CoreDNS's match(): an empty request field matches anything; otherwise compare case-insensitively. */
export function matches(want: string, have: string): boolean {
  return want === '' || want === have.toLowerCase();
}
