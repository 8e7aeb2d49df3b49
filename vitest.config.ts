import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

// graphql 16 has no exports map: without the alias Vite and Node load two copies and TypeGraphQL's scalars break.
const apiRequire = createRequire(new URL('./api/package.json', import.meta.url));

export default defineConfig({
  resolve: { alias: [{ find: /^graphql$/, replacement: apiRequire.resolve('graphql') }] },
  test: {
    include: ['{api,db,tests}/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'tests/soak/**'], // the soak runs for minutes: `pnpm test:soak`
    globalSetup: ['tests/support/global-setup.ts'],
    setupFiles: ['tests/support/setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    pool: 'forks',
    // Two cores: more workers only queue on the database.
    maxWorkers: 2,
  },
});
