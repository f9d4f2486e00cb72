// Lines for stderr, written in batches after the current turn of the event loop, so that a query flood does not
// stall the server on a slow reader (stderr to a pipe is synchronous on Linux). Past MAX_BUFFERED bytes waiting,
// lines are dropped and counted; the count is written once the backlog is gone.
const MAX_BUFFERED = 4 * 1024 * 1024;

export class LineWriter {
  private lines: string[] = [];
  private bytes = 0;
  private dropped = 0;
  private scheduled = false;

  constructor(private readonly out: (s: string) => void = (s) => { process.stderr.write(s); }) {}

  write(line: string): void {
    if (this.bytes + line.length > MAX_BUFFERED) {
      this.dropped++;
      return;
    }
    this.lines.push(line);
    this.bytes += line.length + 1;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  flush(): void {
    this.scheduled = false;
    if (this.lines.length === 0) return;
    let text = `${this.lines.join('\n')}\n`;
    if (this.dropped > 0) text += `[WARNING] plugin/log: ${this.dropped} query log lines dropped (stderr did not keep up)\n`;
    this.lines = [];
    this.bytes = 0;
    this.dropped = 0;
    try {
      this.out(text);
    } catch {
      // stderr gone (EPIPE): nothing to log to
    }
  }
}

/** one writer for the process, shared by every log and errors plugin */
export const STDERR_LINES = new LineWriter();
