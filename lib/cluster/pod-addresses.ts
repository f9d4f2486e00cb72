// The addresses of running pods, per namespace: what `pods verified` checks an `a-b-c-d.ns.pod` name against, and
// what autopath finds a client's namespace by.
import { addToIndex, removeFromIndex, type AddressIndex } from './address-index.js';

export class PodAddresses {
  /** "ns/ip" → running pods with that address (several: hostNetwork pods on one node) */
  private count = new Map<string, number>();
  /** pod IP → namespaces; built on first use, so servers without autopath pay nothing */
  private namespaces: AddressIndex | undefined;

  exists(ns: string, ip: string): boolean {
    return (this.count.get(`${ns}/${ip}`) ?? 0) > 0;
  }

  add(ns: string, ip: string): void {
    const k = `${ns}/${ip}`;
    const n = this.count.get(k) ?? 0;
    this.count.set(k, n + 1);
    if (n === 0 && this.namespaces) addToIndex(this.namespaces, ip, ns);
  }

  remove(ns: string, ip: string): void {
    const k = `${ns}/${ip}`;
    const n = this.count.get(k);
    if (n === undefined) return;
    if (n > 1) {
      this.count.set(k, n - 1);
      return;
    }
    this.count.delete(k);
    if (this.namespaces) removeFromIndex(this.namespaces, ip, ns);
  }

  /**
   * The namespace of a running pod whose status.podIP is `ip` (CoreDNS's PodIndex, pods verified): the first in
   * name order when several share it.
   */
  namespaceOf(ip: string): string | undefined {
    if (!this.namespaces) {
      this.namespaces = new Map();
      for (const k of this.count.keys()) {
        const slash = k.indexOf('/');
        addToIndex(this.namespaces, k.slice(slash + 1), k.slice(0, slash));
      }
    }
    const got = this.namespaces.get(ip);
    return typeof got === 'string' ? got : got?.[0];
  }
}
