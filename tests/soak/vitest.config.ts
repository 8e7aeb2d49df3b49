// `pnpm test:soak`: the long soak, apart from the default run (vitest.config.ts excludes tests/soak). It makes its own
// database, so it needs no global setup. SOAK_MINUTES shortens it (default 10).
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const apiRequire = createRequire(new URL('../../api/package.json', import.meta.url));

export default defineConfig({
  resolve: { alias: [{ find: /^graphql$/, replacement: apiRequire.resolve('graphql') }] },
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['tests/soak/**/*.test.ts'],
    setupFiles: ['tests/support/setup.ts'],
    testTimeout: 60 * 60_000,
    hookTimeout: 300_000,
    pool: 'forks',
    maxWorkers: 1,
  },
});
