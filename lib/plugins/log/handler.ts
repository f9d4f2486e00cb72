// The log plugin: one line per answered query, in CoreDNS's format, to stderr (CoreDNS writes them to stdout, which
// clusterdns keeps for its serving line and --ready-file -). The first rule whose name covers the query decides,
// and its classes filter (success, denial, error, all: plugin/pkg/response's classification).
import type { Next, Plugin, QueryEvent, Reply, Request } from '../../plugin/handler.js';
import { formatLine, type CompiledFormat } from './format.js';
import { STDERR_LINES, type LineWriter } from './writer.js';
import { inZone } from '../../dns/names.js';

export type LogClass = 'success' | 'denial' | 'error' | 'all';

export interface LogRule {
  /** lower case, no trailing dot; '' = every name */
  name: string;
  format: CompiledFormat;
  classes: ReadonlySet<LogClass>;
}

const covers = (zone: string, lname: string): boolean => inZone(lname, zone);

/** response.Classify: NOERROR with answers (or a delegation) is success, NXDOMAIN and NODATA denial, the rest error */
export function classify(e: QueryEvent): LogClass {
  if (e.rcode === 0) return e.answers > 0 ? 'success' : 'denial';
  if (e.rcode === 3) return 'denial';
  return 'error';
}

export class LogPlugin implements Plugin {
  readonly name = 'log';

  constructor(private readonly rules: readonly LogRule[], private readonly out: LineWriter = STDERR_LINES) {}

  serveDNS(req: Request, next: Next): Reply | Promise<Reply> {
    return next(req);
  }

  onQuery(e: QueryEvent): void {
    if (e.rcode < 0) return; // nothing was written: CoreDNS's recorder logs nothing either
    const lname = e.question.name.toLowerCase().replace(/\.$/, '');
    for (const r of this.rules) {
      if (!covers(r.name, lname)) continue;
      if (r.classes.has('all') || r.classes.has(classify(e))) {
        this.out.write(`[INFO] ${formatLine(r.format, e, lname === '' ? '.' : `${lname}.`, performance.now())}`);
      }
      return;
    }
  }
}
