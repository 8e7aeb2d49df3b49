// The review before publication: a supervisor's approval of the current content, the committee's answer to every
// flag, both frozen into the published month and its digest.
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, type DbHandle } from '@mingbai/db/client';
import { answerFlag, contentMark, reviewMonth, reviewState } from '@mingbai/db/ledger/approvals';
import { changeReviewStatus } from '@mingbai/db/ledger/periods';
import { postVouchers } from '@mingbai/db/ledger/post';
import { publishSubmitted } from '@mingbai/db/ledger/publish';
import { verifyVillageChain } from '@mingbai/db/ledger/verify';
import { redFlagsOf, setRuleSet } from '@mingbai/db/ledger/red-flags';
import { DEFAULT_THRESHOLDS, thresholdsAsText } from '@mingbai/db/ledger/red-flag-rules';
import { periods } from '@mingbai/db/schema/ledger';
import { regions, villages } from '@mingbai/db/schema/regions';
import type { VoucherInput } from '@mingbai/db/ledger/voucher-input';
import { aMonth, aVillage, aVoucher, credit, debit } from '../support/builders.ts';
import { openTestDb, sqlState } from '../support/db.ts';

let handle: DbHandle;
beforeAll(async () => {
  handle = await openTestDb();
});
afterAll(() => handle.close());

const OPENING = [
  { accountCode: '101', balanceFen: 100_000n },
  { accountCode: '102', balanceFen: 10_000_000n },
  { accountCode: '301', balanceFen: -10_100_000n },
];
/** Published on time, so LATE_PUBLICATION stays out of the way. */
const ON_TIME = new Date('2025-04-05T02:00:00Z');
const cashPay = (n: number, amount: number) =>
  aVoucher(
    n,
    '2025-03-10',
    '支付临时用工费',
    debit('51305', amount, { accountName: '误工补贴', counterparty: { name: '孙立新', isPerson: true } }),
    credit('101', amount),
  );
const office = (n: number, amount: number) =>
  aVoucher(n, '2025-03-12', '购买办公用品', debit('51301', amount, { accountName: '办公费' }), credit('102', amount));

/** A village with 2025-03 filled by `test` and submitted for review. */
async function submittedMonth(vouchers: VoucherInput[], options: { villageId?: number; opening?: boolean } = {}) {
  const id = options.villageId ?? (await aVillage(handle.db)).id;
  const opening = (options.opening ?? !options.villageId) ? OPENING : undefined;
  await aMonth(handle.db, id, 2025, 3, vouchers, { publish: false, opening });
  const key = { villageId: id, year: 2025, month: 3 };
  await handle.db.transaction((tx) => changeReviewStatus(tx, { ...key, actor: 'test', to: 'submitted' }));
  return key;
}

const approve = (key: { villageId: number; year: number; month: number }, note = '') =>
  handle.db.transaction((tx) => reviewMonth(tx, { ...key, actor: 'jiandu-test', decision: 'approved', note }));
const publish = (key: { villageId: number; year: number; month: number }) =>
  handle.db.transaction((tx) => publishSubmitted(tx, { ...key, actor: 'test-director', publishedAt: ON_TIME }));
const answer = (key: { villageId: number; year: number; month: number }, flagKey: string, body: string) =>
  handle.db.transaction((tx) => answerFlag(tx, { ...key, actor: 'test-committee', flagKey, body, at: ON_TIME }));

async function status(key: { villageId: number; year: number; month: number }) {
  const [row] = await handle.db
    .select({ status: periods.status, approvedBy: periods.approvedBy, rules: periods.redFlagRules })
    .from(periods)
    .where(and(eq(periods.villageId, key.villageId), eq(periods.year, 2025), eq(periods.month, 3)));
  return row!;
}

