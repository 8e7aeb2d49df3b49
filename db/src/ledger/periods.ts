import { and, desc, eq, sql } from 'drizzle-orm';
import type { DbOrTx, Tx } from '../client.ts';
import { periods } from '../schema/ledger.ts';
import { openingBalances } from '../schema/statements.ts';
import { ensureVillageAccounts, standardForYear } from './accounts.ts';
import { appendAudit } from './audit.ts';
import { LedgerError } from './errors.ts';
import { sumFen, type Fen } from './money.ts';

export interface PeriodKey {
  villageId: number;
  year: number;
  month: number;
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
  input: PeriodKey & { actor: string; reason?: string | undefined },
): Promise<{ revision: number }> {
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
  const reason = input.reason?.trim();
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

/** Copies every voucher and line of one revision into the next, lines in one statement so each voucher balances. */
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
