// The errors plugin: a line for each query answered SERVFAIL, in CoreDNS's format
//   [ERROR] plugin/errors: 2 NAME. TYPE: ERROR
// CoreDNS prints the error a plugin returned (an upstream's i/o timeout, ...); clusterdns's plugins return replies,
// not errors, so ERROR says which plugin answered SERVFAIL. `consolidate` patterns count matching lines instead and
// print "N errors like 'PATTERN' occurred in last DURATION" once per period, as CoreDNS does.
import type { Next, Plugin, QueryEvent, Reply, Request } from '../../plugin/handler.js';
import { typeName } from '../../dns/records.js';
import { STDERR_LINES, type LineWriter } from '../log/writer.js';

export interface Consolidation {
  seconds: number;
  pattern: RegExp;
  source: string;
  level: 'warning' | 'error' | 'info' | 'debug';
  showFirst: boolean;
}

/** Go's time.Duration.String() for whole and fractional seconds: 5m0s, 30s, 1h0m0s, 500ms */
export function goDuration(seconds: number): string {
  if (seconds < 1) return `${Math.round(seconds * 1000)}ms`;
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = +(seconds % 60).toFixed(9);
  return h > 0 ? `${h}h${m}m${s}s` : m > 0 ? `${m}m${s}s` : `${s}s`;
}

export function errorText(e: QueryEvent): string {
  if (e.plugin === '') return 'no next plugin found';
  if (e.plugin === 'fault') return 'a fault injected through the admin API';
  return `plugin/${e.plugin}: answered SERVFAIL`;
}

export class ErrorsPlugin implements Plugin {
  readonly name = 'errors';
  private readonly counts: number[];
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(private readonly consolidate: readonly Consolidation[], private readonly out: LineWriter = STDERR_LINES) {
    this.counts = consolidate.map(() => 0);
    consolidate.forEach((c, i) => {
      const t = setInterval(() => {
        const n = this.counts[i]!;
        this.counts[i] = 0;
        if (n > 0) this.out.write(`[${c.level.toUpperCase()}] plugin/errors: ${n} errors like '${c.source}' occurred in last ${goDuration(c.seconds)}`);
      }, c.seconds * 1000);
      t.unref();
      this.timers.push(t);
    });
  }

  serveDNS(req: Request, next: Next): Reply | Promise<Reply> {
    return next(req);
  }

  onQuery(e: QueryEvent): void {
    if (e.rcode !== 2) return;
    const name = e.question.name.toLowerCase().replace(/\.$/, '');
    const err = errorText(e);
    const line = `${e.rcode} ${name === '' ? '.' : `${name}.`} ${typeName(e.question.type)}: ${err}`;
    for (let i = 0; i < this.consolidate.length; i++) {
      const c = this.consolidate[i]!;
      // The line is short (a name of at most 255 bytes): the pattern's running time is bounded by it.
      if (c.pattern.test(err)) {
        if (this.counts[i]!++ === 0 && c.showFirst) this.out.write(`[${c.level.toUpperCase()}] plugin/errors: ${line}`);
        return;
      }
    }
    this.out.write(`[ERROR] plugin/errors: ${line}`);
  }

  close(): void {
    for (const t of this.timers) clearInterval(t);
  }
}
