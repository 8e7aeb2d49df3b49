// The operator CLI as a test runs it: the command of the root package.json's `cli` script, against the test run's
// PostgreSQL database (PGlite serves one process, so CLI tests run only on a server).
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { inject } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);

/** Runs `pnpm cli …` as the root package.json's `cli` script does; its JSON report, and whether it failed. */
export async function cli(...args: string[]): Promise<{ failed: boolean; report: Record<string, unknown> }> {
  const scripts = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: { cli: string } };
  const [, ...flags] = scripts.scripts.cli.split(/\s+/);
  try {
    const { stdout } = await run(process.execPath, [...flags, ...args], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: inject('databaseUrl') },
    });
    return { failed: false, report: JSON.parse(stdout) as Record<string, unknown> };
  } catch (error) {
    const stdout = (error as { stdout?: string }).stdout ?? '{}';
    return { failed: true, report: JSON.parse(stdout) as Record<string, unknown> };
  }
}
