// @ts-check
import node from '@astrojs/node';
import { URL } from 'node:url';
import { defineConfig } from 'astro/config';

/**
 * The Node adapter, built with our entry (src/server.ts: its standalone server, asking the disk only for the client
 * folder's own files, not for every page). Pages are rendered to one string, not streamed: the middleware holds every
 * HTML page whole anyway (the page cache, gzip), and streaming cost a page its chunks' encoding and a ReadableStream.
 */
function nodeServer() {
  const adapter = node({ mode: 'standalone', experimentalDisableStreaming: true });
  const configDone = adapter.hooks['astro:config:done'];
  return {
    ...adapter,
    hooks: {
      ...adapter.hooks,
      /** @param {Parameters<NonNullable<typeof configDone>>[0]} params */
      'astro:config:done': (params) =>
        configDone?.({
          ...params,
          setAdapter: (a) => params.setAdapter({ ...a, serverEntrypoint: new URL('./src/server.ts', import.meta.url) }),
        }),
    },
  };
}

// Server-rendered on Node: every page is HTML from the server, no client JavaScript needed to read.
export default defineConfig({
  output: 'server',
  adapter: nodeServer(),
  server: { host: '127.0.0.1', port: 4321 },
  // Astro's own check compares Origin with a URL it builds without the port unless every host is listed at build
  // time; src/lib/session.ts checks Origin against the request's Host and a CSRF token instead.
  security: { checkOrigin: false },
  // Every page carries its stylesheet inline: the Content-Security-Policy (src/middleware.ts) allows no external
  // sheet, and a weak connection is spared a request. By default Astro inlines only sheets under 4 kB, so one more
  // rule in Base.astro would silently turn into a blocked <link> and an unstyled page.
  build: { inlineStylesheets: 'always' },
});
