// What the server does with each signal a user, a supervisor or a stray `kill` may send. Left to Node's defaults,
// SIGHUP, SIGUSR2, SIGALRM, SIGVTALRM, SIGIO, SIGPWR... end the process without a word, and SIGUSR1 opens the
// V8 inspector on 127.0.0.1:9229: code execution for any local user who can signal us. Here:
// - SIGTERM, SIGINT: stop (with the lame-duck period), as before;
// - SIGHUP, SIGUSR1: reload (CoreDNS reloads on SIGUSR1; SIGHUP is every other daemon's reload). A listener on
//   SIGUSR1 replaces Node's own handler for it, which is what keeps the inspector closed;
// - the rest that would kill us by default: ignored, with a log line saying so.
// Left alone on purpose: SIGQUIT (an operator's "core dump now"), SIGTSTP/SIGTTIN/SIGTTOU (job control),
// SIGSEGV/SIGBUS/SIGFPE/SIGILL/SIGSYS/SIGTRAP (synchronous: no JavaScript can run safely after a real one), SIGPROF (V8's CPU profiler samples
// with it: a handler would break --cpu-prof), SIGKILL/SIGSTOP (cannot be caught), and SIGPIPE: Node sets it to
// SIG_IGN at start-up, so a write to a closed pipe or a reset TCP client fails with EPIPE instead of killing us. A
// handler would turn every such write (one per hostile client that resets) into a signal and a log line; an
// explicit `kill -PIPE` is ignored silently, which is the same deliberate choice.
import os from 'node:os';

export type SignalAction = 'stop' | 'reload' | 'ignore';

export const STOP_SIGNALS = ['SIGTERM', 'SIGINT'] as const;
export const RELOAD_SIGNALS = ['SIGHUP', 'SIGUSR1'] as const;
/** Signals whose default action ends the process and that have no business doing so to a DNS server. */
export const IGNORED_SIGNALS = ['SIGUSR2', 'SIGALRM', 'SIGVTALRM', 'SIGIO', 'SIGPOLL', 'SIGPWR', 'SIGSTKFLT', 'SIGXCPU', 'SIGXFSZ', 'SIGLOST', 'SIGINFO'] as const;

export interface SignalLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface SignalHandlers {
  stop(signal: string): void;
  reload(signal: string): void;
  /** where a deliberately ignored signal is reported (once a second at most per signal: a `kill` loop is not a log flood) */
  logger: SignalLogger;
}

/** Several names share a number on some systems (SIGIO = SIGPOLL on Linux): register each number once. */
function present(names: readonly string[], seen: Set<number>): NodeJS.Signals[] {
  const table = os.constants.signals as Record<string, number | undefined>;
  const out: NodeJS.Signals[] = [];
  for (const n of names) {
    const num = table[n];
    if (num === undefined || seen.has(num)) continue;
    seen.add(num);
    out.push(n as NodeJS.Signals);
  }
  return out;
}

let installed = false;
let current: SignalHandlers | undefined;
/** signals that arrived before the server could act on them (during start-up) */
const early: string[] = [];

/**
 * Takes every signal over as early as possible (at import of the executable), before the server exists: a reload
 * asked for during start-up is done once it serves; a stop during start-up ends the process at once, as the
 * signal's default would (nothing is serving yet, and a slow first load must not make SIGTERM wait).
 */
export function takeSignals(): void {
  if (installed) return;
  const seen = new Set<number>();
  const lastLogged = new Map<string, { at: number; suppressed: number }>();
  const on = (sig: NodeJS.Signals, fn: () => void) => {
    try {
      process.on(sig, fn);
    } catch {
      // a signal this platform will not let us catch keeps its default
    }
  };
  for (const sig of present(STOP_SIGNALS, seen)) {
    on(sig, () => {
      if (current) { current.stop(sig); return; }
      process.removeAllListeners(sig);
      process.kill(process.pid, sig);
    });
  }
  for (const sig of present(RELOAD_SIGNALS, seen)) on(sig, () => (current ? current.reload(sig) : early.push(sig)));
  for (const sig of present(IGNORED_SIGNALS, seen)) {
    on(sig, () => {
      if (!current) { early.push(sig); return; }
      const now = Date.now();
      const last = lastLogged.get(sig);
      if (last && now - last.at < 1000) { last.suppressed++; return; }
      const suppressed = last?.suppressed ?? 0;
      lastLogged.set(sig, { at: now, suppressed: 0 });
      current.logger.warn({ signal: sig, ...(suppressed ? { suppressed } : {}) }, `${sig} received: ignored (clusterdns reloads on SIGHUP or SIGUSR1 and stops on SIGTERM or SIGINT)`);
    });
  }
  installed = true;
}

/** Hands signals to the running server; those that came during start-up are acted on now, in order. */
export function handleSignals(h: SignalHandlers): void {
  takeSignals();
  current = h;
  const pending = early.splice(0);
  let reloaded = false;
  for (const sig of pending) {
    if ((RELOAD_SIGNALS as readonly string[]).includes(sig)) {
      if (!reloaded) h.reload(sig); // one reload covers every request made before it
      reloaded = true;
      continue;
    }
    h.logger.warn({ signal: sig }, `${sig} received during start-up: ignored`);
  }
}

/** What each signal does, for the README and tests. */
export function signalAction(sig: string): SignalAction | 'default' {
  if ((STOP_SIGNALS as readonly string[]).includes(sig)) return 'stop';
  if ((RELOAD_SIGNALS as readonly string[]).includes(sig)) return 'reload';
  if ((IGNORED_SIGNALS as readonly string[]).includes(sig)) return 'ignore';
  return 'default';
}
