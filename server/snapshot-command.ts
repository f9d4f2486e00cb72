// `clusterdns snapshot [--kubeconfig FILE] [--context NAME] [--namespaces a,b] [--pods] [--out FILE]`: lists what
// live mode watches and writes it as a fixture file (lib/snapshot) that serves the same answers offline. With --out
// the file appears whole or not at all (written aside, then renamed). Exit 0 on success, 1 when the cluster cannot
// be listed, 2 for a usage error.
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { takeSnapshot } from '../lib/snapshot/list.js';
import { renderSnapshot } from '../lib/snapshot/render.js';
import { writeOut } from './stdio.js';

export const SNAPSHOT_HELP = `Usage: clusterdns snapshot [--kubeconfig FILE] [--context NAME] [--namespaces a,b] [--pods] [--out FILE]

Lists the cluster as live mode sees it (Namespaces, Services, EndpointSlices, Ingresses and ServiceImports when
served, Pods with --pods) and writes a fixture file that serves the same answers offline (clusterdns --fixtures
FILE): only the fields DNS uses, in a fixed order, so two snapshots of one cluster are byte-identical.
Exit 0 when written, 1 when the cluster cannot be listed, 2 on a usage error.

  --kubeconfig FILE    the kubeconfig [$KUBECONFIG, ~/.kube/config]
  --context NAME       its context [current-context]
  --namespaces a,b     only these namespaces [all]
  --pods               include running Pods (for --pods verified answers)
  --out FILE           write FILE (whole or not at all) instead of stdout
`;

export async function snapshotMain(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let v;
  try {
    const parsed = parseArgs({
      args: argv,
      options: { kubeconfig: { type: 'string' }, context: { type: 'string' }, namespaces: { type: 'string' }, pods: { type: 'boolean' }, out: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: false, strict: true,
    });
    v = parsed.values;
  } catch (err) {
    process.stderr.write(`clusterdns snapshot: ${(err as Error).message}\n${SNAPSHOT_HELP}`);
    return 2;
  }
  if (v.help) { await writeOut(process.stdout, SNAPSHOT_HELP); return 0; }
  const namespaces = v.namespaces === undefined ? [] : v.namespaces.split(',').map((s) => s.trim()).filter(Boolean);
  if (v.namespaces !== undefined && (namespaces.length === 0 || namespaces.some((n) => !/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(n)))) {
    process.stderr.write(`clusterdns snapshot: --namespaces ${v.namespaces}: expected namespace names separated by commas\n`);
    return 2;
  }
  if (v.out === '') { process.stderr.write('clusterdns snapshot: --out: expected a file path\n'); return 2; }
  let text: string;
  try {
    const { objects, origin } = await takeSnapshot({ kubeconfig: v.kubeconfig, context: v.context, namespaces, pods: v.pods ?? false }, env);
    // No time in the header: it would make two snapshots of the same cluster differ.
    text = renderSnapshot(objects, `clusterdns snapshot of ${origin.replace(/\n/g, ' ')}${namespaces.length ? `, namespaces ${namespaces.join(',')}` : ''}: ${objects.length} objects`);
  } catch (err) {
    process.stderr.write(`clusterdns snapshot: ${(err as Error).message}\n`);
    return 1;
  }
  if (v.out === undefined) { await writeOut(process.stdout, text); return 0; }
  const tmp = path.join(path.dirname(v.out), `.${path.basename(v.out)}.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, v.out);
  } catch (err) {
    rmSync(tmp, { force: true });
    process.stderr.write(`clusterdns snapshot: --out ${v.out}: ${(err as Error).message}\n`);
    return 1;
  }
  return 0;
}
