import path from 'node:path';
import { ROOT } from './cli.js';

export const BUNDLED_FIXTURES_DIR = path.join(ROOT, 'fixtures');

/** A loopback TCP port nothing listens on (bound, then closed). */
export async function freePort(): Promise<number> {
  const net = await import('node:net');
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}
