// `clusterdns explain NAME [--type T] [--namespace NS] [--ndots N] [--admin URL] [--json]`: asks a running
// server's admin API (GET /api/v1/explain), like `clusterdns health` asks its /health, and prints the answer and
// why. Exit 0 when DNS answers with records (with --namespace: when the pod's search-path walk reaches an answer),
// 1 when it does not (NXDOMAIN, NODATA, an error rcode, no reply), 2 for a usage error or when the admin API
// cannot be asked.
import { parseArgs } from 'node:util';
import type { Explanation } from '../lib/admin/explain-types.js';

const TIMEOUT_MS = 10_000;

export const EXPLAIN_HELP = `Usage: clusterdns explain NAME [--type T] [--namespace NS] [--ndots N] [--admin URL] [--json]

Asks a running clusterdns (its admin API) what DNS answers NAME and why: the object and rule behind each
record, and for NXDOMAIN/NODATA the near misses. With --namespace, the search-path walk a pod there makes.
Exit 0 when DNS answers with records (with --namespace: when the walk does), 1 when not, 2 on errors.

  --type T             query type [A]
  --namespace NS       the asking pod's namespace: show its search-path walk (NAME may then be relative: "web")
  --ndots N            the pod's ndots [5]
  --admin URL          the server's admin API [http://127.0.0.1:8053]; HOST:PORT works too
  --admin-token TOKEN  when the admin API requires it for reads [env CLUSTERDNS_ADMIN_TOKEN]
  --json               print the JSON the API returns
`;

function adminUrl(s: string): URL {
  const withScheme = /^https?:\/\//i.test(s) ? s : `http://${s}`;
  let u: URL;
  try {
    u = new URL(withScheme);
  } catch {
    throw new Error(`--admin ${s}: expected a URL (http://127.0.0.1:8053) or HOST:PORT`);
  }
  return u;
}

export function formatExplanation(e: Explanation): string {
  const lines: string[] = [`${e.name} ${e.type}: ${e.rcode}${e.aa ? ' (authoritative)' : ''}${e.note ? `; ${e.note}` : ''}`];
  for (const [title, rrs] of [['answer', e.answer], ['authority', e.authority], ['additional', e.additional]] as const) {
    if (rrs.length === 0) continue;
    lines.push(`${title}:`);
    for (const rr of rrs) lines.push(`  ${rr.text.replace(/\t/g, ' ')}`, `      ${rr.source ? `${rr.source}: ` : ''}${rr.rule}`);
  }
  if (e.search) {
    lines.push(`search-path walk of a pod in ${e.search.namespace} (ndots ${e.search.ndots}, search ${e.search.search.join(' ')}):`);
    for (const s of e.search.walk) lines.push(`  ${s.name} ${s.rcode}${s.answers ? ` (${s.answers} answer${s.answers > 1 ? 's' : ''})` : ''}${s.stop ? '  <- stops here' : ''}`);
  }
  if (e.nearMisses.length > 0) {
    lines.push('why / near misses:');
    for (const m of e.nearMisses) lines.push(`  [${m.kind}] ${m.message}`);
    if (e.nearMissesLeftOut) lines.push(`  (${e.nearMissesLeftOut} more left out)`);
  }
  return `${lines.join('\n')}\n`;
}

export async function explainMain(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: { type: { type: 'string' }, namespace: { type: 'string' }, ndots: { type: 'string' }, admin: { type: 'string' }, 'admin-token': { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true, strict: true,
    });
  } catch (err) {
    process.stderr.write(`clusterdns explain: ${(err as Error).message.replace(/\. To specify a positional argument.*$/s, '')}\n${EXPLAIN_HELP}`);
    return 2;
  }
  const { values: v, positionals } = parsed;
  if (v.help) { process.stdout.write(EXPLAIN_HELP); return 0; }
  if (positionals.length !== 1) {
    process.stderr.write(`clusterdns explain: ${positionals.length === 0 ? 'give the NAME to explain' : `one NAME at a time (got ${positionals.length})`}\n${EXPLAIN_HELP}`);
    return 2;
  }
  let base: URL;
  try {
    base = adminUrl(v.admin ?? '127.0.0.1:8053');
  } catch (err) {
    process.stderr.write(`clusterdns explain: ${(err as Error).message}\n`);
    return 2;
  }
  const url = new URL('/api/v1/explain', base);
  url.searchParams.set('name', positionals[0]);
  if (v.type !== undefined) url.searchParams.set('type', v.type);
  if (v.namespace !== undefined) url.searchParams.set('namespace', v.namespace);
  if (v.ndots !== undefined) url.searchParams.set('ndots', v.ndots);
  const token = v['admin-token'] ?? env.CLUSTERDNS_ADMIN_TOKEN;
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS), headers: token ? { authorization: `Bearer ${token}` } : {} });
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    process.stderr.write(`clusterdns explain: ${url.origin}: ${e.cause?.code ?? e.name}: ${e.cause?.message ?? e.message} (is the server running with --admin ${base.host}?)\n`);
    return 2;
  }
  const text = await res.text();
  if (!res.ok) {
    let message = text.slice(0, 500);
    try { message = (JSON.parse(text) as { message: string }).message; } catch { /* not JSON: print it as is */ }
    process.stderr.write(`clusterdns explain: ${res.status}: ${message}\n`);
    return 2;
  }
  const e = JSON.parse(text) as Explanation;
  process.stdout.write(v.json ? `${JSON.stringify(e, null, 2)}\n` : formatExplanation(e));
  return (e.rcode === 'NOERROR' && e.answer.length > 0) || e.search?.resolvedAs !== undefined ? 0 : 1;
}
