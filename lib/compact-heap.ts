// One full, compacting garbage collection after the first load, before the server says it serves. Loading a
// large cluster leaves the old generation fragmented with the parser's garbage (at 150,000 pods: 133 MB of pages
// for 93 MB of live objects, and the files' texts in large-object space until the next major GC), and none of it
// goes back to the OS until V8's memory reducer runs, seconds later and only when idle. Measured on the bench's
// cluster: RSS at the serving line 258 MB without, 199 MB with a compacting GC, which takes ~0.2 s of the load.
//
// From Node 22 (V8 12) new space also grows to 64 MB semi-spaces while a large cluster is parsed and stays committed:
// RSS at the serving line was 362 MB on Node 24 against 173 on Node 20. A "last resort" GC (V8's memory-reducing
// collection, what it runs before giving up on an allocation) shrinks new space back: 162 MB on Node 24, 152 on 22,
// for ~0.1 s more of the load. Node 20's V8 keeps its 16 MB semi-spaces either way.
//
// The CLI calls it (between loading and binding its sockets, so no query waits for it), never the library: an
// in-process user's heap is theirs to manage.
import v8 from 'node:v8';
import vm from 'node:vm';

export function compactHeap(): void {
  // `gc` is only reachable with --expose-gc; setting the flag now makes a fresh context get it.
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as ((o?: object) => void) | undefined;
  if (typeof gc !== 'function') return;
  // Compaction is off for later GCs again (under load, a compacting full GC pauses twice as long), unless the
  // operator asked for it on the command line.
  const asked = process.execArgv.some((a) => /^--compact[-_]on[-_]every[-_]full[-_]gc$/.test(a));
  v8.setFlagsFromString('--compact-on-every-full-gc');
  try {
    gc();
    // Compaction first (the last-resort GC did not compact old space on Node 20), then the shrink.
    gc({ type: 'major', execution: 'sync', flavor: 'last-resort' });
  } finally {
    if (!asked) v8.setFlagsFromString('--no-compact-on-every-full-gc');
  }
}
