// A pod's search-path walk, seen from the server: with ndots:5, `getaddrinfo("web")` in namespace shop asks
// web.shop.svc.cluster.local, web.svc.cluster.local, web.cluster.local, web.<host's search domains>..., then web,
// each as A and AAAA, and stops at the first answer. The live view folds such a run into one lookup of "web".
//
// Only queries from one client, each within WALK_GAP_MS of the one before, in search-list order, join a walk; it
// starts at a name of the form X.<ns>.svc.<zone> (the first search domain). The namespace is the client pod's when
// the store knows its address, else the one the first query names. After a form got an answer, only that same name
// (its other type: glibc asks A and AAAA together) still joins. State: one walk per client, at most MAX_CLIENTS
// clients (the least recently seen is forgotten), so a flood of spoofed sources cannot grow it.

/** Gap between two queries of one walk: glibc sends the next form as soon as the last is answered. */
export const WALK_GAP_MS = 1000;
export const MAX_CLIENTS = 4096;

/** Where a name stands in X's walk: 0 X.ns.svc.zone, 1 X.svc.zone, 2 X.zone, 3 X.<host domain>, 4 X itself. */
type Step = 0 | 1 | 2 | 3 | 4;

interface Walk {
  id: number;
  x: string;
  ns: string;
  zone: string;
  step: Step;
  last: number;
  /** the name that got an answer; afterwards only it joins, once per type not yet asked for it */
  answered?: string;
  /** the types asked for the name last asked (so a repeat of the answered question starts a new lookup) */
  types: string[];
  lastName: string;
}

export interface WalkMark {
  lookup: number;
  lookupName: string;
  /** this query got the answer the walk was after */
  lookupDone?: boolean;
}

export interface WalkQuery {
  client: string;
  /** lower case, no trailing dot */
  name: string;
  /** the type asked (A, AAAA, ...) */
  type: string;
  time: number;
  rcode: string;
  answers: number;
}

export class SearchWalks {
  private walks = new Map<string, Walk>();
  /**
   * Lookup ids start from the clock (ms × 1000), not 0: the console keeps its rows across a reconnect and folds by
   * id, so a restarted server must not hand out the ids of the one before. Past 1,000 lookups a millisecond of
   * uptime they could meet; 1.8e15 today, well inside a double's exact integers.
   */
  private ids = Date.now() * 1000;

  /**
   * @param zones the cluster zones (lower case, no trailing dot), read per query: a reload may change them
   * @param podNamespace the namespace of the pod with this address, when known
   */
  constructor(private zones: () => readonly string[], private podNamespace: (ip: string) => string | undefined) {}

  /** The walk this query belongs to (a new one if it starts one), or undefined. */
  mark(q: WalkQuery): WalkMark | undefined {
    const answered = q.rcode === 'NOERROR' && q.answers > 0;
    const w = this.walks.get(q.client);
    if (w && q.time - w.last <= WALK_GAP_MS && q.time >= w.last - WALK_GAP_MS) {
      // After the answer only the other family of the answered name belongs to the lookup; the same question
      // again is the app asking anew (many times a second for a Service it calls), a lookup of its own.
      const step = w.answered !== undefined ? (q.name === w.answered && !w.types.includes(q.type) ? w.step : -1) : stepOf(q.name, w);
      if (step >= w.step) {
        w.step = step as Step;
        w.last = q.time;
        if (q.name !== w.lastName) { w.lastName = q.name; w.types = []; }
        if (w.types.length < 8 && !w.types.includes(q.type)) w.types.push(q.type);
        // Refresh its place: the Map's order is the eviction order.
        this.walks.delete(q.client);
        this.walks.set(q.client, w);
        const done = answered && w.answered === undefined;
        if (done) w.answered = q.name;
        return { lookup: w.id, lookupName: w.x, ...(done ? { lookupDone: true } : {}) };
      }
    }
    const start = this.startOf(q.name, q.client);
    if (!start) return undefined;
    const walk: Walk = { id: ++this.ids, ...start, step: 0, last: q.time, types: [q.type], lastName: q.name, ...(answered ? { answered: q.name } : {}) };
    this.walks.delete(q.client);
    this.walks.set(q.client, walk);
    if (this.walks.size > MAX_CLIENTS) this.walks.delete(this.walks.keys().next().value!);
    return { lookup: walk.id, lookupName: walk.x, ...(answered ? { lookupDone: true } : {}) };
  }

  get size(): number {
    return this.walks.size;
  }

  clear(): void {
    this.walks.clear();
  }

  /** X, the namespace and the zone when `name` is X.<ns>.svc.<zone>, the first form a walk asks. */
  private startOf(name: string, client: string): { x: string; ns: string; zone: string } | undefined {
    for (const zone of this.zones()) {
      const tail = `.svc.${zone}`;
      if (!name.endsWith(tail)) continue;
      const head = name.slice(0, -tail.length);
      const dot = head.lastIndexOf('.');
      if (dot <= 0) continue;
      const ns = head.slice(dot + 1);
      const podNs = this.podNamespace(client);
      if (podNs !== undefined && podNs !== ns) continue;
      return { x: head.slice(0, dot), ns, zone };
    }
    return undefined;
  }
}

function stepOf(name: string, w: Walk): Step | -1 {
  if (name === w.x) return 4;
  if (!name.startsWith(`${w.x}.`)) return -1;
  const rest = name.slice(w.x.length + 1);
  if (rest === `${w.ns}.svc.${w.zone}`) return 0;
  if (rest === `svc.${w.zone}`) return 1;
  if (rest === w.zone) return 2;
  return 3;
}
