// The operator CLI as a test runs it: the command of the root package.json's `cli` script (its build step done once
// by the global setup), against the test run's PostgreSQL database (PGlite serves one process, so CLI tests run only
// on a server).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { inject } from 'vitest';
import { ROOT } from '../../scripts/lib/processes.ts';
import { cliArgs } from '../../scripts/lib/server-build.ts';

export { cliArgs };

const run = promisify(execFile);

/** Runs `pnpm cli …` as the root package.json's `cli` script does; its JSON report, and whether it failed. */
export async function cli(...args: string[]): Promise<{ failed: boolean; report: Record<string, unknown> }> {
  try {
    const { stdout } = await run(process.execPath, cliArgs(...args), {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: inject('databaseUrl') },
    });
    return { failed: false, report: JSON.parse(stdout) as Record<string, unknown> };
  } catch (error) {
    const stdout = (error as { stdout?: string }).stdout ?? '{}';
    return { failed: true, report: JSON.parse(stdout) as Record<string, unknown> };
  }
}
