// Which rule gave an external name, in words for /api/v1/resolve, /api/v1/records and explain ("Ingress
// shop/shop-dev spec.rules[0].host; addresses: ..."): the object and field that named the host, and where the
// addresses it answers with came from (a status, externalIPs, or synthesised offline from --lb-range/--lb-address).
import type { Gateway, GatewayRoute, Ingress, Service } from '../../cluster/model.js';
import { HOSTNAME_ANNOTATIONS } from '../../cluster/hostname-annotations.js';

type Named = Ingress | Gateway | GatewayRoute;

/** `Kind ns/name field` of the host in `o` (the field it was first written in). */
export function hostField(o: Named, host: string): string {
  const i = o.hosts.indexOf(host);
  const field = i >= 0 ? o.hostFields?.[i] : undefined;
  return `${o.kind} ${o.namespace}/${o.name}${field ? ` ${field}` : ''}`;
}

export function annotationField(s: Service, host: string): string {
  const i = s.hostnames?.indexOf(host) ?? -1;
  const key = (i >= 0 ? s.hostnameFields?.[i] : undefined) ?? HOSTNAME_ANNOTATIONS[0];
  return `Service ${s.namespace}/${s.name} annotation ${key}`;
}

const synthesisText = (how: 'lb-range' | 'lb-address' | undefined) =>
  how === 'lb-range' ? ', synthesised from --lb-range' : how === 'lb-address' ? ', the one --lb-address' : '';

/** Where a Service's external addresses come from. */
export function serviceAddresses(s: Service): string {
  if (s.externalSynthesised) return `Service ${s.namespace}/${s.name} status.loadBalancer${synthesisText(s.externalSynthesised)}`;
  return `Service ${s.namespace}/${s.name} spec.externalIPs/status.loadBalancer.ingress`;
}

export function gatewayAddresses(g: Gateway, lbAddressFallback: boolean): string {
  if (g.addresses.length === 0 && lbAddressFallback) return `Gateway ${g.namespace}/${g.name} (no status.addresses: the --lb-address)`;
  return `Gateway ${g.namespace}/${g.name} status.addresses${synthesisText(g.addressesSynthesised)}`;
}

/** "wildcard *.x: " when the name was matched by a wildcard host, else "" */
export const wildcardPrefix = (host: string) => (host.startsWith('*.') ? `wildcard ${host}: ` : '');
