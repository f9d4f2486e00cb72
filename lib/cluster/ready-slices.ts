// Which endpoints of a Service's EndpointSlices DNS serves: ready ones, from the slices the EndpointSlice controller
// would own (mirrored slices only when there are no others), in slice-name order, FQDN slices left out.
import type { EndpointSlice } from './model.js';
import type { ReadySlice } from './view.js';

/**
 * `publishAll`: the Service publishes not-ready addresses, so the EndpointSlice controller would mark every
 * endpoint ready; fixtures written by hand rely on us doing the same.
 */
export function readySlices(slices: Iterable<EndpointSlice>, publishAll: boolean): ReadySlice[] {
  let list = [...slices];
  if (list.some((s) => !s.mirrored)) list = list.filter((s) => !s.mirrored);
  list.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const out: ReadySlice[] = [];
  for (const s of list) {
    if (s.addressType === 'FQDN') continue;
    // Most slices are all ready: their own array is used, not a copy (150,000 slots at 150,000 pods).
    const endpoints = publishAll || s.endpoints.every((e) => e.ready) ? s.endpoints : s.endpoints.filter((e) => e.ready);
    if (endpoints.length > 0) out.push({ endpoints, ports: s.ports });
  }
  return out;
}
