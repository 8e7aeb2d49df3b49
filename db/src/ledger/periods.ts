import { and, asc, desc, eq, inArray, like, or, sql } from 'drizzle-orm';
import type { DbOrTx, Tx } from '../client.ts';
import { auditLog } from '../schema/records.ts';
import { periods } from '../schema/ledger.ts';
import { openingBalances } from '../schema/statements.ts';
import { ensureVillageAccounts, standardForYear } from './accounts.ts';
import { appendAudit } from './audit.ts';
import { LedgerError } from './errors.ts';
import { maskText } from './privacy.ts';
import { sumFen, type Fen } from './money.ts';

export interface PeriodKey {
  villageId: number;
  year: number;
  month: number;
}

/**
 * China keeps one time zone, Asia/Shanghai, at UTC+8 all year (no daylight saving since 1991), so a month ends at
 * 24:00 Beijing time on its last day, whatever the server's own time zone.
 */
const SHANGHAI_OFFSET_MS = 8 * 60 * 60 * 1000;

/** The instant a month ends: midnight in Asia/Shanghai at the start of the month after. */
export function monthEndsAt(year: number, month: number): Date {
  // Date.UTC counts months from 0, so `month` (1–12) is already the month after.
  return new Date(Date.UTC(year, month, 1) - SHANGHAI_OFFSET_MS);
}

/** Whether the month has ended in China at the instant `at` (the clock is a parameter, so tests choose it). */
export function monthHasEnded(year: number, month: number, at: Date = new Date()): boolean {
  return at.getTime() >= monthEndsAt(year, month).getTime();
}

/**
 * A month's books can be uploaded and published only once the month is over: a month still running has payments
 * to come, and publishing it early would make a public, sealed statement of half a month.
 */
export function assertMonthEnded(key: { year: number; month: number }, at: Date = new Date()): void {
  if (monthHasEnded(key.year, key.month, at)) return;
  const ends = monthEndsAt(key.year, key.month);
  const next = key.month === 12 ? { year: key.year + 1, month: 1 } : { year: key.year, month: key.month + 1 };
  throw new LedgerError(
    'MONTH_NOT_ENDED',
    `${key.year}年${key.month}月还没有结束，要到北京时间${next.year}年${next.month}月1日零点以后才能上传或公开`,
    { year: key.year, month: key.month, endsAt: ends.toISOString() },
  );
}

/** Period changes of one village run one at a time; the lock is released at commit. */
export async function lockVillageLedger(tx: Tx, villageId: number): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(${LEDGER_LOCK_SPACE}, ${villageId})`);
}
const LEDGER_LOCK_SPACE = 2;

/**
 * Opens a month for the committee: revision 1 the first time; after publication, revision N+1 with a reason and a
 * copy of every voucher of revision N to correct. Revision N is never touched.
 */
export async function openPeriod(
  tx: Tx,
  input: PeriodKey & { actor: string; reason?: string | undefined; now?: Date | undefined },
): Promise<{ revision: number }> {
  assertMonthEnded(input, input.now);
  await lockVillageLedger(tx, input.villageId);
  const [latest] = await tx
    .select({ revision: periods.revision, status: periods.status })
    .from(periods)
    .where(and(eq(periods.villageId, input.villageId), eq(periods.year, input.year), eq(periods.month, input.month)))
    .orderBy(desc(periods.revision))
    .limit(1);
  if (latest && latest.status !== 'published') {
    throw new LedgerError(
      'PERIOD_ALREADY_OPEN',
      `${input.year}年${input.month}月已开账（第${latest.revision}版），尚未公开`,
    );
  }
  const revision = latest ? latest.revision + 1 : 1;
  // The reason is published as written (the month page, statements.csv, the v3 digest): personal data masked here, once.
  const reason = input.reason === undefined ? undefined : maskText(input.reason.trim());
  if (revision > 1 && !reason) {
    throw new LedgerError('REASON_REQUIRED', `更正已公开的${input.year}年${input.month}月，必须写明更正原因`);
  }
  await tx.insert(periods).values({
    villageId: input.villageId,
    year: input.year,
    month: input.month,
    revision,
    status: 'open',
    standard: standardForYear(input.year),
    reason: reason ?? null,
    openedBy: input.actor,
  });
  if (latest) await copyRevision(tx, input, latest.revision, revision);
  await appendAudit(tx, {
    villageId: input.villageId,
    actor: input.actor,
    action: revision === 1 ? 'period.open' : 'period.revise',
    entity: 'period',
    entityKey: `${input.year}-${input.month}#${revision}`,
    reason,
  });
  return { revision };
}

