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
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(chunkSize(st.size, total));
      const n = readSync(fd, chunk, 0, chunk.length, total);
      if (n === 0) break;
      total += n;
      // The file may grow between fstat and read: the cap holds on what is read, not on what fstat said.
      if (total > maxBytes) throw tooBig(total, maxBytes);
      chunks.push(chunk.subarray(0, n));
    }
    return decode(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
  } finally {
    closeSync(fd);
  }
}

/** One read for a file whose size fstat told, one byte over to see growth; then 64 KiB steps, 8 MiB at most. */
function chunkSize(size: number, read: number): number {
  return Math.min(Math.max(size + 1 - read, 64 * 1024), 8 * 1024 * 1024);
}

/** The file's UTF-8 text, at most maxBytes, read off the event loop. */
export async function readTextFile(path: string, maxBytes: number): Promise<string> {
  const fh = await open(path, FLAGS);
  try {
    const st = await fh.stat();
    refuseKind(st.isFile(), st.isDirectory());
    if (st.size > maxBytes) throw tooBig(st.size, maxBytes);
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(chunkSize(st.size, total));
      const { bytesRead } = await fh.read(chunk, 0, chunk.length, total);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > maxBytes) throw tooBig(total, maxBytes);
      chunks.push(chunk.subarray(0, bytesRead));
    }
    return decode(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
  } finally {
    await fh.close();
  }
}
