/**
 * The built server's entry (astro.config.mjs puts it in place of @astrojs/node's, same exports): the Node adapter's
 * standalone server, except that a request goes through the adapter's static-file handler only when its path names a
 * file or folder of the build's client folder. The adapter asks the disk first for every request (an lstat, then
 * `send`'s stat, both failing for every page), about 0.4 ms of CPU a page under load (issue 19's profile,
 * bench/README.md). The client folder is fixed at build time (public/ and Astro's assets), so it is listed once here.
 */
import { readdirSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SSRManifest } from 'astro';
import { createExports as adapterExports } from '@astrojs/node/server.js';

type Options = Parameters<typeof adapterExports>[1];

export function createExports(manifest: SSRManifest, options: Options): ReturnType<typeof adapterExports> {
  return adapterExports(manifest, options);
}

export function start(manifest: SSRManifest, options: Options): void {
  if (options.mode !== 'standalone' || process.env.ASTRO_NODE_AUTOSTART === 'disabled') return;
  const rejectionLoggers = new Set(process.listeners('unhandledRejection'));
  // The adapter's own server and handler (static files, then pages), and its handler of pages alone (its middleware
  // mode: the same page handler, answering 500 itself should a page throw).
  const adapter = adapterExports(manifest, options);
  const pages = adapterExports(manifest, { ...options, mode: 'middleware' }).handler;
  const { server } = adapter.startServer();
  // Each handler made above logs unhandled rejections; one is enough.
  for (const extra of process.listeners('unhandledRejection').filter((l) => !rejectionLoggers.has(l)).slice(1))
    process.off('unhandledRejection', extra);
  const files = clientPaths(options.client);
  const stock = server.server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  server.server.removeAllListeners('request');
  server.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (isClientPath(req.url ?? '/', files)) {
      for (const listener of stock) listener(req, res);
      return;
    }
    // As the adapter's standalone handler does before anything else.
    try {
      decodeURI(req.url ?? '/');
    } catch {
      res.writeHead(400);
      res.end('Bad request.');
      return;
    }
    void pages(req, res);
  });
}

/**
 * Every file under the client folder as a URL path (`/committee-redact.js`), and every folder holding an index.html
 * (the adapter answers `/a` and `/a/` with `/a/index.html`). The portal has no `base`: paths start at `/`.
 */
function clientPaths(client: string): Set<string> {
  const root = client.startsWith('file:') ? fileURLToPath(client) : client;
  const paths = new Set<string>();
  let entries: string[] = [];
  try {
    entries = readdirSync(root, { recursive: true, encoding: 'utf8' });
  } catch {
    return paths; // no client folder: nothing static to serve
  }
  for (const entry of entries) {
    if (statSync(join(root, entry)).isDirectory()) continue;
    const path = '/' + entry.split(sep).join('/');
    paths.add(path);
    if (path.endsWith('/index.html')) {
      const folder = path.slice(0, -'index.html'.length);
      paths.add(folder);
      if (folder !== '/') paths.add(folder.slice(0, -1));
    }
  }
  return paths;
}

/**
 * Whether the adapter's static-file handler could answer this address: its path (without query or fragment, raw or
 * %-decoded, as `send` decodes it) is a file or folder of the client folder. Anything else is a page, or a 404 the
 * pages answer, exactly as when the adapter's lookup finds nothing.
 */
export function isClientPath(url: string, paths: Set<string>): boolean {
  const path = url.split(/[?#]/, 1)[0]!;
  if (paths.has(path)) return true;
  try {
    return paths.has(decodeURIComponent(path));
  } catch {
    return true; // malformed: let the adapter answer it as it always has
  }
}
