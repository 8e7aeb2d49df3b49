import { createRequire } from 'node:module';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

// graphql 16 has no exports map: without the alias Vite and Node load two copies and TypeGraphQL's scalars break.
const apiRequire = createRequire(new URL('./api/package.json', import.meta.url));

/**
 * Test files whose outcome cannot depend on the database engine of the run, so one pass runs them: they never open
 * the run's database (pure modules, a stub API), or always use the same engine whatever the run's is (start: PGlite;
 * faults, bench-data, backup-restore: PostgreSQL of their own, or they skip without a server), or the database is
 * only where their subject (the HTTP edge, the portal, the browser) reads its data from, by queries other files check
 * on both engines. `pnpm test` runs everything; `pnpm test:engine` (CI's PGlite pass) leaves these out. A new file
 * runs on both engines until it is listed here; tests/README.md says how to choose.
 */
export const ENGINE_INDEPENDENT = [
  'api/src/**/*.test.ts',
  'db/src/**/*.test.ts',
  'tests/attachments/pool.test.ts',
  'tests/browser/**',
  'tests/committee/cli-review.test.ts',
  'tests/committee/cli-users.test.ts',
  'tests/committee/login-throttle.test.ts',
  'tests/faults/api-down.test.ts',
  'tests/faults/commit-drop.test.ts',
  'tests/faults/copy-paused-socket.test.ts',
  'tests/faults/data-and-api-load.test.ts',
  'tests/faults/kill-import.test.ts',
  'tests/faults/lost-transaction.test.ts',
  'tests/faults/pg-restart.test.ts',
  'tests/faults/portal-pg-restart.test.ts',
  'tests/faults/query-timeout-cancel.test.ts',
  'tests/faults/query-watchdog.test.ts',
  'tests/http/api-limits.test.ts',
  'tests/http/coded-errors.test.ts',
  'tests/http/error-codes.test.ts',
  'tests/http/graphql-over-http.test.ts',
  'tests/http/portal-limits.test.ts',
  'tests/http/public-origin.test.ts',
  'tests/http/web-security.test.ts',
  'tests/imports/huge-files.test.ts',
  'tests/imports/memory.test.ts',
  'tests/opendata/fragments.test.ts',
  'tests/public-api/executors.test.ts',
  'tests/questions/cli.test.ts',
  'tests/shared/marks.test.ts',
  'tests/shared/shared-state.test.ts',
  'tests/verify/checkpoint-daily.test.ts',
  'tests/verify/digest-example.test.ts',
  'tests/ops/**',
  'tests/portal/**',
];

/**
 * Files of half a minute or more though short. Until Vitest has timed a file (a fresh checkout, as in CI) it starts
 * the longest files first by size, so one of these would start last and run alone while the other worker idles: they
 * start first instead. Once Vitest has timings of its own (node_modules/.vite), its order holds: failed, then slowest.
 */
const SLOW_UNTIMED = [
  // Slowest first, as CI timed them (bd358f7, both passes): 25–66 s each. Files of a process of their own still
  // come before the shared ones (below), so this orders each group.
  'tests/browser/widths.test.ts',
  'tests/ops/backup-restore.test.ts',
  'tests/committee/permissions.test.ts',
  'tests/opendata/scale.test.ts',
  'tests/verify/checkpoints.test.ts',
  'tests/ops/start.test.ts',
  'tests/ops/backup-key.test.ts',
  'tests/imports/isolation.test.ts',
  'tests/browser/villager.test.ts',
  'tests/verify/checkpoint-daily.test.ts',
  'tests/faults/pg-restart.test.ts',
  'tests/http/hostile-api.test.ts',
  'tests/faults/races.test.ts',
  'tests/faults/kill-import.test.ts',
];

const root = fileURLToPath(new URL('.', import.meta.url));

class SlowFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (file: TestSpecification) => {
      const path = relative(root, file.moduleId);
      const timed = this.ctx.cache.getFileTestResults(`${file.project.name}:${path}`);
      const at = SLOW_UNTIMED.indexOf(path);
      return timed || at < 0 ? SLOW_UNTIMED.length : at;
    };
    // The files of a process of their own first (most of the slowest are), so that the shared workers, once
    // started, meet only files that can share them (Vitest ends a shared worker when the next file cannot).
    const own = (file: TestSpecification) => (file.project.config.isolate ? 0 : 1);
    return sorted
      .map((file, at) => ({ file, at, own: own(file), rank: rank(file) }))
      .sort((a, b) => a.own - b.own || a.rank - b.rank || a.at - b.at)
      .map(({ file }) => file);
  }
}

/**
 * Files that need a worker process of their own: they set what the whole process shares (environment variables,
 * the open-data folder or the checkpoint key chosen once per process, the image pool's settings, PATH), or open
 * databases and clusters of their own, whose ids the API's per-process caches (chains, maskers) would mix with the
 * run's database. Every other file shares a worker with the files before it (`isolate: false`): one import of the API
 * per worker instead of one per file, on one database they all share, as one long-running API serves it: on
 * PostgreSQL the run's database, on PGlite the worker's own copy of the template (tests/support/db.ts; PGlite serves
 * one process), opened once instead of copied, opened and closed for every file.
 */
export const OWN_PROCESS = [
  'tests/attachments/**/*.test.ts',
  'tests/browser/verify-page.test.ts',
  'tests/faults/**/*.test.ts',
  'tests/http/web-security.test.ts',
  'tests/ledger/privacy-published.test.ts',
  'tests/opendata/**/*.test.ts',
  'tests/ops/**/*.test.ts',
  'tests/shared/**/*.test.ts',
  'tests/verify/**/*.test.ts',
];

export default defineConfig(({ mode }) => {
  const exclude = [
    '**/node_modules/**',
    'tests/soak/**', // the soak runs for minutes: `pnpm test:soak`
    ...(mode === 'engine' ? ENGINE_INDEPENDENT : []), // `vitest run --mode engine`: `pnpm test:engine`
  ];
  // Each project is whole (no `extends`): the root's globalSetup runs once and its values reach both.
  const project = (name: string, isolate: boolean, include: string[], more: string[]) => ({
    resolve: { alias: [{ find: /^graphql$/, replacement: apiRequire.resolve('graphql') }] },
    test: {
      name,
      include,
      exclude: [...exclude, ...more],
      setupFiles: ['tests/support/setup.ts'],
      testTimeout: 60_000,
      hookTimeout: 180_000,
      pool: 'forks' as const,
      isolate,
      provide: { sharedWorker: !isolate },
    },
  });
  return {
    test: {
      globalSetup: ['tests/support/global-setup.ts'],
      sequence: { sequencer: SlowFirst },
      // Two cores: more workers only queue on the database.
      maxWorkers: 2,
      projects: [
        project('own-process', true, OWN_PROCESS, []),
        project('shared-process', false, ['{api,db,tests}/**/*.test.ts'], OWN_PROCESS),
      ],
    },
  };
});
