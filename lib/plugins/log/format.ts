// CoreDNS's log line placeholders (plugin/pkg/replacer), compiled once per format into parts, filled per query.
// The default is CoreDNS's {common}:
//   {remote}:{port} - {>id} "{type} {class} {name} {proto} {size} {>do} {>bufsize}" {rcode} {>rflags} {rsize} {duration}
import type { QueryEvent } from '../../plugin/handler.js';
import { typeName } from '../../dns/records.js';

export const COMMON_FORMAT = '{remote}:{port} - {>id} "{type} {class} {name} {proto} {size} {>do} {>bufsize}" {rcode} {>rflags} {rsize} {duration}';
export const COMBINED_FORMAT = `${COMMON_FORMAT} "{>opcode}"`;
/** a custom format longer than this is refused */
export const MAX_FORMAT = 1024;

/** miekg/dns RcodeToString, which CoreDNS prints */
const RCODES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED', 'YXDOMAIN', 'YXRRSET', 'NXRRSET', 'NOTAUTH', 'NOTZONE'];
const rcodeText = (r: number): string => RCODES[r] ?? (r === 16 ? 'BADSIG' : String(r));

/** the response flags CoreDNS lists ({>rflags}), in its order */
const FLAGS: [number, string][] = [[0x8000, 'qr'], [0x0400, 'aa'], [0x0200, 'tc'], [0x0100, 'rd'], [0x0080, 'ra'], [0x0040, 'z'], [0x0020, 'ad'], [0x0010, 'cd']];

export function flagsText(flags: number): string {
  if (flags < 0) return '-';
  const out: string[] = [];
  for (const [bit, name] of FLAGS) if (flags & bit) out.push(name);
  return out.join(',');
}

/** Go's strconv.FormatFloat(seconds, 'f', -1, 64) + "s", at nanosecond resolution */
export function durationText(ms: number): string {
  const s = (Math.max(0, Math.round(ms * 1e6)) / 1e9).toFixed(9).replace(/0+$/, '').replace(/\.$/, '');
  return `${s}s`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number) => String(n).padStart(2, '0');

/** {when}: Go's "02/Jan/2006:15:04:05 -0700" */
function whenText(d: Date): string {
  const off = -d.getTimezoneOffset();
  const sign = off >= 0 ? '+' : '-';
  const tz = `${sign}${pad(Math.floor(Math.abs(off) / 60))}${pad(Math.abs(off) % 60)}`;
  return `${pad(d.getDate())}/${MONTHS[d.getMonth()]}/${d.getFullYear()}:${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())} ${tz}`;
}

type Filler = (e: QueryEvent, name: string, now: number) => string;

const FILLERS: Record<string, Filler> = {
  '{type}': (e) => typeName(e.question.type),
  '{name}': (_e, name) => name,
  '{class}': () => 'IN',
  '{proto}': (e) => e.transport,
  '{when}': () => whenText(new Date()),
  '{remote}': (e) => (e.client.includes(':') ? `[${e.client}]` : e.client || '-'),
  '{port}': (e) => String(e.port),
  '{size}': (e) => String(e.requestSize),
  '{duration}': (e, _n, now) => durationText(now - e.start),
  '{rcode}': (e) => (e.rcode < 0 ? '-' : rcodeText(e.rcode)),
  '{rsize}': (e) => String(e.responseSize),
  '{>rflags}': (e) => flagsText(e.flags),
  // CoreDNS's request.Size(): 65535 over TCP, else the EDNS size (at least 512), else 512
  '{>bufsize}': (e) => String(e.transport === 'tcp' ? 65535 : e.bufsize > 0 ? Math.max(512, e.bufsize) : 512),
  '{>do}': (e) => String(e.do),
  '{>id}': (e) => String(e.id),
  '{>opcode}': (e) => String(e.flags < 0 ? 0 : (e.flags >> 11) & 0xf),
};

export type CompiledFormat = (string | Filler)[];

/** A format's parts; an unknown placeholder stays as written, as CoreDNS's replacer leaves it. */
export function compileFormat(format: string): CompiledFormat {
  const f = format.replaceAll('{common}', COMMON_FORMAT).replaceAll('{combined}', COMBINED_FORMAT);
  const parts: CompiledFormat = [];
  let text = '';
  let i = 0;
  while (i < f.length) {
    if (f[i] === '{') {
      const end = f.indexOf('}', i);
      const filler = end > 0 ? FILLERS[f.slice(i, end + 1)] : undefined;
      if (filler) {
        if (text) parts.push(text);
        text = '';
        parts.push(filler);
        i = end + 1;
        continue;
      }
    }
    text += f[i];
    i++;
  }
  if (text) parts.push(text);
  return parts;
}

export function formatLine(parts: CompiledFormat, e: QueryEvent, name: string, now: number): string {
  let out = '';
  for (const p of parts) out += typeof p === 'string' ? p : p(e, name, now);
  return out;
}
