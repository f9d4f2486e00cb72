// lib/read-text.ts reads in 64 KiB steps and decodes as it goes: a UTF-8 character cut by a step boundary must come
// out whole, for the async and the sync reader alike, and the size cap must hold on the bytes read.
import t from 'tap';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTextFile, readTextFileSync } from '../lib/read-text.js';

t.test('characters across the 64 KiB steps come out whole; the cap holds', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'read-text-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'utf8.yaml');
  // 'é' is 2 bytes, '€' 3 and '𝄞' 4: offsets 65535, 131070 and 196605 put one of each across a boundary
  const text = `${'a'.repeat(65535)}é${'b'.repeat(65533)}€${'c'.repeat(65532)}𝄞 end\n`;
  writeFileSync(file, text);
  t.equal(await readTextFile(file, 1 << 20), readFileSync(file, 'utf8'), 'async: the same text');
  t.equal(readTextFileSync(file, 1 << 20), text, 'sync: the same text');
  await t.rejects(readTextFile(file, 100_000), /at most 100000 are read/, 'async: over the cap');
  t.throws(() => readTextFileSync(file, 100_000), /at most 100000 are read/, 'sync: over the cap');
  const empty = join(dir, 'empty');
  writeFileSync(empty, '');
  t.equal(await readTextFile(empty, 10), '', 'an empty file');
});