describe('publishing needs the review', () => {
  it('refuses a month nobody approved, naming what is missing', async () => {
    const key = await submittedMonth([office(1, 10_000)]);
    const attempt = publish(key);
    await expect(attempt).rejects.toMatchObject({ code: 'REVIEW_REQUIRED' });
    await expect(attempt).rejects.toThrow(/还没有监督委员会成员审核通过/);
    expect((await status(key)).status).toBe('submitted');
    await approve(key);
    await publish(key);
    expect(await status(key)).toEqual({ status: 'published', approvedBy: 'jiandu-test', rules: 'builtin-1' });
  });

  it('refuses an approval of content that changed since (an upload after it)', async () => {
    const key = await submittedMonth([office(1, 10_000)]);
    const before = await contentMark(handle.db, { ...key, revision: 1 });
    await approve(key);
    await handle.db.transaction(async (tx) => {
      await changeReviewStatus(tx, { ...key, actor: 'test', to: 'open' });
      await postVouchers(tx, { ...key, revision: 1, actor: 'test', vouchers: [office(2, 20_000)] });
      await changeReviewStatus(tx, { ...key, actor: 'test', to: 'submitted' });
    });
    expect(await contentMark(handle.db, { ...key, revision: 1 })).not.toBe(before);
    const state = await reviewState(handle.db, { ...key, revision: 1 }, { publishedAt: ON_TIME });
    expect(state.stale).toBe(true);
    await expect(publish(key)).rejects.toThrow(/审核通过之后账目又有改动/);
    await approve(key);
    await publish(key);
    expect((await status(key)).status).toBe('published');
  });

  it('refuses while a flag has no answer, and names it', async () => {
    const key = await submittedMonth([cashPay(1, 150_000)]);
    await approve(key);
    const attempt = publish(key);
    await expect(attempt).rejects.toMatchObject({
      code: 'REVIEW_REQUIRED',
      details: { unanswered: ['CASH_OVER_LIMIT:1'] },
    });
    await expect(attempt).rejects.toThrow(/1 个疑点还没有书面答复：CASH_OVER_LIMIT:1（第1号凭证）/);
    await answer(key, 'CASH_OVER_LIMIT:1', '收款人没有银行卡，经两委同意现金支付，领款单有本人签字。');
    await publish(key);
    expect((await status(key)).status).toBe('published');
  });

  it('needs an answer to a supervisor’s flag too', async () => {
    const key = await submittedMonth([office(1, 10_000)]);
    const [flag] = await queryRows<{ id: number }>(
      handle.db,
      sql`insert into voucher_flags (village_id, year, month, revision, voucher_number, author, reason)
          values (${key.villageId}, 2025, 3, 1, 1, 'jiandu-test', '发票抬头不是本村') returning id`,
    );
    await approve(key);
    await expect(publish(key)).rejects.toThrow(new RegExp(`supervisor:${flag!.id}`));
    await answer(key, `supervisor:${flag!.id}`, '已换开抬头正确的发票，附在凭证后。');
    await publish(key);
    expect((await status(key)).status).toBe('published');
  });
});

describe('a supervisor sends a month back', () => {
  it('with a reason: the month reopens for the committee and the audit log says why', async () => {
    const key = await submittedMonth([office(1, 10_000)]);
    await expect(
      handle.db.transaction((tx) => reviewMonth(tx, { ...key, actor: 'jiandu-test', decision: 'returned', note: ' ' })),
    ).rejects.toMatchObject({ code: 'REASON_REQUIRED' });
    await handle.db.transaction((tx) =>
      reviewMonth(tx, { ...key, actor: 'jiandu-test', decision: 'returned', note: '第1号凭证缺少发票' }),
    );
    expect((await status(key)).status).toBe('open');
    const [entry] = await queryRows<{ action: string; reason: string }>(
      handle.db,
      sql`select action, reason from audit_log where village_id = ${key.villageId} order by id desc limit 1`,
    );
    expect(entry).toEqual({ action: 'period.return', reason: '第1号凭证缺少发票' });
    await expect(approve(key)).rejects.toMatchObject({ code: 'PERIOD_NOT_SUBMITTED' });
  });
});

