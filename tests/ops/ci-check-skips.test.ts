// CI's PostgreSQL pass fails when a test skipped itself there (.ci/check-skips.mjs over Vitest's JSON report).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'mingbai-check-skips-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function check(results: { file: string; tests: [string, string][] }[]): { status: number | null; output: string } {
  const report = {
    numTotalTests: results.reduce((n, r) => n + r.tests.length, 0),
    testResults: results.map((r) => ({
      name: join(root, r.file),
      assertionResults: r.tests.map(([fullName, status]) => ({ fullName, status })),
    })),
  };
  const path = join(dir, `report-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, JSON.stringify(report));
  const run = spawnSync(process.execPath, ['.ci/check-skips.mjs', path], { cwd: root, encoding: 'utf8' });
  return { status: run.status, output: run.stdout + run.stderr };
}

describe('.ci/check-skips.mjs', () => {
  it('passes a report in which every test ran', () => {
    const run = check([{ file: 'tests/a.test.ts', tests: [['a runs', 'passed']] }]);
    expect(run.status, run.output).toBe(0);
  });

  it('fails on a PostgreSQL-only or fault test that skipped itself, naming it', () => {
    const run = check([
      { file: 'tests/a.test.ts', tests: [['a runs', 'passed']] },
      {
        file: 'tests/faults/pg-restart.test.ts',
        tests: [['PostgreSQL restarts under load recovers by itself', 'skipped']],
      },
      { file: 'tests/b.test.ts', tests: [['b is still to do', 'todo']] },
    ]);
    expect(run.status).toBe(1);
    expect(run.output).toContain('tests/faults/pg-restart.test.ts > PostgreSQL restarts under load recovers by itself');
    expect(run.output).toContain('tests/b.test.ts > b is still to do');
  });

  it('fails on a report with no test files at all', () => {
    expect(check([]).status).toBe(1);
  });
});
