// Issue 12, item 2: a small xlsx that unzips to 190 MB froze the API. Uploads are read in a worker thread with a
// memory cap, the worksheet as a stream with bounds, and a process runs a bounded number of imports at once.
import { sql } from 'drizzle-orm';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, type Db } from '@mingbai/db/client';
import { importLimits, importSlots } from '@mingbai/api/imports/import-slots';
import { hugeUnpackedXlsx } from '../fixtures/hostile/make-hostile.ts';
import { useTestApi } from '../support/api.ts';
import { aVillage } from '../support/builders.ts';
import { aUser, TEST_PASSWORD } from '../support/users.ts';

const t = useTestApi();
const defaults = { ...importLimits };
afterEach(() => Object.assign(importLimits, defaults));

const IMPORT = `mutation ($v: String!, $f: String!, $c: String!, $dry: Boolean!) {
  importLedger(villageSlug: $v, filename: $f, contentBase64: $c, year: 2025, month: 6, dryRun: $dry) {
    status problems { row column code message }
  }
}`;

interface Report {
  status: string;
  problems: { row: number | null; column: string | null; code: string; message: string }[];
}

let hostile = '';
beforeAll(async () => {
  const { bytes, unzippedBytes } = await hugeUnpackedXlsx();
  // The file of the report: under a megabyte, 190 MB unzipped, under every size limit.
  expect(bytes.byteLength).toBeLessThan(1024 * 1024);
  expect(unzippedBytes).toBeGreaterThan(180 * 1024 * 1024);
  hostile = Buffer.from(bytes).toString('base64');
}, 60_000);

/** Every row of the village's ledger tables, for "changes nothing". */
async function ledgerOf(db: Db, villageId: number): Promise<string> {
  const rows = await queryRows<{ t: string }>(
    db,
    sql`select 'p' || count(*) as t from periods where village_id = ${villageId}
        union all select 'v' || count(*) from vouchers where village_id = ${villageId}
        union all select 'f' || count(*) from imported_files where village_id = ${villageId}
        union all select 'a' || count(*) from audit_log where village_id = ${villageId}`,
  );
  return rows.map((r) => r.t).join(' ');
}

async function accountant(slug: string) {
  const user = await aUser(t.handle.db, ['accountant', slug]);
  return t.api.as(await t.api.login(user, TEST_PASSWORD));
}

describe('a small xlsx that unzips to 190 MB', () => {
  it('is refused with a code while the API keeps answering { __typename }, and changes nothing', async () => {
    // Setup
    const village = await aVillage(t.handle.db, '解压村');
    const as = await accountant(village.slug);
    const before = await ledgerOf(t.handle.db, village.id);

    // Action: the upload, and light queries one after another until it is answered.
    let importDone = false;
    let answeredDuring = 0;
    const upload = as<{ importLedger: Report }>(IMPORT, { v: village.slug, f: 'huge.xlsx', c: hostile, dry: false });
    void upload.finally(() => (importDone = true));
    while (!importDone) {
      const res = await t.api.query<{ __typename: string }>('{ __typename }');
      expect(res.data).toEqual({ __typename: 'Query' });
      if (!importDone) answeredDuring++;
    }
    const res = await upload;

    // Assertions
    expect(res.errors).toBeUndefined();
    const report = res.data!.importLedger;
    expect(report.status).toBe('REJECTED');
    expect(report.problems.map((p) => p.code)).toEqual(['FILE_TOO_LARGE']);
    expect(report.problems[0]!.message).toMatch(/200,000 行/);
    expect(answeredDuring).toBeGreaterThan(0);
    expect(await ledgerOf(t.handle.db, village.id)).toBe(before);
  }, 120_000);

  it('a worker that runs out of its memory cap gives FILE_TOO_COMPLEX and changes nothing', async () => {
    // Setup: a heap too small for even the parser's own code, so the worker dies of its cap whatever the file.
    const village = await aVillage(t.handle.db, '内存村');
    const as = await accountant(village.slug);
    const before = await ledgerOf(t.handle.db, village.id);
    importLimits.workerHeapMb = 4;

    // Action
    const res = await as<{ importLedger: Report }>(IMPORT, {
      v: village.slug,
      f: 'huge.xlsx',
      c: hostile,
      dry: false,
    });

    // Assertions
    expect(res.errors).toBeUndefined();
    expect(res.data!.importLedger.status).toBe('REJECTED');
    expect(res.data!.importLedger.problems.map((p) => p.code)).toEqual(['FILE_TOO_COMPLEX']);
    expect(res.data!.importLedger.problems[0]!.message).toMatch(/[\u4e00-\u9fff]/);
    expect(await ledgerOf(t.handle.db, village.id)).toBe(before);
  }, 120_000);
});

describe('imports at once in one process', () => {
  it('queue up to the bound, then are refused with IMPORT_BUSY, HTTP 503 and Retry-After', async () => {
    // Setup: one import at a time, none waiting.
    const village = await aVillage(t.handle.db, '排队村');
    const user = await aUser(t.handle.db, ['accountant', village.slug]);
    const token = await t.api.login(user, TEST_PASSWORD);
    importLimits.concurrency = 1;
    importLimits.queue = 0;
    const body = JSON.stringify({
      query: IMPORT,
      variables: { v: village.slug, f: 'huge.xlsx', c: hostile, dry: true },
    });
    const post = () =>
      fetch(t.api.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body,
      });

    // Action: the first holds the only slot; the second arrives while it does.
    const first = post();
    while (importSlots.running === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    const second = await post();
    const firstResponse = await first;

    // Assertions
    expect(second.status).toBe(503);
    expect(second.headers.get('retry-after')).toBe(String(importLimits.retryAfterSeconds));
    const refused = (await second.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(refused.errors[0]!.extensions.code).toBe('IMPORT_BUSY');
    expect(refused.errors[0]!.message).toMatch(/[\u4e00-\u9fff]/);
    expect(firstResponse.status).toBe(200);
    const done = (await firstResponse.json()) as { data: { importLedger: Report } };
    expect(done.data.importLedger.problems.map((p) => p.code)).toEqual(['FILE_TOO_LARGE']);
    expect(importSlots.running).toBe(0);
  }, 120_000);
});
