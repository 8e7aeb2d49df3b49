import { randomInt } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { queryRows, type Db } from '@mingbai/db/client';
import { openPeriod, setOpeningBalances } from '@mingbai/db/ledger/periods';
import { postVouchers } from '@mingbai/db/ledger/post';
import type { LineInput, VoucherInput } from '@mingbai/db/ledger/voucher-input';
import { publishPeriod } from '@mingbai/db/ledger/publish';
import { answerFlag, reviewMonth, reviewState } from '@mingbai/db/ledger/approvals';
import { regions, villages } from '@mingbai/db/schema/regions';

let counter = 0;
let towns = new WeakMap<Db, Promise<{ id: number; tag: string }>>();

/**
 * Each test file's villages go in a town of the file's own (tests/support/setup.ts calls this as a file starts),
 * also when files share one database handle in turn (PGlite, tests/support/db.ts): rules one file sets for its town
 * never reach another file's villages.
 */
export function newTestTowns(): void {
  towns = new WeakMap();
}

/**
 * A town of this test file's own, under a district of its own, so that test villages never change the demo
 * regions' totals that other test files read at the same time.
 */
function testTown(db: Db): Promise<{ id: number; tag: string }> {
  let town = towns.get(db);
  if (!town) {
    town = (async () => {
      const [city] = await db.select().from(regions).where(eq(regions.slug, 'tianjin'));
      // Files share worker processes (vitest.config.ts), so a pid and a clock do not make a tag unique: a random one,
      // again while it is taken (the unique region code says so).
      let tag = '';
      let district: { id: number } | undefined;
      for (let attempt = 1; !district; attempt++) {
        tag = String(randomInt(0, 100_000)).padStart(5, '0');
        try {
          [district] = await db
            .insert(regions)
            .values({
              parentId: city!.id,
              level: 'district',
              code: `1299${tag}000`,
              slug: `test-district-${tag}`,
              name: `测试区${tag}`,
            })
            .returning({ id: regions.id });
        } catch (error) {
          if (attempt >= 5 || (error as { cause?: { code?: string } }).cause?.code !== '23505') throw error;
        }
      }
      const [row] = await db
        .insert(regions)
        .values({
          parentId: district.id,
          level: 'town',
          code: `1299${tag}001`,
          slug: `test-town-${tag}`,
          name: `测试镇${tag}`,
        })
        .returning({ id: regions.id });
      return { id: row!.id, tag };
    })();
    towns.set(db, town);
  }
  return town;
}

/** A new village with a unique code and slug in the test town, so tests never see each other's data. */
export async function aVillage(db: Db, name = '测试村'): Promise<{ id: number; slug: string; code: string }> {
  const town = await testTown(db);
  counter += 1;
  const slug = `test-${town.tag}-${counter}`;
  // 1299… sorts after every real Tianjin code (12xx with xx ≤ 25), so demo villages come first in lists.
  const code = `1299${town.tag}${String(counter).padStart(3, '0')}`;
  const [row] = await db
    .insert(villages)
    .values({ townId: town.id, kind: 'village', code, slug, name: `${name}${counter}` })
    .returning({ id: villages.id });
  return { id: row!.id, slug, code };
}

export const debit = (accountCode: string, amountFen: bigint | number, extra: Partial<LineInput> = {}): LineInput => ({
  accountCode,
  side: 'debit',
  amountFen: BigInt(amountFen),
  ...extra,
});
export const credit = (accountCode: string, amountFen: bigint | number, extra: Partial<LineInput> = {}): LineInput => ({
  accountCode,
  side: 'credit',
  amountFen: BigInt(amountFen),
  ...extra,
});

export function aVoucher(number: number, date: string, summary: string, ...lines: LineInput[]): VoucherInput {
  return { number, date, summary, attachments: 1, preparer: '李会计', reviewer: '王审核', approver: '赵主任', lines };
}

/** Opens, fills and (unless told otherwise) publishes a month in one transaction, as a committee would. */
export async function aMonth(
  db: Db,
  villageId: number,
  year: number,
  month: number,
  vouchers: VoucherInput[],
  options: { publish?: boolean; opening?: { accountCode: string; balanceFen: bigint }[] } = {},
): Promise<{ revision: number }> {
  return db.transaction(async (tx) => {
    if (options.opening) {
      await setOpeningBalances(tx, { villageId, year, month, actor: 'test', balances: options.opening });
    }
    const { revision } = await openPeriod(tx, { villageId, year, month, actor: 'test' });
    if (vouchers.length > 0) await postVouchers(tx, { villageId, year, month, revision, actor: 'test', vouchers });
    if (options.publish !== false) await publishPeriod(tx, { villageId, year, month, actor: 'test-director' });
    return { revision };
  });
}

/**
 * What a submitted month needs before publishMonth accepts it: a supervisor's approval of its current content and an
 * answer to every flag (automatic ones as judged now, supervisors' ones). Returns the keys it answered.
 */
export async function approveForPublication(
  db: Db,
  key: { villageId: number; year: number; month: number },
  people: { supervisor?: string; committee?: string } = {},
): Promise<string[]> {
  return db.transaction(async (tx) => {
    const [period] = await queryRows<{ revision: number }>(
      tx,
      sql`select max(revision)::int as revision from periods
           where village_id = ${key.villageId} and year = ${key.year} and month = ${key.month}`,
    );
    await reviewMonth(tx, { ...key, actor: people.supervisor ?? 'test-supervisor', decision: 'approved', note: '' });
    const state = await reviewState(tx, { ...key, revision: period!.revision });
    for (const flag of state.flags) {
      await answerFlag(tx, {
        ...key,
        actor: people.committee ?? 'test',
        flagKey: flag.key,
        body: '已核实，凭证齐全。',
      });
    }
    return state.flags.map((f) => f.key);
  });
}
