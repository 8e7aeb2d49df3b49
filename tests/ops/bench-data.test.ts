// `pnpm bench:data --scale tiny` into its own database on the PostgreSQL server: the rows obey the ledger's rules,
// every digest chain verifies (a 50,000-line month included), the public API reconciles a month, and two runs with the
// same seed store the same chain heads.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import postgres from 'postgres';
import { openDb, type DbHandle } from '@mingbai/db/client';
import { verifyVillageChain } from '@mingbai/db/ledger/verify';
import { loadScaleData, targetUrl, type LoadSummary } from '../../bench/data/load.ts';
import { SCALES } from '../../bench/data/scales.ts';
import { startTestApi, type TestApi } from '../support/api.ts';

const databaseUrl = inject('databaseUrl');
const database = `mingbai_bench_test_${process.pid}`;

describe.skipIf(!databaseUrl)(
  'bench:data --scale tiny (needs DATABASE_URL: COPY runs on a PostgreSQL server only)',
  () => {
    let first: LoadSummary;
    let handle: DbHandle;
    let api: TestApi;

    beforeAll(async () => {
      first = await loadScaleData({ databaseUrl: databaseUrl!, database, scale: SCALES.tiny!, seed: 7 });
      handle = await openDb({ databaseUrl: targetUrl(databaseUrl!, database).url, poolSize: 4 });
      api = await startTestApi(handle.db);
    });

    afterAll(async () => {
      await api?.close();
      await handle?.close();
      const admin = postgres(databaseUrl!, { max: 1, onnotice: () => {} });
      await admin`drop database if exists ${admin(database)} with (force)`;
      await admin.end();
    });

    it('loads 10 villages × 24 published months, one of them with 50,000 lines', () => {
      expect(first.rows).toMatchObject({ villages: 10, periods: 240, regions: 4 });
      expect(first.rows.vouchers).toBeGreaterThan(8_000);
      expect(first.rows.voucher_lines).toBeGreaterThan(first.rows.vouchers! * 2);
      expect(first.bigMonths).toHaveLength(1);
      expect(first.bigMonths[0]!.lines).toBe(50_000);
    });

    it('balances every voucher and stores the counts publishing would', async () => {
      const sql = postgres(targetUrl(databaseUrl!, database).url, { max: 1 });
      try {
        const [unbalanced] = await sql`
        select count(*)::int as n from (
          select village_id, voucher_id from voucher_lines group by 1, 2
          having sum(case when side = 'debit' then amount_fen else -amount_fen end) <> 0 or count(*) < 2) x`;
        expect(unbalanced!.n).toBe(0);
        const [counts] = await sql`
        select count(*)::int as n from periods p
         where p.status <> 'published'
            or p.voucher_count <> (select count(*) from vouchers v where v.village_id = p.village_id
                                     and v.year = p.year and v.month = p.month and v.revision = p.revision)
            or p.line_count <> (select count(*) from vouchers v join voucher_lines l
                                   on l.village_id = v.village_id and l.voucher_id = v.id
                                where v.village_id = p.village_id and v.year = p.year and v.month = p.month
                                  and v.revision = p.revision)`;
        expect(counts!.n).toBe(0);
        // Persons never appear unmasked in public columns.
        const [leaks] = await sql`
        select count(*)::int as n from voucher_lines
         where counterparty_is_person and (counterparty_public = counterparty_name
                                           or position(counterparty_name in coalesce(summary_public, '')) > 0)`;
        expect(leaks!.n).toBe(0);
      } finally {
        await sql.end();
      }
    });

    it('verifies the digest chain of every village', async () => {
      const villages = await handle.db.query.villages.findMany({ columns: { id: true, slug: true } });
      expect(villages.length).toBeGreaterThan(0);
      for (const v of villages) {
        const report = await verifyVillageChain(handle.db, v.id);
        expect({ slug: v.slug, ok: report.ok, checked: report.checked }).toEqual({
          slug: v.slug,
          ok: true,
          checked: 24,
        });
      }
    });

    it('reconciles the 50,000-line month and a year-end month through the public API', async () => {
      const big = first.bigMonths[0]!;
      for (const [year, month] of [
        [big.year, big.month],
        [2025, 1],
        [2026, 1],
      ] as const) {
        const res = await api.query<{
          village: { statement: { reconciled: boolean; reconciliation: { difference: { fen: string } } } };
        }>(
          `query ($slug: String!, $y: Int!, $m: Int!) { village(slug: $slug) { statement(year: $y, month: $m) {
           reconciled reconciliation { difference { fen } } } } }`,
          { slug: big.slug, y: year, m: month },
        );
        expect(res.errors).toBeUndefined();
        expect(res.data!.village.statement).toEqual({ reconciled: true, reconciliation: { difference: { fen: '0' } } });
      }
    });

    it('gives the same chain heads when run again with the same seed', async () => {
      const other = `${database}_again`;
      try {
        const again = await loadScaleData({ databaseUrl: databaseUrl!, database: other, scale: SCALES.tiny!, seed: 7 });
        expect(again.chainHeadsDigest).toBe(first.chainHeadsDigest);
        expect(again.rows).toEqual(first.rows);
      } finally {
        const admin = postgres(databaseUrl!, { max: 1, onnotice: () => {} });
        await admin`drop database if exists ${admin(other)} with (force)`;
        await admin.end();
      }
    });
  },
);
