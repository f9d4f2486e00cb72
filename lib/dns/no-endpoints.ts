// CoreDNS `noendpoints`: the plugin does not watch EndpointSlices, so it knows no endpoint at all. Headless and
// endpoint names are NXDOMAIN, PTRs for endpoint addresses NXDOMAIN, the NS name is ns.dns.<zone>; ClusterIP
// answers stand. The view hides the endpoints the store may still hold (fixtures synthesize them).
import type { ClusterView, ReadySlice } from '../cluster/store.js';

const NONE: readonly ReadySlice[] = [];
const NO_KEYS: readonly string[] = [];
const views = new WeakMap<ClusterView, ClusterView>();

export function withoutEndpoints(view: ClusterView): ClusterView {
  let v = views.get(view);
  if (!v) {
    // Everything else is read through to the store (its getters included), so this view never goes stale.
    v = Object.create(view, {
      readyEndpoints: { value: () => NONE },
      servicesByEndpointIP: { value: () => NO_KEYS },
    }) as ClusterView;
    views.set(view, v);
  }
  return v;
}
