// The live view's rows: queries newest first, with the entries of one pod's search-path walk (same `lookup`) folded
// into one row that says what the pod asked and what it finally got. Bounded: the oldest rows go first.

export const MAX_ROWS = 2000;
export const MAX_STEPS = 32;

export class QueryRows {
  constructor(max = MAX_ROWS) {
    this.max = max;
    this.rows = [];
    this.walks = new Map();
  }

  clear() {
    this.rows = [];
    this.walks.clear();
  }

  /** One stream event (GET /api/v1/queries/stream's data), in the shape the rows show. */
  static normalize(d) {
    return { ...d, time: d.at ?? d.time, answers: d.answerData ?? d.answers, latency: d.latencyMs ?? d.latency };
  }

  add(e) {
    if (e.lookup !== undefined && e.lookup !== null) {
      const walk = this.walks.get(e.lookup);
      if (walk) {
        if (walk.steps.length < MAX_STEPS) walk.steps.push(e);
        walk.last = e;
        return;
      }
      const row = { key: `l${e.lookup}`, lookup: e.lookup, lookupName: e.lookupName, steps: [e], last: e, expanded: false };
      this.walks.set(e.lookup, row);
      this.rows.unshift(row);
    } else {
      this.rows.unshift({ key: `q${e.seq ?? Math.random()}`, last: e });
    }
    while (this.rows.length > this.max) {
      const old = this.rows.pop();
      if (old.lookup !== undefined) this.walks.delete(old.lookup);
    }
  }

  /** What the list shows: each row, and below an expanded walk its steps. */
  flatten() {
    const out = [];
    for (const r of this.rows) {
      out.push({ row: r });
      if (r.steps && r.expanded) for (const s of r.steps) out.push({ step: s, parent: r });
    }
    return out;
  }
}

/** A walk's summary: the name the app asked, how many names the resolver tried, the last answer. */
export function summary(row) {
  const first = row.steps ? row.steps[0] : row.last;
  // The walk's result is the query that got the answer it was after (glibc then stops, but for the other family).
  const last = row.steps ? row.steps.find((s) => s.lookupDone) ?? row.last : row.last;
  const latency = row.steps ? row.steps.reduce((s, e) => s + (Number(e.latency) || 0), 0) : Number(last.latency) || 0;
  return {
    time: first.time, client: last.client, transport: last.transport, type: last.type, rcode: last.rcode, plugin: last.plugin,
    // One query alone is shown as asked; a walk by the name the app asked (what its resolver expanded).
    name: row.steps?.length > 1 ? (row.lookupName ?? first.name) : last.name,
    tries: row.steps ? row.steps.length : 1, answers: last.answers ?? [], latency,
  };
}
