// Reading a file a user names (Corefile, import, resolv.conf, hosts, fixtures) without letting the file decide how long
// or how much: a FIFO or a device given by mistake would block a plain read forever (on the event loop for the sync
// readers, on a libuv pool thread for the async ones), and a file that grows between stat and read would be read whole.
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';

// O_NONBLOCK makes open() of a FIFO return at once instead of waiting for a writer; regular files ignore it.
const FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

/** Why a file was refused, in words for the error message that names the file. */
export class TextFileError extends Error {
  constructor(message: string, readonly code?: string) {
    super(message);
    this.name = 'TextFileError';
  }
}

function refuseKind(isFile: boolean, isDirectory: boolean): void {
  if (isDirectory) throw new TextFileError('it is a folder, not a file', 'EISDIR');
  if (!isFile) throw new TextFileError('it is not a regular file (a FIFO, socket or device would never end)', 'ENOTREG');
}

const tooBig = (size: number, max: number) => new TextFileError(`it is ${size} bytes; at most ${max} are read`, 'EFBIG');

function decode(buf: Buffer): string {
  return buf.toString('utf8');
}

/** The file's UTF-8 text, at most maxBytes, read synchronously (for start-up and Corefile parsing). */
export function readTextFileSync(path: string, maxBytes: number): string {
  const fd = openSync(path, FLAGS);
  try {
    const st = fstatSync(fd);
    refuseKind(st.isFile(), st.isDirectory());
    if (st.size > maxBytes) throw tooBig(st.size, maxBytes);
    const loop = reading(st.size, maxBytes);
    let step = loop.next();
    while (!step.done) step = loop.next(readSync(fd, step.value.chunk, 0, step.value.chunk.length, step.value.at));
    return decode(step.value);
  } finally {
    closeSync(fd);
  }
}

/** The file's UTF-8 text, at most maxBytes, read off the event loop. */
export async function readTextFile(path: string, maxBytes: number): Promise<string> {
  const fh = await open(path, FLAGS);
  try {
    const st = await fh.stat();
    refuseKind(st.isFile(), st.isDirectory());
    if (st.size > maxBytes) throw tooBig(st.size, maxBytes);
    const loop = reading(st.size, maxBytes);
    let step = loop.next();
    while (!step.done) step = loop.next((await fh.read(step.value.chunk, 0, step.value.chunk.length, step.value.at)).bytesRead);
    return decode(step.value);
  } finally {
    await fh.close();
  }
}

/**
 * The read loop both readers drive: yields each buffer to fill and its file offset, takes back the bytes read (0 at
 * the end). The cap holds on what is read, not on what fstat said: the file may grow meanwhile.
 */
function* reading(size: number, maxBytes: number): Generator<{ chunk: Buffer; at: number }, Buffer, number> {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    // One read for a file whose size fstat told, one byte over to see growth; then 64 KiB steps, 8 MiB at most.
    const chunk = Buffer.allocUnsafe(Math.min(Math.max(size + 1 - total, 64 * 1024), 8 * 1024 * 1024));
    const n = yield { chunk, at: total };
    if (n === 0) break;
    total += n;
    if (total > maxBytes) throw tooBig(total, maxBytes);
    chunks.push(chunk.subarray(0, n));
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}
