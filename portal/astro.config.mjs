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
});