/** Copies every voucher, line and attachment of one revision into the next, lines in one statement so each voucher balances. */
async function copyRevision(tx: Tx, key: PeriodKey, from: number, to: number): Promise<void> {
  await tx.execute(sql`
    insert into vouchers (village_id, year, month, revision, number, date, summary, summary_public, attachments,
                          preparer, reviewer, approver, import_id, created_by)
    select village_id, year, month, ${to}, number, date, summary, summary_public, attachments,
           preparer, reviewer, approver, import_id, created_by
      from vouchers
     where village_id = ${key.villageId} and year = ${key.year} and month = ${key.month} and revision = ${from}`);
  await tx.execute(sql`
    insert into voucher_lines (village_id, voucher_id, line_no, standard, account_code, side, amount_fen, summary,
                               summary_public, counterparty_name, counterparty_is_person, counterparty_public,
                               counterparty_id_number, counterparty_phone, counterparty_bank_account, payment_method)
    select l.village_id, nv.id, l.line_no, l.standard, l.account_code, l.side, l.amount_fen, l.summary,
           l.summary_public, l.counterparty_name, l.counterparty_is_person, l.counterparty_public,
           l.counterparty_id_number, l.counterparty_phone, l.counterparty_bank_account, l.payment_method
      from vouchers ov
      join voucher_lines l on l.village_id = ov.village_id and l.voucher_id = ov.id
      join vouchers nv on nv.village_id = ov.village_id and nv.year = ov.year and nv.month = ov.month
                      and nv.revision = ${to} and nv.number = ov.number
     where ov.village_id = ${key.villageId} and ov.year = ${key.year} and ov.month = ${key.month}
       and ov.revision = ${from}`);
  // Attachments come along, confirmations included: the correction starts from what was published and may add,
  // redact again or remove (db/src/ledger/attachments.ts).
  await tx.execute(sql`
    insert into attachments (village_id, year, month, revision, voucher_number, kind, filename, original_sha256,
                             original_media_type, original_bytes, derivative_sha256, derivative_media_type, width,
                             height, thumbnail_sha256, thumbnail_width, thumbnail_height, pages, page_views, redactions,
                             uploaded_by, uploaded_at, redacted_by, redacted_at, confirmed_by, confirmed_at)
    select village_id, year, month, ${to}, voucher_number, kind, filename, original_sha256,
           original_media_type, original_bytes, derivative_sha256, derivative_media_type, width,
           height, thumbnail_sha256, thumbnail_width, thumbnail_height, pages, page_views, redactions,
           uploaded_by, uploaded_at, redacted_by, redacted_at, confirmed_by, confirmed_at
      from attachments
     where village_id = ${key.villageId} and year = ${key.year} and month = ${key.month} and revision = ${from}
     order by id`);
}

/**
 * 期初余额 for the first month a village keeps on this system. Signed debit-positive fen that sum to zero.
 * Refused once any month of the village is published: from then on balances only come from the ledger.
 */
export async function setOpeningBalances(
  tx: Tx,
  input: PeriodKey & {
    actor: string;
    balances: { accountCode: string; accountName?: string | undefined; balanceFen: Fen }[];
  },
): Promise<void> {
  await lockVillageLedger(tx, input.villageId);
  const [published] = await tx
    .select({ year: periods.year })
    .from(periods)
    .where(and(eq(periods.villageId, input.villageId), eq(periods.status, 'published')))
    .limit(1);
  if (published) {
    throw new LedgerError('PERIOD_OUT_OF_ORDER', '本村已有公开的月份，期初余额只能在建账时设置');
  }
  const total = sumFen(input.balances.map((b) => b.balanceFen));
  if (total !== 0n) {
    throw new LedgerError('OPENING_BALANCES_UNBALANCED', `期初余额借贷不平：相差${total}分`, {
      differenceFen: total.toString(),
    });
  }
  const standard = standardForYear(input.year);
  await ensureVillageAccounts(
    tx,
    input.villageId,
    standard,
    input.balances.map((b) => ({ code: b.accountCode, name: b.accountName })),
  );
  await tx
    .delete(openingBalances)
    .where(
      and(
        eq(openingBalances.villageId, input.villageId),
        eq(openingBalances.year, input.year),
        eq(openingBalances.month, input.month),
      ),
    );
  await tx.insert(openingBalances).values(
    input.balances.map((b) => ({
      villageId: input.villageId,
      year: input.year,
      month: input.month,
      standard,
      accountCode: b.accountCode,
      balanceFen: b.balanceFen,
    })),
  );
  await appendAudit(tx, {
    villageId: input.villageId,
    actor: input.actor,
    action: 'opening_balances.set',
    entity: 'period',
    entityKey: `${input.year}-${input.month}`,
    details: { accounts: input.balances.length },
  });
}

