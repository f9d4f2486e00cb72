// stdout and stderr may be pipes whose reader has gone (`clusterdns records | head -1`, a log shipper that died, a
// supervisor that closed our stdout). Node ignores SIGPIPE, so each write then fails with EPIPE, reported as an
// 'error' event that nobody listens to: an uncaught exception and a stack on the way out. A server must not fall
// over because nobody reads its output; like other Unix tools it stops writing there and carries on.

type Stream = NodeJS.WriteStream;

const closed = new WeakSet<Stream>();

/** What a stream whose reader went away reports (EPIPE; ECONNRESET when it is a socket; EBADF when closed). */
export function isBrokenPipe(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return code === 'EPIPE' || code === 'ECONNRESET' || code === 'EBADF' || code === 'ERR_STREAM_DESTROYED';
}

/**
 * Watches stdout and stderr for a reader that went away: from then on writes to that stream are dropped. Other
 * errors (disk full on a redirected file) are not the reader leaving: they are rethrown as before.
 * `onClosed` is told once per stream.
 */
export function guardStdio(onClosed?: (name: 'stdout' | 'stderr', err: NodeJS.ErrnoException) => void): void {
  for (const [name, s] of [['stdout', process.stdout], ['stderr', process.stderr]] as const) {
    s.on('error', (err: NodeJS.ErrnoException) => {
      if (!isBrokenPipe(err)) throw err;
      if (closed.has(s)) return;
      closed.add(s);
      onClosed?.(name, err);
    });
  }
}

export function isClosed(s: Stream): boolean {
  return closed.has(s) || s.destroyed;
}

/** Writes text unless the stream's reader is gone; resolves once the stream has taken it (or dropped it). */
export function writeOut(s: Stream, text: string): Promise<boolean> {
  if (isClosed(s)) return Promise.resolve(false);
  return new Promise((resolve) => {
    s.write(text, (err) => resolve(!err));
  });
}

/**
 * Writes lines in chunks, waiting for 'drain' between them, and stops at the first chunk the reader refused: a
 * listing of 150,000 pods is not built into one string and queued whole behind a reader that has left.
 * Resolves true when everything was written, false when the reader went away.
 */
export async function writeLines(s: Stream, lines: Iterable<string>, chunkBytes = 64 * 1024): Promise<boolean> {
  let buf = '';
  for (const line of lines) {
    buf += line;
    if (buf.length < chunkBytes) continue;
    if (!(await writeChunk(s, buf))) return false;
    buf = '';
  }
  return buf.length === 0 ? !isClosed(s) : writeChunk(s, buf);
}

function writeChunk(s: Stream, text: string): Promise<boolean> {
  if (isClosed(s)) return Promise.resolve(false);
  return new Promise((resolve) => {
    let settled = false;
    const done = (ok: boolean) => {
      if (settled) return;
      settled = true;
      s.off('drain', onDrain);
      resolve(ok);
    };
    const onDrain = () => done(true);
    const more = s.write(text, (err) => { if (err) done(false); else if (more) done(true); });
    if (!more) s.once('drain', onDrain);
  });
}
