// What says a watched file changed: inode, size and mtime. A rename over the file (how editors and `kubectl`-style
// writers save) changes the inode even when size and mtime look the same; undefined when the file is gone.
import { stat } from 'node:fs/promises';

export async function fileSignature(file: string): Promise<string | undefined> {
  try {
    const st = await stat(file);
    return `${st.ino}:${st.size}:${st.mtimeMs}`;
  } catch {
    return undefined;
  }
}
