// What an informer knows per object: its resourceVersion and our slim copy (undefined when filtered out or not
// convertible), and the changes to the store a (re)list or a watch event makes, as client-go's DeltaFIFO would.

export interface InformerChange<S> {
  type: 'upsert' | 'delete';
  slim: S;
}

interface Cached<S> {
  rv: string;
  slim: S | undefined;
}

export class SlimCache<S> {
  private entries = new Map<string, Cached<S>>();

  static key(namespace: string | undefined, name: string): string {
    return `${namespace ?? ''}/${name}`;
  }

  /** A whole list replaces the cache: deletes for what is gone, upserts for what is new or changed. */
  replace(listed: Map<string, Cached<S>>): InformerChange<S>[] {
    const changes: InformerChange<S>[] = [];
    for (const [key, old] of this.entries) {
      if (!listed.has(key) && old.slim !== undefined) changes.push({ type: 'delete', slim: old.slim });
    }
    for (const [key, now] of listed) {
      const old = this.entries.get(key);
      if (old && old.rv === now.rv) continue;
      changes.push(...this.transition(old, now));
    }
    this.entries = listed;
    return changes;
  }

  /** ADDED or MODIFIED: an object that became unconvertible or filtered out is deleted, not left stale. */
  upsert(key: string, now: Cached<S>): InformerChange<S>[] {
    const old = this.entries.get(key);
    this.entries.set(key, now);
    if (old && old.rv === now.rv) return [];
    return this.transition(old, now);
  }

  delete(key: string, last: S | undefined): InformerChange<S>[] {
    const old = this.entries.get(key);
    if (!old) return [];
    this.entries.delete(key);
    const slim = old.slim ?? last;
    return slim === undefined ? [] : [{ type: 'delete', slim }];
  }

  private transition(old: Cached<S> | undefined, now: Cached<S>): InformerChange<S>[] {
    if (now.slim !== undefined) return [{ type: 'upsert', slim: now.slim }];
    return old?.slim !== undefined ? [{ type: 'delete', slim: old.slim }] : [];
  }
}
