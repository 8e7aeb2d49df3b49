// @ts-check
import node from '@astrojs/node';
import { defineConfig } from 'astro/config';

// Server-rendered on Node: every page is HTML from the server, no client JavaScript needed to read.
export default defineConfig({
  output: 'server',
  adapter: node({ mode: 'standalone' }),
  server: { host: '127.0.0.1', port: 4321 },
  // Astro's own check compares Origin with a URL it builds without the port unless every host is listed at build
  // time; src/lib/session.ts checks Origin against the request's Host and a CSRF token instead.
  security: { checkOrigin: false },
  // Every page carries its stylesheet inline: the Content-Security-Policy (src/middleware.ts) allows no external
  // sheet, and a weak connection is spared a request. By default Astro inlines only sheets under 4 kB, so one more
  // rule in Base.astro would silently turn into a blocked <link> and an unstyled page.
  build: { inlineStylesheets: 'always' },
});
