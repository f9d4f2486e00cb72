// Reading a file a user names (Corefile, import, resolv.conf, hosts, fixtures) without letting the file decide how long
// or how much: a FIFO or a device given by mistake would block a plain read forever (on the event loop for the sync
// readers, on a libuv pool thread for the async ones), and a file that grows between stat and read would be read whole.
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';

const CHUNK = 64 * 1024;

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

/** The file's UTF-8 text, at most maxBytes, read synchronously (for start-up and Corefile parsing). */
export function readTextFileSync(path: string, maxBytes: number): string {
  const fd = openSync(path, FLAGS);
  try {
    const st = fstatSync(fd);
    refuseKind(st.isFile(), st.isDirectory());
    if (st.size > maxBytes) throw tooBig(st.size, maxBytes);
    const loop = reading(maxBytes);
    let step = loop.next();
    while (!step.done) step = loop.next(readSync(fd, step.value.chunk, 0, step.value.chunk.length, step.value.at));
    return step.value;
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
    const loop = reading(maxBytes);
    let step = loop.next();
    while (!step.done) step = loop.next((await fh.read(step.value.chunk, 0, step.value.chunk.length, step.value.at)).bytesRead);
    return step.value;
  } finally {
    await fh.close();
  }
}

/**
 * The read loop both readers drive: yields the buffer to fill and its file offset, takes back the bytes read (0 at
 * the end). The cap holds on what is read, not on what fstat said: the file may grow meanwhile. One 64 KiB buffer is
 * reused and decoded as it goes: a buffer the size of the file (a fixture of a few MiB, a hundred of them at start-up)
 * is off-heap memory that malloc keeps after it is freed, which put 60 MB on the resident size of a large load.
 */
function* reading(maxBytes: number): Generator<{ chunk: Buffer; at: number }, string, number> {
  const chunk = Buffer.allocUnsafe(CHUNK);
  const decoder = new StringDecoder('utf8');
  let text = '';
  let total = 0;
  for (;;) {
    const n = yield { chunk, at: total };
    if (n === 0) break;
    total += n;
    if (total > maxBytes) throw tooBig(total, maxBytes);
    text += decoder.write(chunk.subarray(0, n));
  }
  return text + decoder.end();
}
