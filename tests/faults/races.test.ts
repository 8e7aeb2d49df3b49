// Races the committee can cause: two uploads into the same month at once, and an upload racing the month's
// publication. Whatever the timing, the end state is the state of one of the serial orders, computed here by running
// each order on villages of its own.
import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { queryRows } from '@mingbai/db/client';
import { verifyVillageChain } from '@mingbai/db/ledger/verify';
import { useTestApi } from '../support/api.ts';
import { approveForPublication, aVillage } from '../support/builders.ts';
import { aUser, TEST_PASSWORD } from '../support/users.ts';
import { IMPORT, PUBLISH, SUBMIT, ledgerFile } from './harness.ts';

const t = useTestApi();
const ROUNDS = 2;
const LINES = 300;
const YEAR = 2025;
const MONTH = 3;

async function committee() {
  const village = await aVillage(t.handle.db);
  const accountant = await aUser(t.handle.db, ['accountant', village.slug]);
  const director = await aUser(t.handle.db, ['director', village.slug]);
  return {
    village,
    accountant: t.api.as(await t.api.login(accountant, TEST_PASSWORD)),
    director: t.api.as(await t.api.login(director, TEST_PASSWORD)),
  };
}
type Committee = Awaited<ReturnType<typeof committee>>;

const upload = (c: Committee, file: Buffer, name: string) =>
  c.accountant<{ importLedger: { status: string; problems: { code: string }[] } }>(IMPORT, {
    v: c.village.slug,
    f: name,
    c: file.toString('base64'),
  });
/** An upload into a month already submitted or published is refused with one of these codes, never another error. */
const MONTH_CLOSED = ['MONTH_SUBMITTED', 'MONTH_PUBLISHED', 'PERIOD_NOT_OPEN'];
const refusal = (r: Awaited<ReturnType<typeof upload>>) =>
  r.data?.importLedger.status === 'REJECTED'
    ? r.data.importLedger.problems.map((p) => p.code).join(',')
    : r.errors?.[0]?.extensions?.code;

const submitAndPublish = async (c: Committee) => {
  const args = { v: c.village.slug, y: YEAR, m: MONTH };
  const submitted = await c.accountant(SUBMIT, args);
  if (submitted.errors) return submitted;
  await approveForPublication(t.handle.db, { villageId: c.village.id, year: YEAR, month: MONTH });
  return c.director(PUBLISH, args);
};

/** The month as the public and the committee would compare it: periods, every voucher and line, the files kept. */
async function snapshot(villageId: number): Promise<string> {
  const periods = await queryRows<{ revision: number; status: string }>(
    t.handle.db,
    sql`select revision, status from periods where village_id = ${villageId} and year = ${YEAR} and month = ${MONTH}
        order by revision`,
  );
  const lines = await queryRows<{ line: string }>(
    t.handle.db,
    sql`select concat_ws('|', v.revision, v.number, v.date, v.summary, v.attachments, l.line_no, l.account_code,
                         l.side, l.amount_fen, l.counterparty_name, l.payment_method) as line
          from vouchers v join voucher_lines l on l.village_id = v.village_id and l.voucher_id = v.id
         where v.village_id = ${villageId} and v.year = ${YEAR} and v.month = ${MONTH}
         order by v.revision, v.number, l.line_no`,
  );
  const files = await queryRows<{ sha256: string }>(
    t.handle.db,
    sql`select sha256 from imported_files where village_id = ${villageId} order by sha256`,
  );
  const digest = createHash('sha256')
    .update(lines.map((l) => l.line).join('\n'))
    .digest('hex');
  return JSON.stringify({ periods, lines: lines.length, digest, files: files.map((f) => f.sha256) });
}

describe('two uploads into the same month at once', () => {
  it(`ends as one of the two serial orders, ${ROUNDS} times`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const a = ledgerFile(LINES, YEAR, MONTH, 100 + round);
      const b = ledgerFile(LINES + 200, YEAR, MONTH, 200 + round);
      const expected: string[] = [];
      for (const order of [
        [a, b],
        [b, a],
      ]) {
        const c = await committee();
        for (const [i, file] of order.entries()) {
          const r = await upload(c, file!, `serial-${i}.csv`);
          expect(r.data?.importLedger.status, r.text).toBe('COMMITTED');
        }
        expected.push(await snapshot(c.village.id));
      }
      expect(expected[0]).not.toEqual(expected[1]);

      const c = await committee();
      const [ra, rb] = await Promise.all([upload(c, a, 'a.csv'), upload(c, b, 'b.csv')]);
      expect(ra.data?.importLedger.status, ra.text).toBe('COMMITTED');
      expect(rb.data?.importLedger.status, rb.text).toBe('COMMITTED');
      expect(expected).toContain(await snapshot(c.village.id));
    }
  }, 240_000);
});

describe('an upload racing the publication of the month', () => {
  it(`publishes either the month before the upload or with it, never a mix, ${ROUNDS} times`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const a = ledgerFile(LINES, YEAR, MONTH, 300 + round);
      const b = ledgerFile(LINES + 200, YEAR, MONTH, 400 + round);
      // Serial orders: the upload lands before the submission (B is published), or after it and is refused (A is).
      const expected = new Map<string, 'COMMITTED' | 'refused'>();
      for (const uploadFirst of [true, false]) {
        const c = await committee();
        expect((await upload(c, a, 'a.csv')).data?.importLedger.status).toBe('COMMITTED');
        if (uploadFirst) expect((await upload(c, b, 'b.csv')).data?.importLedger.status).toBe('COMMITTED');
        const published = await submitAndPublish(c);
        expect(published.errors, published.text).toBeUndefined();
        if (!uploadFirst) {
          const late = await upload(c, b, 'b.csv');
          expect(MONTH_CLOSED, late.text).toContain(refusal(late));
        }
        expected.set(await snapshot(c.village.id), uploadFirst ? 'COMMITTED' : 'refused');
      }
      expect(expected.size).toBe(2);

      const c = await committee();
      expect((await upload(c, a, 'a.csv')).data?.importLedger.status).toBe('COMMITTED');
      const [racing, published] = await Promise.all([upload(c, b, 'b.csv'), submitAndPublish(c)]);
      const state = await snapshot(c.village.id);
      expect([...expected.keys()], `round ${round}: ${state}\n${racing.text}\n${published.text}`).toContain(state);
      // The upload's answer tells the truth about what happened.
      const outcome = expected.get(state);
      if (outcome === 'COMMITTED') expect(racing.data?.importLedger.status).toBe('COMMITTED');
      else expect(MONTH_CLOSED, racing.text).toContain(refusal(racing));
      // And the month that was published is sealed correctly.
      expect((await verifyVillageChain(t.handle.db, c.village.id)).ok).toBe(true);
    }
  }, 240_000);
});
