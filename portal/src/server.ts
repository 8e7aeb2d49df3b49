/**
 * The built server's entry (astro.config.mjs puts it in place of @astrojs/node's, same exports): the Node adapter's
 * standalone server, except that a request goes through the adapter's static-file handler only when its path names a
 * file or folder of the build's client folder. The adapter asks the disk first for every request (an lstat, then
 * `send`'s stat, both failing for every page), about 0.4 ms of CPU a page under load (issue 19's profile,
 * bench/README.md). The client folder is fixed at build time (public/ and Astro's assets), so it is listed once here.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SSRManifest } from 'astro';
import { createExports as adapterExports } from '@astrojs/node/server.js';
import { clientPaths, isClientPath } from './lib/client-files.ts';

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
  for (const extra of process
    .listeners('unhandledRejection')
    .filter((l) => !rejectionLoggers.has(l))
    .slice(1))
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
