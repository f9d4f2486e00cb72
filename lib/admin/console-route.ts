// The web console: GET / (the page) and GET /console/FILE (its ES modules, CSS and icon), shipped as plain files in
// the package's console/ folder, so there is no build step and nothing comes from a CDN.
//
// A tiny route rather than @fastify/static: the console is a dozen known files (~70 KB). They are read once, on the
// first request, into memory with a content-hash ETag; a URL only picks a name from that list, so no path from a URL
// ever reaches the filesystem (no traversal, symlink or dotfile rules to get right), and nothing is added to the
// admin app's start-up. The files are not content-hashed in their names, so every response says "no-cache": the
// browser keeps them and revalidates with If-None-Match, a 304 on loopback, and an upgraded server is seen at once.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PACKAGE_ROOT } from '../package-root.js';

export const CONSOLE_DIR = path.join(PACKAGE_ROOT, 'console');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/**
 * Only the page's own origin: no inline script or style (the page sets styles through the CSSOM, which CSP allows),
 * no eval, no frames around it (clickjacking of the fault and object buttons), no form posting elsewhere.
 */
export const CONSOLE_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
  + "form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

interface Asset { body: Buffer; type: string; etag: string }

function loadAssets(dir: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  if (!existsSync(dir)) return assets;
  for (const name of readdirSync(dir)) {
    const type = TYPES[path.extname(name)];
    if (!type || name.startsWith('.')) continue;
    const body = readFileSync(path.join(dir, name));
    assets.set(name, { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` });
  }
  return assets;
}

export function registerConsoleRoutes(app: FastifyInstance, dir = CONSOLE_DIR): void {
  let assets: Map<string, Asset> | undefined;
  const send = (req: FastifyRequest, reply: FastifyReply, name: string) => {
    assets ??= loadAssets(dir);
    const a = assets.get(name);
    if (!a) {
      return reply.code(404).send({ error: 'Not Found', message: name === 'index.html' ? `the console's files are missing from ${dir}: reinstall the package` : `no console file "${name}"` });
    }
    reply.header('cache-control', 'no-cache').header('etag', a.etag)
      .header('x-content-type-options', 'nosniff').header('referrer-policy', 'no-referrer')
      .header('content-security-policy', CONSOLE_CSP);
    if (req.headers['if-none-match'] === a.etag) return reply.code(304).send();
    return reply.type(a.type).send(a.body);
  };
  app.get('/', { schema: { hide: true } }, (req, reply) => send(req, reply, 'index.html'));
  app.get<{ Params: { file: string } }>('/console/:file', { schema: { hide: true } }, (req, reply) => send(req, reply, req.params.file));
}
