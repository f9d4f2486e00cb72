// `clusterdns resolver install|uninstall|status`: points the host's resolver at clusterdns for the served zones
// only (split DNS), and undoes it exactly. The files and their formats are in lib/resolver-setup/backends.ts; this
// file reads the flags, says what it does (or, with --dry-run, would do) and turns failures into what to do next.
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { BACKENDS, FILE_BACKENDS, windowsScript, type BackendName, type Setup } from '../lib/resolver-setup/backends.js';
import { detectBackend } from '../lib/resolver-setup/detect.js';
import { at, execute, plan, readInstalled, WriteError, type Plan } from '../lib/resolver-setup/apply.js';
import { probeSoa } from '../lib/resolver-setup/probe.js';
import { checkAddress, checkPort, checkZone, ResolverUsageError } from '../lib/resolver-setup/zones.js';
import { writeOut } from './stdio.js';

export const RESOLVER_HELP = `Usage: clusterdns resolver install|uninstall|status [flags]

Points this host's resolver at clusterdns for the cluster zones only (split DNS); uninstall undoes exactly that.

  --zone NAME          zone to send to clusterdns, repeatable [cluster.local]; uninstall: only these (default: all)
  --address IP         where clusterdns listens [127.0.0.1]
  --port N             its DNS port (clusterdns --listen) [1053]
  --backend NAME       auto|macos|systemd-resolved|networkmanager-dnsmasq|dnsmasq|windows [auto]
  --dry-run            print the files and contents it would write or remove, change nothing
  --no-reload          do not run the command that makes the resolver re-read its files (print it)
  --root DIR           prefix every path with DIR (tests, packaging; implies --no-reload)
  -h, --help           this text

Exit status: 0 done (status: installed and answering), 1 could not (rights, a file not ours, not answering),
2 bad flags.
`;

const OPTIONS = {
  zone: { type: 'string', multiple: true },
  address: { type: 'string' },
  port: { type: 'string' },
  backend: { type: 'string' },
  'dry-run': { type: 'boolean' },
  'no-reload': { type: 'boolean' },
  root: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Action = 'install' | 'uninstall' | 'status';

interface Parsed {
  action: Action;
  zones: string[];
  zonesGiven: boolean;
  address: string;
  port: number;
  backend: BackendName | 'auto';
  dryRun: boolean;
  reload: boolean;
  root: string;
}

function parse(argv: string[]): Parsed | 'help' {
  let r;
  try {
    r = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw new ResolverUsageError((err as Error).message.replace(/\. To specify a positional argument.*$/s, ''));
  }
  const { values: v, positionals } = r;
  if (v.help) return 'help';
  const action = positionals[0];
  if (action !== 'install' && action !== 'uninstall' && action !== 'status') {
    throw new ResolverUsageError(action === undefined ? 'expected install, uninstall or status' : `unknown action "${action}" (install, uninstall, status)`);
  }
  if (positionals.length > 1) throw new ResolverUsageError(`unexpected argument "${positionals[1]}"`);
  const backend = v.backend ?? 'auto';
  if (backend !== 'auto' && !(BACKENDS as readonly string[]).includes(backend)) {
    throw new ResolverUsageError(`--backend ${JSON.stringify(backend.slice(0, 80))}: expected auto, ${BACKENDS.join(', ')}`);
  }
  if (v.zone && v.zone.length > 100) throw new ResolverUsageError(`--zone given ${v.zone.length} times (at most 100)`);
  const zones = [...new Set((v.zone ?? ['cluster.local']).map(checkZone))];
  if (v.root !== undefined && (v.root === '' || v.root.includes('\0'))) throw new ResolverUsageError('--root: expected a folder');
  return {
    action,
    zones,
    zonesGiven: v.zone !== undefined,
    address: checkAddress(v.address ?? '127.0.0.1'),
    port: checkPort(v.port ?? '1053'),
    backend: backend as Parsed['backend'],
    dryRun: v['dry-run'] ?? false,
    reload: !(v['no-reload'] ?? false) && v.root === undefined,
    root: v.root ?? '/',
  };
}

/** The command line again, for "run it with sudo": the same node and script, so sudo's PATH does not matter. */
function sudoCommand(argv: string[]): string {
  const q = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replaceAll("'", "'\\''")}'`);
  return ['sudo', process.execPath, process.argv[1] ?? 'clusterdns', 'resolver', ...argv].map(q).join(' ');
}

function showPlan(out: string[], p: Plan, dry: boolean): void {
  const w = dry ? 'would write' : 'wrote';
  for (const [file, content] of p.write) out.push(`${w} ${file}:`, ...content.replace(/\n$/, '').split('\n').map((l) => `    ${l}`));
  for (const file of p.remove) out.push(`${dry ? 'would remove' : 'removed'} ${file}`);
  for (const file of p.unchanged) out.push(`unchanged ${file}`);
}

function runReload(cmd: string[], out: string[], err: string[]): void {
  const r = spawnSync(cmd[0]!, cmd.slice(1), { encoding: 'utf8', timeout: 30_000 });
  if (r.error || r.status !== 0) {
    const why = r.error ? r.error.message : (r.stderr || r.stdout || `exit ${r.status}`).trim().split('\n')[0];
    err.push(`warning: \`${cmd.join(' ')}\` failed (${why}); the files are in place: run it (or restart the resolver) yourself`);
  } else {
    out.push(`ran: ${cmd.join(' ')}`);
  }
}

