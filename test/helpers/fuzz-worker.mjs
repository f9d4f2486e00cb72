// The fuzz targets, run in a worker thread so that the test can bound each input in time and memory: a hang or an
// out-of-memory kills the worker, not the test, and is reported with the input that caused it. Runs the built
// code (dist/, which `npm test` builds first), the same the CLI runs.
//
// workerData: { root, mode: 'query' | 'manifest', fixtures?: string[] }
// query:    { id, bytes: Uint8Array, transport: 'udp' | 'tcp' } → { id, ok, out: Uint8Array | null, plugin, rcode, ms }
// manifest: { id, text, file } → { id, ok, objects, records, unencodable: [..], ms } or { id, ok: false, error }
import { parentPort, workerData } from 'node:worker_threads';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const dist = (p) => import(pathToFileURL(path.join(workerData.root, 'dist', p)).href);

function errorOf(err) {
  const e = err ?? {};
  return {
    name: e.name ?? typeof e, ctor: e.constructor?.name ?? '', message: String(e.message ?? e), stack: String(e.stack ?? ''),
    file: e.file, line: e.line,
  };
}

async function queryTarget() {
  const { startClusterDns } = await dist('lib/in-process.js');
  const { pino } = await import('pino');
  const dns = await startClusterDns({ fixtures: workerData.fixtures, listen: '127.0.0.1:0', logger: pino({ level: 'silent' }), journalSize: 100 });
  // The cases faults add: names the corpus does not hold, so they fire only when a mutation makes one.
  dns.fault({ name: 'f*.default.svc.cluster.local', fault: 'servfail' });
  dns.fault({ name: '*.shop.svc.cluster.local', fault: 'truncate', type: 'SRV' });
  dns.fault({ name: 'd*.default.svc.cluster.local', fault: 'delay', delayMs: 1 });
  dns.fault({ name: 'x*.x', fault: 'drop' });
  // An upstream that answers from the query alone (deterministic, so a printed case replays): nothing for some,
  // a bare response header for the others.
  dns.server.setUpstream({
    async forward(q) {
      if (q.length % 3 === 0 || q.length < 2) return null;
      const r = Buffer.alloc(12);
      q.copy(r, 0, 0, 2);
      r[2] = 0x81; r[3] = 0x80;
      return r;
    },
  });
  const responder = dns.server.responder;
  const hooks = responder.hooks;
  const real = hooks.onQuery;
  let last;
  hooks.onQuery = (e) => { last = { plugin: e.plugin, rcode: e.rcode }; real?.(e); };
  return async (msg) => {
    last = undefined;
    const t0 = performance.now();
    const res = responder.handle(Buffer.from(msg.bytes), msg.transport, '192.0.2.1');
    const out = res instanceof Promise ? await res : res;
    return { ok: true, out: out ? new Uint8Array(out) : null, plugin: last?.plugin ?? null, rcode: last?.rcode ?? null, ms: performance.now() - t0 };
  };
}

async function manifestTarget() {
  const { parseEntriesText } = await dist('lib/sources/manifest-files.js');
  const { Synthesizer } = await dist('lib/synth/index.js');
  const { ClusterStore } = await dist('lib/cluster/store.js');
  const { defaultConfig } = await dist('lib/config.js');
  const { resolverConfigFrom } = await dist('lib/start.js');
  const { listRecords } = await dist('lib/dns/zone-listing.js');
  const { resolve } = await dist('lib/dns/resolver.js');
  const { encodeAnswer } = await dist('lib/wire/responder.js');
  const { EncodeError } = await dist('lib/wire/encoder.js');
  const cfg = defaultConfig();
  const rcfg = resolverConfigFrom(cfg, []);
  return async (msg) => {
    const t0 = performance.now();
    let stage = 'parse';
    try {
      const entries = parseEntriesText(msg.text, msg.file, 'default');
      stage = 'synthesis';
      const byNs = new Map();
      for (const e of entries) {
        if (!byNs.has(e.namespace)) byNs.set(e.namespace, []);
        byNs.get(e.namespace).push(e);
      }
      const out = new Synthesizer({ ...cfg.synthesis, namespace: 'default' }).update(new Set(byNs.keys()), (ns) => byNs.get(ns) ?? []);
      const objects = [...out.objects.values()].flat();
      stage = 'store';
      const store = new ClusterStore();
      store.replace('fuzz', objects);
      stage = 'records';
      const rrs = listRecords(store, rcfg);
      // Every name the listing gives must be answerable: an answer that cannot be encoded is a SERVFAIL for a name
      // the cluster holds.
      stage = 'answers';
      const unencodable = [];
      const seen = new Set();
      for (const rr of rrs) {
        const key = `${rr.name}/${rr.type}`;
        if (seen.has(key) || seen.size >= 200) continue;
        seen.add(key);
        const ans = resolve(store, rcfg, rr.name.replace(/\.$/, ''), rr.type);
        try {
          encodeAnswer(ans, { name: rr.name.replace(/\.$/, ''), type: rr.type, class: 1 }, undefined, 65535);
        } catch (err) {
          if (!(err instanceof EncodeError)) throw err;
          if (unencodable.length < 5) unencodable.push(`${key}: ${err.message}`);
        }
      }
      return { ok: true, objects: objects.length, records: rrs.length, unencodable, warnings: out.warnings.length, ms: performance.now() - t0 };
    } catch (err) {
      return { ok: false, stage, error: errorOf(err), ms: performance.now() - t0 };
    }
  };
}

const target = workerData.mode === 'query' ? await queryTarget() : await manifestTarget();
parentPort.on('message', async (msg) => {
  try {
    parentPort.postMessage({ id: msg.id, ...(await target(msg)) });
  } catch (err) {
    parentPort.postMessage({ id: msg.id, ok: false, stage: 'throw', error: errorOf(err) });
  }
});
parentPort.postMessage({ ready: true });
