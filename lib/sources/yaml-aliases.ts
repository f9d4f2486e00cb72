// YAML aliases that expand a small text into a huge value. js-yaml shares an aliased node instead of copying it,
// so nine levels of `&a [*b, *b, ...]` (600 bytes) load at once, but anything that walks the value (a JSON copy,
// JSON.stringify into a plugin's environment, a label's String()) expands it to hundreds of millions of nodes.
// Like go-yaml (kubectl's reader), the readers refuse a document that aliasing expands past a limit.

/**
 * Values aliases may add to a fixture document. Manifests that use anchors (a shared env list, `<<` merges of
 * labels) add hundreds; kubectl's reader (go-yaml) refuses expansions of millions. Checking walks the document plus
 * at most this many values (~5 ms), and only documents that may hold an alias (js-yaml's, with a `*`) pay it.
 */
export const MAX_ALIASED_NODES = 200_000;

const ALIAS = /(?:^|[\s[{,:-])\*[^\s,[\]{}]/;

/** Whether the text has something that may be an alias (`*name` where a value starts); false positives only cost a walk. */
export function hasAlias(text: string): boolean {
  return ALIAS.test(text);
}

/** Where the first alias is (the offset of the character before its `*`, or of the `*` at the very start), or -1. */
export function firstAliasOffset(text: string): number {
  return ALIAS.exec(text)?.index ?? -1;
}

/** The 0-based line of `offset + 1` in the text. */
export function lineAt(text: string, offset: number): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset + 1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/**
 * How many values aliases add to `v` once expanded (a value reached again through an alias counts with everything
 * under it), counting no further than just past `limit`. A document without aliases adds none, however large.
 */
export function aliasExpansion(v: unknown, limit: number): number {
  const seen = new Set<object>();
  let added = 0;
  const stack: unknown[] = [v];
  const again: boolean[] = [false];
  while (stack.length > 0 && added <= limit) {
    const x = stack.pop();
    let aliased = again.pop()!;
    if (aliased) added++;
    if (typeof x !== 'object' || x === null) continue;
    if (seen.has(x)) aliased = true;
    else seen.add(x);
    if (Array.isArray(x)) for (let i = 0; i < x.length; i++) { stack.push(x[i]); again.push(aliased); }
    else for (const k in x) { stack.push((x as Record<string, unknown>)[k]); again.push(aliased); }
  }
  return added;
}