describe('answers', () => {
  it('are replaceable before publication and frozen after; refused for a flag that is not there or an empty body', async () => {
    const key = await submittedMonth([cashPay(1, 150_000)]);
    await expect(answer(key, 'CASH_OVER_LIMIT:2', '没有这张凭证')).rejects.toMatchObject({ code: 'FLAG_NOT_FOUND' });
    await expect(answer(key, 'CASH_OVER_LIMIT:1', '   ')).rejects.toMatchObject({ code: 'ANSWER_INVALID' });
    await expect(answer(key, 'CASH_OVER_LIMIT:1', '字'.repeat(2001))).rejects.toMatchObject({ code: 'ANSWER_INVALID' });
    await answer(key, 'CASH_OVER_LIMIT:1', '第一次答复');
    await answer(key, 'CASH_OVER_LIMIT:1', '改过的答复');
    const state = await reviewState(handle.db, { ...key, revision: 1 }, { publishedAt: ON_TIME });
    expect(state.answers.map((a) => [a.flagKey, a.body])).toEqual([['CASH_OVER_LIMIT:1', '改过的答复']]);
    expect(state.unanswered).toEqual([]);
    await approve(key);
    await publish(key);
    await expect(answer(key, 'CASH_OVER_LIMIT:1', '公开后再改')).rejects.toMatchObject({ code: 'PERIOD_NOT_OPEN' });
    const after = await reviewState(handle.db, { ...key, revision: 1 });
    expect(after.answers.map((a) => a.body)).toEqual(['改过的答复']);
  });
});

describe('frozen flags', () => {
  it('never change when the thresholds change after publication', async () => {
    // A town of its own, so its rules touch no other test's village.
    const village = await aVillage(handle.db);
    const [row] = await handle.db.select({ townId: villages.townId }).from(villages).where(eq(villages.id, village.id));
    const [town] = await handle.db.select().from(regions).where(eq(regions.id, row!.townId));
    const [own] = await handle.db
      .insert(regions)
      .values({
        parentId: town!.parentId,
        level: 'town',
        code: `${town!.code.slice(0, 9)}${String(village.id % 1000).padStart(3, '0')}`,
        slug: `${town!.slug}-own-${village.id}`,
        name: `${town!.name}另镇${village.id}`,
      })
      .returning({ id: regions.id, slug: regions.slug });
    await handle.db.update(villages).set({ townId: own!.id }).where(eq(villages.id, village.id));
    await setRuleSet(handle.db, {
      regionId: own!.id,
      effectiveFrom: '2025-01-01',
      thresholds: thresholdsAsText({ ...DEFAULT_THRESHOLDS, cashLimitFen: 50_000n }),
      note: '现金支付限额 500 元',
      actor: 'test-admin',
    });
    const key = await submittedMonth([cashPay(1, 60_000)], { villageId: village.id, opening: true });
    await answer(key, 'CASH_OVER_LIMIT:1', '临时用工费，现金支付，有签字。');
    await approve(key);
    await publish(key);
    expect((await status(key)).rules).toBe(`${own!.slug}-v1`);
    const frozen = await redFlagsOf(handle.db, { ...key, revision: 1 });
    expect(frozen.map((f) => f.key)).toEqual(['CASH_OVER_LIMIT:1']);

    await setRuleSet(handle.db, {
      regionId: own!.id,
      effectiveFrom: '2025-02-01',
      thresholds: thresholdsAsText(DEFAULT_THRESHOLDS),
      note: '恢复默认',
      actor: 'test-admin',
    });
    expect(await redFlagsOf(handle.db, { ...key, revision: 1 })).toEqual(frozen);
    expect((await status(key)).rules).toBe(`${own!.slug}-v1`);
  });
});

describe('a published month’s review', () => {
  it('is sealed in the database too: no new flag, answer or decision, frozen flags never change', async () => {
    const key = await submittedMonth([cashPay(1, 150_000)]);
    await answer(key, 'CASH_OVER_LIMIT:1', '有签字。');
    await approve(key);
    await publish(key);
    const v = key.villageId;
    for (const write of [
      sql`insert into voucher_flags (village_id, year, month, revision, voucher_number, author, reason)
          values (${v}, 2025, 3, 1, 1, 'x', '公开后才发现')`,
      sql`insert into flag_answers (village_id, year, month, revision, flag_key, body, author)
          values (${v}, 2025, 3, 1, 'CASH_OVER_LIMIT:9', '答复', 'x')`,
      sql`delete from flag_answers where village_id = ${v}`,
      sql`insert into period_reviews (village_id, year, month, revision, decision, note, reviewer, content_mark)
          values (${v}, 2025, 3, 1, 'approved', '', 'x', 'x')`,
      sql`update red_flags set detail = 'x' where village_id = ${v}`,
      sql`delete from period_reviews where village_id = ${v}`,
    ]) {
      expect(await sqlState(handle.db.execute(write))).toBe('MBI01');
    }
    expect((await redFlagsOf(handle.db, { ...key, revision: 1 })).map((f) => f.key)).toEqual(['CASH_OVER_LIMIT:1']);
  });
});