function failWrite(e: WriteError, p: Parsed, argv: string[]): string {
  const where = e.dir ? ` (${e.dir} is not writable: ${e.code})` : '';
  if (e.code === 'EACCES' || e.code === 'EPERM') {
    return `cannot change ${e.file}: permission denied${where}; nothing was changed. This needs root: run it with sudo:\n  ${sudoCommand(argv)}`;
  }
  if (e.code === 'EROFS') {
    return `cannot change ${e.file}: read-only file system${where}; nothing was changed.${p.root !== '/' ? ` Give a writable --root (now ${p.root}).` : ''}`;
  }
  return `cannot change ${e.file}: ${e.message}; nothing was changed`;
}

async function run(p: Parsed, argv: string[], out: string[], err: string[]): Promise<number> {
  let name: BackendName;
  if (p.backend === 'auto') {
    const d = detectBackend(p.root, process.env.CLUSTERDNS_PLATFORM || process.platform);
    if ('error' in d) { err.push(d.error); return 1; }
    name = d.backend;
    out.push(`backend: ${name} (detected: ${d.why})`);
  } else {
    out.push(`backend: ${p.backend}`);
    name = p.backend;
  }
  if (name === 'windows') {
    const { script, notes } = windowsScript(p.action, { zones: p.action === 'uninstall' && !p.zonesGiven ? [] : p.zones, address: p.address, port: p.port });
    out.push(`run in PowerShell (as administrator):`, ...script.replace(/\n$/, '').split('\n').map((l) => `    ${l}`));
    for (const n of notes) (n.startsWith('warning:') ? err : out).push(n);
    return 0;
  }
  const b = FILE_BACKENDS[name];
  const inst = readInstalled(b, p.root);

  if (p.action === 'status') {
    if (inst.ours.size === 0 || !inst.setup) {
      out.push(`not installed: no file of ours in ${at(p.root, b.dir)}`);
      return 1;
    }
    for (const [file, content] of inst.ours) out.push(`installed ${file}:`, ...content.replace(/\n$/, '').split('\n').map((l) => `    ${l}`));
    const s = inst.setup;
    let ok = true;
    const zones = s.zones.slice(0, 100);
    // In parallel: status takes one timeout, not one per zone, when clusterdns is down.
    const results = await Promise.all(zones.map((z) => probeSoa(s.address, s.port, z)));
    for (const [i, z] of zones.entries()) {
      const r = results[i]!;
      ok &&= r.ok;
      out.push(`${z}: ${s.address.includes(':') ? `[${s.address}]` : s.address}:${s.port} SOA ${z}.: ${r.ok ? 'clusterdns answers' : 'NOT answering'} (${r.message})`);
    }
    if (!ok) err.push(`a zone is not answered: start clusterdns with --listen ${s.address.includes(':') ? `[${s.address}]` : s.address}:${s.port} and --zone for each`);
    return ok ? 0 : 1;
  }

  let want: Setup;
  if (p.action === 'install') {
    want = { zones: p.zones, address: p.address, port: p.port };
  } else {
    const left = p.zonesGiven ? (inst.setup?.zones ?? []).filter((z) => !p.zones.includes(z)) : [];
    want = { zones: left, address: inst.setup?.address ?? p.address, port: inst.setup?.port ?? p.port };
  }
  const pl = plan(b, p.root, want, inst);
  if (pl.blocked.length > 0) {
    err.push(...pl.blocked.map((f) => `${f} exists and was not written by clusterdns (no marker line): not replacing it; move it away or choose another --zone`));
    return 1;
  }
  const changes = pl.write.size + pl.remove.length;
  if (!p.dryRun && changes > 0) {
    try {
      execute(pl);
    } catch (e) {
      if (e instanceof WriteError) { err.push(failWrite(e, p, argv)); return 1; }
      throw e;
    }
  }
  showPlan(out, pl, p.dryRun);
  if (changes === 0) out.push(p.action === 'install' ? 'already installed: nothing to change' : 'nothing of ours installed: nothing to remove');
  if (p.action === 'uninstall') {
    for (const f of inst.foreign) out.push(`left alone ${f} (not written by clusterdns)`);
  }
  if (b.reload && changes > 0) {
    if (p.dryRun || !p.reload) out.push(`${p.dryRun ? 'would run' : 'then run'}: ${b.reload.join(' ')}`);
    else runReload(b.reload, out, err);
  }
  if (p.action === 'install') for (const n of b.notes(want)) (n.startsWith('warning:') ? err : out).push(n);
  return 0;
}

/** `clusterdns resolver …` (argv without the word "resolver"); returns the exit status. */
export async function resolverMain(argv: string[]): Promise<number> {
  let p;
  try {
    p = parse(argv);
  } catch (e) {
    if (e instanceof ResolverUsageError) {
      process.stderr.write(`clusterdns resolver: ${e.message}\nRun 'clusterdns resolver --help' for the flags.\n`);
      return 2;
    }
    throw e;
  }
  if (p === 'help') { await writeOut(process.stdout, RESOLVER_HELP); return 0; }
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(p, argv, out, err);
  if (out.length > 0) await writeOut(process.stdout, `${out.join('\n')}\n`);
  if (err.length > 0) process.stderr.write(err.map((l) => `clusterdns resolver: ${l}\n`).join(''));
  return code;
}