/** The newest revision of a month, whatever its status. */
export async function latestRevision(
  tx: DbOrTx,
  key: PeriodKey,
): Promise<{ revision: number; status: 'open' | 'submitted' | 'published' } | undefined> {
  const [row] = await tx
    .select({ revision: periods.revision, status: periods.status })
    .from(periods)
    .where(and(eq(periods.villageId, key.villageId), eq(periods.year, key.year), eq(periods.month, key.month)))
    .orderBy(desc(periods.revision))
    .limit(1);
  return row;
}

/**
 * Moves the newest revision of a month between `open` and `submitted` (review). Publishing has its own function
 * because it derives and seals; a published month never moves back.
 */
export async function changeReviewStatus(
  tx: Tx,
  input: PeriodKey & { actor: string; to: 'open' | 'submitted' },
): Promise<{ revision: number }> {
  await lockVillageLedger(tx, input.villageId);
  const from = input.to === 'submitted' ? 'open' : 'submitted';
  const latest = await latestRevision(tx, input);
  if (!latest || latest.status !== from) {
    const now = latest ? STATUS_LABELS[latest.status] : '尚未开账';
    throw new LedgerError(
      'PERIOD_NOT_OPEN',
      `${input.year}年${input.month}月${now}，不能${input.to === 'submitted' ? '提交审核' : '退回修改'}`,
      { status: latest?.status ?? null },
    );
  }
  await tx
    .update(periods)
    .set(
      input.to === 'submitted'
        ? { status: 'submitted', submittedAt: new Date(), submittedBy: input.actor }
        : { status: 'open', submittedAt: null, submittedBy: null },
    )
    .where(
      and(
        eq(periods.villageId, input.villageId),
        eq(periods.year, input.year),
        eq(periods.month, input.month),
        eq(periods.revision, latest.revision),
      ),
    );
  await appendAudit(tx, {
    villageId: input.villageId,
    actor: input.actor,
    action: input.to === 'submitted' ? 'period.submit' : 'period.withdraw',
    entity: 'period',
    entityKey: `${input.year}-${input.month}#${latest.revision}`,
  });
  return { revision: latest.revision };
}

export const STATUS_LABELS = { open: '正在录入', submitted: '已提交审核', published: '已公开' } as const;

/**
 * Who prepared the content a revision holds now, read from the village's audit log: whoever uploaded into it since the
 * last upload that replaced the whole month (an import in `replace` mode), every uploader when none replaced it, and
 * whoever deleted a voucher since. A revision with no upload at all holds what its opener put there (for a correction,
 * the previous revision's vouchers, copied forward), so its opener prepared it. None of them may publish it: the
 * second person vouches for content they did not make. Earlier uploads that a replacement threw away do not count.
 */
export async function preparersOf(tx: DbOrTx, key: PeriodKey & { revision: number }): Promise<string[]> {
  const period = `${key.year}-${key.month}#${key.revision}`;
  const events = await tx
    .select({ actor: auditLog.actor, action: auditLog.action, details: auditLog.details })
    .from(auditLog)
    .where(
      and(
        eq(auditLog.villageId, key.villageId),
        or(
          and(
            eq(auditLog.entity, 'period'),
            eq(auditLog.entityKey, period),
            inArray(auditLog.action, ['period.open', 'period.revise', 'vouchers.post', 'import.commit']),
          ),
          and(
            eq(auditLog.entity, 'voucher'),
            like(auditLog.entityKey, `${period}/%`),
            eq(auditLog.action, 'voucher.delete'),
          ),
        ),
      ),
    )
    .orderBy(asc(auditLog.id));
  const uploads = (e: { action: string }) => e.action === 'vouchers.post' || e.action === 'import.commit';
  if (!events.some(uploads)) {
    return [...new Set(events.filter((e) => e.action.startsWith('period.')).map((e) => e.actor))];
  }
  // An import writes its vouchers (vouchers.post) and then its import.commit: a replacing import's own posting comes
  // just before its commit entry, by the same person, so starting at the commit loses no one.
  let from = 0;
  events.forEach((e, i) => {
    if (e.action === 'import.commit' && (e.details?.['mode'] ?? 'replace') === 'replace') from = i;
  });
  return [
    ...new Set(
      events
        .slice(from)
        .filter((e) => uploads(e) || e.action === 'voucher.delete')
        .map((e) => e.actor),
    ),
  ];
}
