// @ts-check
import node from '@astrojs/node';
import { defineConfig } from 'astro/config';

// Server-rendered on Node: every page is HTML from the server, no client JavaScript needed to read.
export default defineConfig({
  output: 'server',
  adapter: node({ mode: 'standalone' }),
  server: { host: '127.0.0.1', port: 4321 },
});
