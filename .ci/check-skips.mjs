// The PostgreSQL pass of CI runs every test. A PostgreSQL-only or fault test that skips itself (no DATABASE_URL
// reaching it, no PostgreSQL binaries for a throwaway cluster, a beforeAll that failed) would otherwise pass CI
// silently. Reads Vitest's JSON report and fails on any test that did not run, unless it is listed as opt-in below.
//   node .ci/check-skips.mjs report.json
/* global process, console */
import { readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Tests that run only when asked, by file and full name (the README's "Tests" section lists them). The soak
 * (`pnpm test:soak`) is not here: `pnpm test` never collects it.
 */
export const OPT_IN = [];

/** Every test of the report that did not run, as "file > full name", less the opt-in ones. */
export function unexpectedSkips(report, root = process.cwd(), optIn = OPT_IN) {
  const allowed = new Set(optIn);
  return report.testResults.flatMap((file) =>
    file.assertionResults
      .filter((test) => test.status !== 'passed' && test.status !== 'failed')
      .map((test) => `${relative(root, file.name)} > ${test.fullName} (${test.status})`)
      .filter((line) => !allowed.has(line.replace(/ \([a-z]+\)$/, ''))),
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const report = JSON.parse(readFileSync(process.argv[2], 'utf8'));
  const skipped = unexpectedSkips(report);
  if (report.testResults.length === 0) {
    console.error('check-skips: the report lists no test files');
    process.exit(1);
  }
  if (skipped.length > 0) {
    console.error(
      `check-skips: ${skipped.length} test(s) did not run in the PostgreSQL pass:\n  ${skipped.join('\n  ')}`,
    );
    console.error('Make them run here, or list them as opt-in in .ci/check-skips.mjs and in the README.');
    process.exit(1);
  }
  console.log(`check-skips: every test ran (${report.numTotalTests} tests in ${report.testResults.length} files)`);
}
