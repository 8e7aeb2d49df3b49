import { and, asc, desc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import { queryRows, type Db, type DbOrTx, type Tx } from '../client.ts';
import { accounts, villageAccounts, type AccountClass, type AccountStandard } from '../schema/accounts.ts';
import { periods, voucherLines, vouchers } from '../schema/ledger.ts';
import { villages } from '../schema/regions.ts';
import { openingBalances, statementRollups } from '../schema/statements.ts';
import { redFlags } from '../schema/supervision.ts';
import { ensureVillageAccounts } from './accounts.ts';
import { currentApproval, digestReviewOf, reviewBlockers, reviewState } from './approvals.ts';
import { appendAudit } from './audit.ts';
import { carryForward, mapCode } from './carry-forward.ts';
import { publishedAttachments } from './attachments.ts';
import { DIGEST_FORMAT_V3, periodDigest, type DigestVoucher } from './digest.ts';
import { LedgerError } from './errors.ts';
import { lineFlowSql } from './flows.ts';
import type { Fen } from './money.ts';
import { evaluateRedFlags, type RedFlagFound } from './red-flags.ts';
import { beijingDate, rulesInForce, type RulesInForce } from './red-flag-rules.ts';
import { publicReviewText } from './privacy.ts';
import {
  assertMonthEnded,
  latestRevision,
  lockVillageLedger,
  preparersOf,
  STATUS_LABELS,
  type PeriodKey,
} from './periods.ts';

interface Movement {
  debitFen: Fen;
  creditFen: Fen;
  lineCount: number;
}

/** What a publication committed: the month, its revision and its digest. */
export type Published = PeriodKey & { revision: number; digest: string };

/**
 * Work to do once a publication is committed (the API's open-data files for the month). It never undoes the
 * publication: a hook that fails is logged, and whatever it would have made must be made again when needed.
 */
export type AfterPublish = (published: Published) => Promise<void> | void;

/**
 * Publishes a submitted month: the one way every caller (API, CLI, demo seed) makes a month public. Whoever prepared
 * its current content (`preparersOf`: the uploaders since the last replacing upload, or the opener of a correction
 * nobody uploaded into) cannot also publish it: publication always takes two people, a first publication and a
 * correction alike. `afterCommit` hooks run once the transaction has committed; `afterCommit` in the result settles
 * when they have all finished (the API lets them run on, the CLI waits before it closes its pool).
 */
export async function publishMonth(
  db: Db,
  input: PeriodKey & {
    actor: string;
    afterCommit?: AfterPublish[] | undefined;
    now?: Date | undefined;
    publishedAt?: Date | undefined;
  },
): Promise<{ revision: number; digest: string; afterCommit: Promise<void> }> {
  const key = { villageId: input.villageId, year: input.year, month: input.month };
  const published = await db.transaction((tx) =>
    publishSubmitted(tx, { ...key, actor: input.actor, now: input.now, publishedAt: input.publishedAt }),
  );
  const done = { ...key, ...published };
  const afterCommit = Promise.all(
    (input.afterCommit ?? []).map(async (hook) => {
      try {
        await hook(done);
      } catch (error) {
        console.error('work after publishing failed; the publication stands', error);
      }
    }),
  ).then(() => {});
  return { ...published, afterCommit };
}

/**
 * publishMonth's rules and sealing inside the caller's transaction, for a caller with nothing to do after the commit
 * (the demo seed, which opens, posts, submits and publishes a month in one transaction): only a submitted month,
 * never by whoever prepared its content, and only once a supervisor approved the content it holds now and every flag
 * on it (automatic, as the rules judge a publication at `publishedAt`, or raised by a supervisor) has the committee's
 * written answer (`REVIEW_REQUIRED` otherwise, saying what is missing).
 */
export async function publishSubmitted(
  tx: Tx,
  input: PeriodKey & { actor: string; now?: Date | undefined; publishedAt?: Date | undefined },
): Promise<{ revision: number; digest: string }> {
  const key = { villageId: input.villageId, year: input.year, month: input.month };
  // Held to the commit: the content judged below is the content sealed.
  await lockVillageLedger(tx, input.villageId);
  const latest = await latestRevision(tx, key);
  if (latest?.status !== 'submitted') {
    throw new LedgerError(
      'PERIOD_NOT_SUBMITTED',
      `${key.year}年${key.month}月${latest ? STATUS_LABELS[latest.status] : '尚未开账'}，只有提交审核后的月份才能公开`,
    );
  }
  const preparers = await preparersOf(tx, { ...key, revision: latest.revision });
  if (preparers.includes(input.actor)) {
    throw new LedgerError(
      'UPLOADER_CANNOT_PUBLISH',
      latest.revision > 1
        ? '本月更正的现有内容是您准备的（上传或开启更正），须由另一位负责人公开'
        : '本月账目是您上传的，须由另一位负责人公开',
      { revision: latest.revision },
    );
  }
  const publishedAt = input.publishedAt ?? new Date();
  // A month still running cannot be published whatever its review says: say that first.
  assertMonthEnded(key, input.now ?? publishedAt);
  const state = await reviewState(tx, { ...key, revision: latest.revision }, { publishedAt });
  const blockers = reviewBlockers(state);
  if (blockers.length > 0) {
    throw new LedgerError('REVIEW_REQUIRED', `${key.year}年${key.month}月还不能公开：${blockers.join('；')}`, {
      revision: latest.revision,
      approved: state.approval !== null && !state.stale,
      unanswered: state.unanswered,
      unconfirmedAttachments: state.unconfirmedAttachments.map((a) => a.id),
    });
  }
  return seal(
    tx,
    { ...key, actor: input.actor, now: input.now, publishedAt },
    {
      rules: state.rules!,
      flags: state.flags.filter((f): f is RedFlagFound => f.ruleCode !== 'SUPERVISOR'),
      approval: state.approval,
    },
  );
}

/**
 * The sealing step of a publication, inside the caller's transaction (publishSubmitted, which checks who may
 * publish, and tests that build published months directly). Publishes the open revision of a month: derives its
 * rollups (opening from the month before, movements from the ledger), freezes its red flags as the rules in force on
 * the publication day (Beijing) judge them and records that rule version, records the supervisor's approval of the
 * current content when there is one, seals it with a digest chained to the village's previous one (v3: the vouchers, the
 * approval, the flags and the answers, the correction's reason, every attachment's hashes), and, for a correction, carries the new closing
 * balances into the openings of the months published after it. `publishedAt` (default now) is the publication's
 * instant, for loaders that publish history.
 */
export async function publishPeriod(
  tx: Tx,
  input: PeriodKey & { actor: string; now?: Date | undefined; publishedAt?: Date | undefined },
): Promise<{ revision: number; digest: string }> {
  return seal(tx, input);
}

/** What publishSubmitted already judged, under the same lock and at the same instant: not judged twice. */
interface Reviewed {
  rules: RulesInForce;
  flags: RedFlagFound[];
  approval: { by: string; at: Date; note: string } | null;
}

async function seal(
  tx: Tx,
  input: PeriodKey & { actor: string; now?: Date | undefined; publishedAt?: Date | undefined },
  reviewed?: Reviewed,
): Promise<{ revision: number; digest: string }> {
  const publishedAt = input.publishedAt ?? new Date();
  assertMonthEnded(input, input.now ?? publishedAt);
  await lockVillageLedger(tx, input.villageId);
  const [period] = await tx
    .select({ revision: periods.revision, standard: periods.standard, reason: periods.reason })
    .from(periods)
    .where(and(periodIs(input), inArray(periods.status, ['open', 'submitted'])))
    .for('update');
  if (!period) {
    throw new LedgerError('PERIOD_NOT_OPEN', `${input.year}年${input.month}月没有待公开的账目`, { ...input });
  }
  const key = { ...input, revision: period.revision };
  const classOf = await accountClasses(tx);

  const opening = await openingFor(tx, input, period.standard, classOf);
  const movements = await ledgerMovements(tx, key);
  await writeRollups(tx, key, period.standard, opening, movements);

  const [village] = await tx.select({ code: villages.code }).from(villages).where(eq(villages.id, input.villageId));
  // The chain follows publishing order, counted under the village's lock, not clocks that may disagree.
  const [previous] = await tx
    .select({ digest: periods.digest, chainSeq: periods.chainSeq })
    .from(periods)
    .where(and(eq(periods.villageId, input.villageId), eq(periods.status, 'published')))
    .orderBy(desc(periods.chainSeq))
    .limit(1);
  const previousDigest = previous?.digest ?? null;
  const ledger = await publicLedger(tx, key);

  const rules = reviewed?.rules ?? (await rulesInForce(tx, input.villageId, beijingDate(publishedAt)));
  const flags = reviewed?.flags ?? (await evaluateRedFlags(tx, key, rules, { publishedAt }));
  if (flags.length > 0) {
    await tx.insert(redFlags).values(
      flags.map((f, i) => ({
        ...key,
        seq: i + 1,
        ruleCode: f.ruleCode,
        voucherNumber: f.voucherNumber,
        amountFen: f.amountFen,
        detail: f.detail,
      })),
    );
  }
  const approval = reviewed ? reviewed.approval : await currentApproval(tx, key);
  // v3: the review (with or without an approval), the correction's reason and every published attachment's hashes.
  const review = await digestReviewOf(tx, key, approval, rules.version);
  const digest = periodDigest(
    {
      villageCode: village!.code,
      ...key,
      standard: period.standard,
      previousDigest,
      format: DIGEST_FORMAT_V3,
      reason: period.reason,
    },
    ledger,
    review,
    await publishedAttachments(tx, key),
  );
  await tx
    .update(periods)
    .set({
      status: 'published',
      approvedBy: approval?.by ?? null,
      approvedAt: approval?.at ?? null,
      // Stored as the public reads it (statements.csv, the API, the digest): the supervisor's note masked.
      approvalNote: approval ? publicReviewText(approval.note) : null,
      redFlagRules: rules.version,
      redFlagRuleSetId: rules.ruleSetId,
      publishedAt,
      publishedBy: input.actor,
      digest,
      digestFormat: DIGEST_FORMAT_V3,
      previousDigest,
      chainSeq: (previous?.chainSeq ?? 0) + 1,
      voucherCount: ledger.length,
      lineCount: ledger.reduce((n, v) => n + v.lines.length, 0),
    })
    .where(and(periodIs(input), eq(periods.revision, period.revision)));

  await deriveStatementLines(tx, revisionIs(key));
  if (key.revision > 1) await deriveStatementChanges(tx, revisionIs(key));

  const later = await recomputeLaterOpenings(tx, input, classOf);
  await appendAudit(tx, {
    villageId: input.villageId,
    actor: input.actor,
    action: 'period.publish',
    entity: 'period',
    entityKey: `${input.year}-${input.month}#${period.revision}`,
    details: { digest, vouchers: ledger.length, laterMonthsRecomputed: later, redFlags: flags.length },
  });
  return { revision: period.revision, digest };
}

/** One revision, as a condition on `periods p` for the derivations below. */
function revisionIs(key: PeriodKey & { revision: number }): SQL {
  return sql`p.village_id = ${key.villageId} and p.year = ${key.year} and p.month = ${key.month} and p.revision = ${key.revision}`;
}

const LINE_FLOW = sql.raw(
  lineFlowSql({ accountClass: 'a.class', side: 'l.side', accountCode: 'l.account_code', voucherWindow: 'voucher' }),
);

/**
 * Derives `statement_lines` for the revisions `which` selects (a condition on `periods p`): the lines villagers read
 * as payments and receipts, classified once (by `lineFlow`, flows.ts) and numbered in date order. Used by publishing, the scale loader and migration 0005.
 */
export async function deriveStatementLines(tx: DbOrTx, which: SQL): Promise<void> {
  await tx.execute(sql`
    insert into statement_lines (village_id, year, month, revision, seq, voucher_id, line_no, kind, account_code, amount_fen)
    select village_id, year, month, revision,
           row_number() over (partition by village_id, year, month, revision order by date, number, line_no),
           voucher_id, line_no, kind, account_code, amount_fen
      from (
        select v.village_id, v.year, v.month, v.revision, v.date, v.number, l.voucher_id, l.line_no, l.account_code,
               l.amount_fen,
               ${LINE_FLOW} as kind
          from periods p
          join vouchers v on v.village_id = p.village_id and v.year = p.year and v.month = p.month
                         and v.revision = p.revision
          join voucher_lines l on l.village_id = v.village_id and l.voucher_id = v.id
          join accounts a on a.standard = l.standard and a.code = left(l.account_code, 3)
         where ${which}
        window voucher as (partition by l.village_id, l.voucher_id)
      ) f
     where kind is not null`);
}

/**
 * Derives `statement_changes` for the corrections `which` selects (a condition on `periods p`, revision > 1): every
 * voucher number added, removed or changed against the revision before, comparing what the public sees of it.
 */
export async function deriveStatementChanges(tx: DbOrTx, which: SQL): Promise<void> {
  await tx.execute(sql`
    with wanted as (select p.village_id, p.year, p.month, p.revision from periods p where ${which} and p.revision > 1),
    pub as (
      select w.village_id, w.year, w.month, w.revision as wanted_revision, v.revision, v.number, v.summary_public,
             jsonb_build_object('date', v.date, 'summary', v.summary_public, 'attachments', v.attachments,
                                'preparer', v.preparer, 'reviewer', v.reviewer, 'approver', v.approver,
                                'lines', (select jsonb_agg(jsonb_build_array(l.line_no, l.account_code, l.side,
                                                 l.amount_fen::text, l.summary_public, l.counterparty_public,
                                                 l.payment_method) order by l.line_no)
                                            from voucher_lines l where l.village_id = v.village_id and l.voucher_id = v.id)) as shown,
             (select sum(l.amount_fen) from voucher_lines l
               where l.village_id = v.village_id and l.voucher_id = v.id and l.side = 'debit') as total_fen
        from wanted w
        join vouchers v on v.village_id = w.village_id and v.year = w.year and v.month = w.month
                       and v.revision in (w.revision - 1, w.revision)
    ),
    b as (select * from pub where revision = wanted_revision - 1),
    a as (select * from pub where revision = wanted_revision)
    insert into statement_changes (village_id, year, month, revision, voucher_number, kind, summary_before,
                                   summary_after, amount_before_fen, amount_after_fen)
    select coalesce(a.village_id, b.village_id), coalesce(a.year, b.year), coalesce(a.month, b.month),
           coalesce(a.wanted_revision, b.wanted_revision), coalesce(a.number, b.number),
           case when b.number is null then 'added' when a.number is null then 'removed' else 'changed' end,
           b.summary_public, a.summary_public, b.total_fen, a.total_fen
      from a full join b on b.village_id = a.village_id and b.year = a.year and b.month = a.month
                        and b.wanted_revision = a.wanted_revision and b.number = a.number
     where a.number is null or b.number is null or a.shown <> b.shown`);
}

/** Both derivations for every published revision at once: for loaders that write published months in bulk. */
export async function derivePublishedStatements(tx: DbOrTx): Promise<void> {
  await deriveStatementLines(tx, sql`p.status = 'published'`);
  await deriveStatementChanges(tx, sql`p.status = 'published'`);
}

function periodIs(key: PeriodKey) {
  return and(eq(periods.villageId, key.villageId), eq(periods.year, key.year), eq(periods.month, key.month));
}

type ClassOf = (standard: AccountStandard, topCode: string) => AccountClass | undefined;

async function accountClasses(tx: Tx): Promise<ClassOf> {
  const rows = await tx
    .select({ standard: accounts.standard, code: accounts.code, cls: accounts.class })
    .from(accounts);
  const map = new Map(rows.map((r) => [`${r.standard}:${r.code}`, r.cls]));
  return (standard, topCode) => map.get(`${standard}:${topCode}`);
}

export function previousMonth(year: number, month: number): { year: number; month: number } {
  return month === 1 ? { year: year - 1, month: 12 } : { year, month: month - 1 };
}

async function currentRevision(tx: Tx, villageId: number, year: number, month: number): Promise<number | undefined> {
  const [row] = await tx
    .select({ revision: periods.revision })
    .from(periods)
    .where(and(periodIs({ villageId, year, month }), eq(periods.status, 'published')))
    .orderBy(desc(periods.revision))
    .limit(1);
  return row?.revision;
}

async function closingBalances(
  tx: Tx,
  key: PeriodKey & { revision: number },
): Promise<{ standard: AccountStandard; closing: Map<string, Fen> }> {
  const rows = await tx
    .select({
      standard: statementRollups.standard,
      code: statementRollups.accountCode,
      closing: statementRollups.closingFen,
    })
    .from(statementRollups)
    .where(
      and(
        eq(statementRollups.villageId, key.villageId),
        eq(statementRollups.year, key.year),
        eq(statementRollups.month, key.month),
        eq(statementRollups.revision, key.revision),
      ),
    );
  return {
    standard: rows[0]?.standard ?? (key.year < 2024 ? '2004' : '2023'),
    closing: new Map(rows.map((r) => [r.code, r.closing])),
  };
}

/** The month's opening balances: last month's closing carried forward, or the books' 期初余额 in the first month. */
async function openingFor(
  tx: Tx,
  key: PeriodKey,
  standard: AccountStandard,
  classOf: ClassOf,
): Promise<Map<string, Fen>> {
  const prev = previousMonth(key.year, key.month);
  const prevRevision = await currentRevision(tx, key.villageId, prev.year, prev.month);
  if (prevRevision !== undefined) {
    const before = await closingBalances(tx, { villageId: key.villageId, ...prev, revision: prevRevision });
    const opening = carryForward({
      closing: before.closing,
      from: { year: prev.year, standard: before.standard },
      to: { year: key.year, standard },
      classOf,
    });
    if (before.standard !== standard) await copyAccountNames(tx, key.villageId, before.standard, standard, opening);
    return opening;
  }
  const [earlier] = await tx
    .select({ year: periods.year, month: periods.month })
    .from(periods)
    .where(
      and(
        eq(periods.villageId, key.villageId),
        eq(periods.status, 'published'),
        sql`(${periods.year}, ${periods.month}) < (${key.year}, ${key.month})`,
      ),
    )
    .limit(1);
  if (earlier) {
    throw new LedgerError(
      'PERIOD_OUT_OF_ORDER',
      `请先公开${prev.year}年${prev.month}月，再公开${key.year}年${key.month}月`,
      { missingYear: prev.year, missingMonth: prev.month },
    );
  }
  const rows = await tx
    .select({ code: openingBalances.accountCode, balance: openingBalances.balanceFen })
    .from(openingBalances)
    .where(
      and(
        eq(openingBalances.villageId, key.villageId),
        eq(openingBalances.year, key.year),
        eq(openingBalances.month, key.month),
      ),
    );
  return new Map(rows.map((r) => [r.code, r.balance]));
}

/** When balances move to the new chart, their sub-accounts keep their names under the new codes. */
async function copyAccountNames(
  tx: Tx,
  villageId: number,
  from: AccountStandard,
  to: AccountStandard,
  opening: Map<string, Fen>,
): Promise<void> {
  const old = await tx
    .select({ code: villageAccounts.code, name: villageAccounts.name })
    .from(villageAccounts)
    .where(and(eq(villageAccounts.villageId, villageId), eq(villageAccounts.standard, from)));
  const nameByNewCode = new Map<string, string>();
  for (const a of old) {
    if (a.code.length <= 3) continue;
    try {
      nameByNewCode.set(mapCode(a.code, from, to), a.name);
    } catch {
      // income and expense sub-accounts have no balance to carry
    }
  }
  await ensureVillageAccounts(
    tx,
    villageId,
    to,
    [...opening.keys()].map((code) => ({ code, name: nameByNewCode.get(code) })),
  );
}

/** One pass over the month's lines, grouped by account. The only ledger scan a statement ever needs. */
async function ledgerMovements(tx: Tx, key: PeriodKey & { revision: number }): Promise<Map<string, Movement>> {
  const rows = await queryRows<{ code: string; debit: string; credit: string; n: number }>(
    tx,
    sql`select l.account_code as code,
               coalesce(sum(l.amount_fen) filter (where l.side = 'debit'), 0)::text as debit,
               coalesce(sum(l.amount_fen) filter (where l.side = 'credit'), 0)::text as credit,
               count(*)::int as n
          from vouchers v
          join voucher_lines l on l.village_id = v.village_id and l.voucher_id = v.id
         where v.village_id = ${key.villageId} and v.year = ${key.year} and v.month = ${key.month}
           and v.revision = ${key.revision}
         group by l.account_code`,
  );
  return new Map(rows.map((r) => [r.code, { debitFen: BigInt(r.debit), creditFen: BigInt(r.credit), lineCount: r.n }]));
}

async function writeRollups(
  tx: Tx,
  key: PeriodKey & { revision: number },
  standard: AccountStandard,
  opening: Map<string, Fen>,
  movements: Map<string, Movement>,
): Promise<void> {
  await tx
    .delete(statementRollups)
    .where(
      and(
        eq(statementRollups.villageId, key.villageId),
        eq(statementRollups.year, key.year),
        eq(statementRollups.month, key.month),
        eq(statementRollups.revision, key.revision),
      ),
    );
  const codes = [...new Set([...opening.keys(), ...movements.keys()])].sort();
  if (codes.length === 0) return;
  await tx.insert(statementRollups).values(
    codes.map((code) => {
      const open = opening.get(code) ?? 0n;
      const m = movements.get(code) ?? { debitFen: 0n, creditFen: 0n, lineCount: 0 };
      return {
        villageId: key.villageId,
        year: key.year,
        month: key.month,
        revision: key.revision,
        standard,
        accountCode: code,
        openingFen: open,
        debitFen: m.debitFen,
        creditFen: m.creditFen,
        closingFen: open + m.debitFen - m.creditFen,
        lineCount: m.lineCount,
      };
    }),
  );
}

/**
 * After a correction, every later published month opens with different balances. Their movements are unchanged,
 * so only openings and closings are rewritten, month after month until a gap. Returns how many months changed.
 */
async function recomputeLaterOpenings(tx: Tx, from: PeriodKey, classOf: ClassOf): Promise<number> {
  const later = await tx
    .select({ year: periods.year, month: periods.month, revision: sql<number>`max(${periods.revision})` })
    .from(periods)
    .where(
      and(
        eq(periods.villageId, from.villageId),
        eq(periods.status, 'published'),
        sql`(${periods.year}, ${periods.month}) > (${from.year}, ${from.month})`,
      ),
    )
    .groupBy(periods.year, periods.month)
    .orderBy(asc(periods.year), asc(periods.month));
  let prev = { year: from.year, month: from.month };
  let count = 0;
  for (const month of later) {
    const expected = previousMonth(month.year, month.month);
    if (expected.year !== prev.year || expected.month !== prev.month) break;
    const revision = Number(month.revision);
    const prevRevision = (await currentRevision(tx, from.villageId, prev.year, prev.month))!;
    const before = await closingBalances(tx, { villageId: from.villageId, ...prev, revision: prevRevision });
    const standard: AccountStandard = month.year < 2024 ? '2004' : '2023';
    const opening = carryForward({
      closing: before.closing,
      from: { year: prev.year, standard: before.standard },
      to: { year: month.year, standard },
      classOf,
    });
    const key = { villageId: from.villageId, year: month.year, month: month.month, revision };
    const existing = await tx
      .select({
        code: statementRollups.accountCode,
        debitFen: statementRollups.debitFen,
        creditFen: statementRollups.creditFen,
        lineCount: statementRollups.lineCount,
      })
      .from(statementRollups)
      .where(
        and(
          eq(statementRollups.villageId, key.villageId),
          eq(statementRollups.year, key.year),
          eq(statementRollups.month, key.month),
          eq(statementRollups.revision, key.revision),
        ),
      );
    const movements = new Map(existing.map((r) => [r.code, r]));
    await writeRollups(tx, key, standard, opening, movements);
    prev = { year: month.year, month: month.month };
    count++;
  }
  return count;
}

/** The revision's vouchers as the public sees them, in digest order. */
export async function publicLedger(tx: DbOrTx, key: PeriodKey & { revision: number }): Promise<DigestVoucher[]> {
  const vs = await tx
    .select({
      id: vouchers.id,
      number: vouchers.number,
      date: vouchers.date,
      summaryPublic: vouchers.summaryPublic,
      attachments: vouchers.attachments,
      preparer: vouchers.preparer,
      reviewer: vouchers.reviewer,
      approver: vouchers.approver,
    })
    .from(vouchers)
    .where(
      and(
        eq(vouchers.villageId, key.villageId),
        eq(vouchers.year, key.year),
        eq(vouchers.month, key.month),
        eq(vouchers.revision, key.revision),
      ),
    )
    .orderBy(asc(vouchers.number));
  const lines = await tx
    .select({
      voucherId: voucherLines.voucherId,
      lineNo: voucherLines.lineNo,
      accountCode: voucherLines.accountCode,
      side: voucherLines.side,
      amountFen: voucherLines.amountFen,
      summaryPublic: voucherLines.summaryPublic,
      counterpartyPublic: voucherLines.counterpartyPublic,
      paymentMethod: voucherLines.paymentMethod,
    })
    .from(voucherLines)
    .innerJoin(vouchers, and(eq(vouchers.villageId, voucherLines.villageId), eq(vouchers.id, voucherLines.voucherId)))
    .where(
      and(
        eq(vouchers.villageId, key.villageId),
        eq(vouchers.year, key.year),
        eq(vouchers.month, key.month),
        eq(vouchers.revision, key.revision),
      ),
    )
    .orderBy(asc(voucherLines.voucherId), asc(voucherLines.lineNo));
  const byVoucher = new Map<number, DigestVoucher['lines']>();
  for (const { voucherId, ...line } of lines) {
    const list = byVoucher.get(voucherId) ?? [];
    list.push(line);
    byVoucher.set(voucherId, list);
  }
  return vs.map(({ id, ...v }) => ({ ...v, lines: byVoucher.get(id) ?? [] }));
}
