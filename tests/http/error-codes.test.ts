// One registry of error codes: every code the API can put in `errors[].extensions.code` is in API_ERROR_CODES
// (api/src/errors.ts) or the ledger's LedgerErrorCode, and in the docs' table; a code typed into a new `sendError` or
// `apiError` without joining the registry fails here. The CLI maps errors through the same registry, so its report
// carries the code rather than INTERNAL_SERVER_ERROR.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { API_ERROR_CODES, apiError, toGraphQLError } from '@mingbai/api/errors';
import { LedgerError } from '@mingbai/db/ledger/errors';
import { ERROR_GROUPS, IMPORT_PROBLEM_CODES } from '../../portal/src/lib/docs/errors.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const read = (path: string) => readFileSync(join(root, path), 'utf8');

/** Literal members of a TypeScript union type `name` in a source file. */
function unionMembers(source: string, name: string): string[] {
  // Comments go first: a `;` in a member's doc comment would end the type early.
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|\s)\/\/.*$/gm, '$1');
  const body = new RegExp(`type ${name} =([^;]*);`).exec(code)?.[1];
  if (!body) throw new Error(`type ${name} not found`);
  return [...body.matchAll(/'([A-Z_]+)'/g)].map((m) => m[1]!);
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .map((f) => join(dir, f));
}

/** SCREAMING_SNAKE string literals in a file, but those that name a reason (`reason: '…'`), not a code. */
function codeLiterals(source: string): string[] {
  return [...source.matchAll(/(reason:\s*)?'([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)'/g)].filter((m) => !m[1]).map((m) => m[2]!);
}

/** Literals in api/src that look like codes and are not error codes. */
const NOT_CODES = [
  /^ERR_/, // Node's own error codes, read, never sent
  /^CSV_/, // csv-parse's error codes, read, never sent
  /^PERSISTED_QUERY_NOT_SUPPORTED$/, // Apollo's code when APQ is switched off; this server never switches it off
  /^(NOT_SUBMITTED|OVERDUE_SUBMISSION|OVERDUE_REVIEW)$/, // TownReviewMonth.state values (api/src/review/)
];

/** The workbench's month states (api/src/committee/workbench.service.ts): values of a field, never an error. */
const workbenchStates = new Set(unionMembers(read('api/src/committee/workbench.service.ts'), 'WorkbenchState'));

const registry = new Set<string>([
  ...API_ERROR_CODES,
  ...unionMembers(read('db/src/ledger/errors.ts'), 'LedgerErrorCode'),
]);
const importCodes = new Set([
  ...unionMembers(read('api/src/imports/parse/types.ts'), 'ParseErrorCode'),
  ...unionMembers(read('api/src/imports/parse/types.ts'), 'ImportErrorCode'),
]);

/** `pnpm verify`'s findings (api/src/verify/): a report of the public files, never an API error. */
const verifyCodes = new Set([
  ...unionMembers(read('api/src/verify/chain.ts'), 'ProblemCode'),
  ...unionMembers(read('api/src/verify/checkpoints.ts'), 'CheckpointProblemCode'),
]);

describe('the registry of error codes', () => {
  it("holds every code used in api/src (import problems and the verifier's findings in their own lists)", () => {
    const missing: string[] = [];
    for (const file of sourceFiles('api/src')) {
      // Settings are named like codes: config.ts reads only environment variables.
      if (file === join('api', 'src', 'config.ts')) continue;
      const inImports = relative(join(root, 'api/src'), join(root, file)).startsWith('imports');
      const inVerify = relative(join(root, 'api/src'), join(root, file)).startsWith('verify');
      for (const code of codeLiterals(read(file))) {
        if (NOT_CODES.some((pattern) => pattern.test(code))) continue;
        if (file === join('api', 'src', 'committee', 'workbench.service.ts') && workbenchStates.has(code)) continue;
        if (registry.has(code) || (inImports && importCodes.has(code)) || (inVerify && verifyCodes.has(code))) continue;
        missing.push(`${file}: ${code}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('is documented, code by code, in the docs table', () => {
    const documented = new Set(ERROR_GROUPS.flatMap((g) => g.codes.map((c) => c.code)));
    expect([...registry].filter((code) => !documented.has(code))).toEqual([]);
    const importDocumented = new Set(IMPORT_PROBLEM_CODES.map((c) => c.code));
    expect([...importCodes].filter((code) => !importDocumented.has(code))).toEqual([]);
  });

  it('documents no code the API never sends', () => {
    const documented = ERROR_GROUPS.flatMap((g) => g.codes.map((c) => c.code));
    expect(documented.filter((code) => !registry.has(code))).toEqual([]);
  });
});

describe('toGraphQLError (the CLI report and the GraphQL edge)', () => {
  it('keeps the code of a ledger rule, of a coded API error and of an error that carries a registry code', () => {
    const ledger = toGraphQLError(new LedgerError('PERIOD_NOT_OPEN', '2025年6月已公开', { year: 2025 }));
    expect(ledger.extensions).toEqual({ code: 'PERIOD_NOT_OPEN', year: 2025 });
    expect(ledger.message).toBe('2025年6月已公开');
    expect(toGraphQLError(apiError('FORBIDDEN', '没有权限')).extensions.code).toBe('FORBIDDEN');
    const tagged = toGraphQLError(Object.assign(new Error('no user nobody'), { code: 'NOT_FOUND' }));
    expect(tagged.extensions.code).toBe('NOT_FOUND');
  });

  it('hides anything else behind INTERNAL_SERVER_ERROR, a driver code included', () => {
    expect(toGraphQLError(new Error('boom')).extensions.code).toBe('INTERNAL_SERVER_ERROR');
    expect(toGraphQLError(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' })).extensions.code).toBe(
      'INTERNAL_SERVER_ERROR',
    );
    expect(toGraphQLError(Object.assign(new Error('dup'), { code: '23505' })).extensions.code).toBe(
      'INTERNAL_SERVER_ERROR',
    );
  });
});