describe('digests', () => {
  it('seal every new month in v3, covering the review and the attachments, and verify', async () => {
    const village = await aVillage(handle.db);
    await aMonth(
      handle.db,
      village.id,
      2025,
      2,
      [office(1, 5_000)].map((v) => ({ ...v, date: '2025-02-12' })),
      {
        opening: OPENING,
      },
    );
    const key = await submittedMonth([cashPay(1, 150_000)], { villageId: village.id });
    await answer(key, 'CASH_OVER_LIMIT:1', '领款单有本人签字。');
    // A confirmed receipt on voucher 1 (the rows alone: the files are not what the digest reads, their hashes are).
    await handle.db.execute(sql`
      insert into attachments (village_id, year, month, revision, voucher_number, kind, filename, original_sha256,
                               original_media_type, original_bytes, derivative_sha256, derivative_media_type, width,
                               height, thumbnail_sha256, thumbnail_width, thumbnail_height, uploaded_by, confirmed_by,
                               confirmed_at)
      values (${village.id}, 2025, 3, 1, 1, 'receipt', 'r.jpg', ${'1'.repeat(64)}, 'image/jpeg', 100, ${'2'.repeat(64)},
              'image/webp', 10, 10, ${'3'.repeat(64)}, 5, 5, 'test', 'jiandu-test', now())`);
    await approve(key, '已核对原始凭证');
    await publish(key);
    const ok = await verifyVillageChain(handle.db, village.id);
    expect(ok).toMatchObject({ ok: true, checked: 2 });
    const [v1, v2] = await queryRows<{ approved_by: string | null; digest_format: string }>(
      handle.db,
      sql`select approved_by, digest_format from periods where village_id = ${village.id} order by chain_seq`,
    );
    // Both v3: the one published without an approval (the builder publishes directly) has a null approval in its text.
    expect([v1, v2]).toEqual([
      { approved_by: null, digest_format: 'mingbai-period-v3' },
      { approved_by: 'jiandu-test', digest_format: 'mingbai-period-v3' },
    ]);

    // The receipt's published view is part of the sealed month: another hash behind the ledger's back breaks it.
    await handle.db.transaction(async (tx) => {
      await tx.execute(sql`set local session_replication_role = replica`);
      await tx.execute(
        sql`update attachments set derivative_sha256 = ${'4'.repeat(64)} where village_id = ${village.id} and month = 3`,
      );
    });
    expect((await verifyVillageChain(handle.db, village.id)).breaks.map((b) => [b.month, b.problem])).toEqual([
      [3, 'content'],
    ]);
    await handle.db.transaction(async (tx) => {
      await tx.execute(sql`set local session_replication_role = replica`);
      await tx.execute(
        sql`update attachments set derivative_sha256 = ${'2'.repeat(64)} where village_id = ${village.id} and month = 3`,
      );
    });

    // The answer is part of the sealed month: changing it behind the ledger's back breaks the chain there.
    expect(
      await sqlState(
        handle.db.execute(
          sql`update flag_answers set body = '改过' where village_id = ${village.id} and year = 2025 and month = 3`,
        ),
      ),
    ).toBe('MBI01');
    await handle.db.transaction(async (tx) => {
      await tx.execute(sql`set local session_replication_role = replica`);
      await tx.execute(
        sql`update flag_answers set body = '改过' where village_id = ${village.id} and year = 2025 and month = 3`,
      );
    });
    const broken = await verifyVillageChain(handle.db, village.id);
    expect(broken.breaks.map((b) => [b.month, b.problem])).toEqual([[3, 'content']]);
  });
});
