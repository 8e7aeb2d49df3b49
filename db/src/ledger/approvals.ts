import { and, asc, desc, eq, isNull, sql } from 'drizzle-orm';
import { queryRows, type DbOrTx, type Tx } from '../client.ts';
import { attachments } from '../schema/attachments.ts';
import { periods } from '../schema/ledger.ts';
import { voucherFlags } from '../schema/review.ts';
import { flagAnswers, periodReviews } from '../schema/supervision.ts';
import { appendAudit } from './audit.ts';
import type { DigestReview } from './digest.ts';
import { LedgerError } from './errors.ts';
import { supervisorFlagKey } from './flag-keys.ts';
import { latestRevision, lockVillageLedger, STATUS_LABELS, type PeriodKey } from './periods.ts';
import { evaluateRedFlags, frozenFlags, type RedFlagFound } from './red-flags.ts';
import { beijingDate, rulesInForce, type RulesInForce } from './red-flag-rules.ts';

/**
 * The review of a submitted month: a supervisor approves what they saw (`content_mark`) or sends it back with reasons;
 * the committee answers every flag in writing; publishing (`publishSubmitted`) needs both. See README.md.
 */

type Key = PeriodKey & { revision: number };

/** A doubt a supervisor raised on a voucher (`voucher_flags`), beside the automatic flags. */
export interface SupervisorFlag {
  key: string;
  ruleCode: 'SUPERVISOR';
  voucherNumber: number;
  amountFen: null;
  /** The supervisor's reason. */
  detail: string;
  raisedBy: string;
  raisedAt: Date;
}

export interface FlagAnswer {
  flagKey: string;
  body: string;
  author: string;
  answeredAt: Date;
}

export interface ReviewState {
  /** The approval the month rests on: the latest decision on this revision, if it approved. */
  approval: { by: string; at: Date; note: string } | null;
  /** The approval saw other content than the revision holds now (an upload, a post or a deletion since). */
  stale: boolean;
  flags: (RedFlagFound | SupervisorFlag)[];
  answers: FlagAnswer[];
  /** Keys of the flags without an answer. */
  unanswered: string[];
  /** The rules the automatic flags were judged by now; null for a published month (its flags are frozen). */
  rules: RulesInForce | null;
  /** Attachments whose redaction no supervisor has confirmed (as the view is now); none once published. */
  unconfirmedAttachments: { id: number; voucherNumber: number | null; filename: string }[];
}

const NOTE_MAX = 2000;

/**
 * A fingerprint of what a revision holds now: SHA-256 over every voucher and line, unmasked fields included, in
 * number and line order, then (when there are any) every attachment's published view and thumbnail by hash, so a
 * swapped or newly redacted image makes an approval stale. Any upload, manual post or deletion that changes the
 * content changes it; uploading the very same content again does not. A revision without attachments keeps the mark
 * it had before attachments existed. One query, however large the month.
 */
export async function contentMark(db: DbOrTx, key: Key): Promise<string> {
  const [row] = await queryRows<{ mark: string | null }>(
    db,
    sql`select encode(sha256(convert_to(coalesce((select string_agg(
              -- The text form of a row quotes and escapes its fields and leaves NULL empty: one text per content.
              row(v.number, v.date, v.summary, v.attachments, v.preparer, v.reviewer, v.approver,
                  l.line_no, l.account_code, l.side, l.amount_fen, l.summary,
                  l.counterparty_name, l.counterparty_is_person, l.counterparty_id_number,
                  l.counterparty_phone, l.counterparty_bank_account, l.payment_method)::text,
              E'\n' order by v.number, l.line_no)
          from vouchers v
          left join voucher_lines l on l.village_id = v.village_id and l.voucher_id = v.id
         where v.village_id = ${key.villageId} and v.year = ${key.year} and v.month = ${key.month}
           and v.revision = ${key.revision}), '')
        || coalesce((select E'\nattachments\n' || string_agg(
              -- A PDF's further pages' views too (an image has none, so its text is what it always was).
              row(a.voucher_number, a.kind, a.derivative_sha256, a.thumbnail_sha256, a.pages)::text
                || case when a.pages > 1 then a.page_views::text else '' end,
              E'\n' order by a.voucher_number nulls first, a.derivative_sha256, a.id)
          from attachments a
         where a.village_id = ${key.villageId} and a.year = ${key.year} and a.month = ${key.month}
           and a.revision = ${key.revision}), ''), 'UTF8')), 'hex') as mark`,
  );
  return row!.mark!;
}

function periodLabel(key: PeriodKey): string {
  return `${key.year}年${key.month}月`;
}

/**
 * A supervisor's decision on the submitted month: `approved` (a note is optional) binds to the content as it is now;
 * `returned` needs a reason and moves the month back to open for the committee to correct, as a withdrawal would.
 */
export async function reviewMonth(
  tx: Tx,
  input: PeriodKey & {
    actor: string;
    decision: 'approved' | 'returned';
    note: string;
    /** When the decision was made (default now): for loaders that write history, such as the demo seed. */
    at?: Date | undefined;
  },
): Promise<void> {
  const note = input.note.trim();
  if (input.decision === 'returned' && note.length === 0) {
    throw new LedgerError('REASON_REQUIRED', '退回修改必须写明理由');
  }
  if (note.length > NOTE_MAX) {
    throw new LedgerError('REASON_REQUIRED', `审核意见不能超过 ${NOTE_MAX} 字`);
  }
  await lockVillageLedger(tx, input.villageId);
  const latest = await latestRevision(tx, input);
  if (latest?.status !== 'submitted') {
    throw new LedgerError(
      'PERIOD_NOT_SUBMITTED',
      `${periodLabel(input)}${latest ? STATUS_LABELS[latest.status] : '尚未开账'}，只有提交审核后的月份才能审核`,
      { status: latest?.status ?? null },
    );
  }
  const key = { villageId: input.villageId, year: input.year, month: input.month, revision: latest.revision };
  const mark = await contentMark(tx, key);
  await tx.insert(periodReviews).values({
    ...key,
    decision: input.decision,
    note,
    reviewer: input.actor,
    contentMark: mark,
    ...(input.at ? { createdAt: input.at } : {}),
  });
  if (input.decision === 'returned') {
    await tx
      .update(periods)
      .set({ status: 'open', submittedAt: null, submittedBy: null })
      .where(
        and(
          eq(periods.villageId, key.villageId),
          eq(periods.year, key.year),
          eq(periods.month, key.month),
          eq(periods.revision, key.revision),
        ),
      );
  }
  await appendAudit(tx, {
    villageId: input.villageId,
    actor: input.actor,
    action: input.decision === 'approved' ? 'period.approve' : 'period.return',
    entity: 'period',
    entityKey: `${key.year}-${key.month}#${key.revision}`,
    reason: note || undefined,
    details: { contentMark: mark },
  });
}

/**
 * The committee's written answer to a flag of the month's current revision, automatic or raised by a supervisor.
 * The flag must be on the month now (an automatic flag as the rules see the content today); answering again replaces
 * the answer until the month is published, and every answer is in the audit log.
 */
export async function answerFlag(
  tx: Tx,
  input: PeriodKey & {
    actor: string;
    flagKey: string;
    body: string;
    /** When it was answered, and the instant the flags are judged at (default now): for loaders that write history. */
    at?: Date | undefined;
  },
): Promise<void> {
  await answerFlags(tx, { ...input, answers: [{ flagKey: input.flagKey, body: input.body }] });
}

/** `answerFlag` for several flags of one month at once: the flags are judged once, all answers or none are written. */
export async function answerFlags(
  tx: Tx,
  input: PeriodKey & { actor: string; answers: { flagKey: string; body: string }[]; at?: Date | undefined },
): Promise<void> {
  const answers = input.answers.map((a) => ({ flagKey: a.flagKey, body: a.body.trim() }));
  for (const a of answers) {
    if (a.body.length === 0 || a.body.length > NOTE_MAX) {
      throw new LedgerError('ANSWER_INVALID', `答复应为 1 到 ${NOTE_MAX} 个字`, { flagKey: a.flagKey });
    }
  }
  await lockVillageLedger(tx, input.villageId);
  const latest = await latestRevision(tx, input);
  if (!latest || latest.status === 'published') {
    throw new LedgerError(
      'PERIOD_NOT_OPEN',
      latest
        ? `${periodLabel(input)}已公开，答复已随月份公开，不能再改`
        : `${periodLabel(input)}尚未开账，没有可答复的疑点`,
      { status: latest?.status ?? null },
    );
  }
  const key = { villageId: input.villageId, year: input.year, month: input.month, revision: latest.revision };
  const { flags } = await currentFlags(tx, key, input.at);
  for (const a of answers) {
    if (!flags.some((f) => f.key === a.flagKey)) {
      throw new LedgerError('FLAG_NOT_FOUND', `${periodLabel(input)}现在没有疑点 ${a.flagKey}`, {
        flagKey: a.flagKey,
      });
    }
  }
  for (const a of answers) {
    await tx
      .insert(flagAnswers)
      .values({ ...key, flagKey: a.flagKey, body: a.body, author: input.actor, answeredAt: input.at ?? sql`now()` })
      .onConflictDoUpdate({
        target: [flagAnswers.villageId, flagAnswers.year, flagAnswers.month, flagAnswers.revision, flagAnswers.flagKey],
        set: { body: a.body, author: input.actor, answeredAt: input.at ?? sql`now()` },
      });
    await appendAudit(tx, {
      villageId: input.villageId,
      actor: input.actor,
      action: 'flag.answer',
      entity: 'period',
      entityKey: `${key.year}-${key.month}#${key.revision}`,
      details: { flagKey: a.flagKey, body: a.body },
    });
  }
}

/** The supervisors' flags of a revision, oldest first. */
export async function supervisorFlags(db: DbOrTx, key: Key): Promise<SupervisorFlag[]> {
  const rows = await db
    .select({
      id: voucherFlags.id,
      voucherNumber: voucherFlags.voucherNumber,
      author: voucherFlags.author,
      reason: voucherFlags.reason,
      createdAt: voucherFlags.createdAt,
    })
    .from(voucherFlags)
    .where(
      and(
        eq(voucherFlags.villageId, key.villageId),
        eq(voucherFlags.year, key.year),
        eq(voucherFlags.month, key.month),
        eq(voucherFlags.revision, key.revision),
      ),
    )
    .orderBy(asc(voucherFlags.id));
  return rows.map((r) => ({
    key: supervisorFlagKey(r.id),
    ruleCode: 'SUPERVISOR',
    voucherNumber: r.voucherNumber,
    amountFen: null,
    detail: r.reason,
    raisedBy: r.author,
    raisedAt: r.createdAt,
  }));
}

/** Every flag of a revision: the automatic ones (frozen once published, else as the rules see it at `at`), then the supervisors'. */
async function currentFlags(
  db: DbOrTx,
  key: Key,
  at: Date = new Date(),
): Promise<{ flags: (RedFlagFound | SupervisorFlag)[]; rules: RulesInForce | null }> {
  const [period] = await db
    .select({ status: periods.status })
    .from(periods)
    .where(
      and(
        eq(periods.villageId, key.villageId),
        eq(periods.year, key.year),
        eq(periods.month, key.month),
        eq(periods.revision, key.revision),
      ),
    );
  const rules = period?.status === 'published' ? null : await rulesInForce(db, key.villageId, beijingDate(at));
  const automatic = rules ? await evaluateRedFlags(db, key, rules, { publishedAt: at }) : await frozenFlags(db, key);
  return { flags: [...automatic, ...(await supervisorFlags(db, key))], rules };
}

export async function flagAnswersOf(db: DbOrTx, key: Key): Promise<FlagAnswer[]> {
  return db
    .select({
      flagKey: flagAnswers.flagKey,
      body: flagAnswers.body,
      author: flagAnswers.author,
      answeredAt: flagAnswers.answeredAt,
    })
    .from(flagAnswers)
    .where(
      and(
        eq(flagAnswers.villageId, key.villageId),
        eq(flagAnswers.year, key.year),
        eq(flagAnswers.month, key.month),
        eq(flagAnswers.revision, key.revision),
      ),
    )
    .orderBy(asc(flagAnswers.flagKey));
}

/**
 * Where a revision's review stands: its approval (the one recorded at publication, for a published month), whether
 * the content changed since, every flag and which of them lack an answer. `publishedAt` evaluates the automatic flags
 * as of a publication at that instant (default now).
 */
export async function reviewState(
  db: DbOrTx,
  key: Key,
  options: { publishedAt?: Date | undefined } = {},
): Promise<ReviewState> {
  const [period] = await db
    .select({
      status: periods.status,
      approvedBy: periods.approvedBy,
      approvedAt: periods.approvedAt,
      approvalNote: periods.approvalNote,
    })
    .from(periods)
    .where(
      and(
        eq(periods.villageId, key.villageId),
        eq(periods.year, key.year),
        eq(periods.month, key.month),
        eq(periods.revision, key.revision),
      ),
    );
  const { flags, rules } = await currentFlags(db, key, options.publishedAt);
  const answers = await flagAnswersOf(db, key);
  const answered = new Set(answers.map((a) => a.flagKey));
  const unanswered = flags.filter((f) => !answered.has(f.key)).map((f) => f.key);
  if (period?.status === 'published') {
    const approval =
      period.approvedBy && period.approvedAt
        ? { by: period.approvedBy, at: period.approvedAt, note: period.approvalNote ?? '' }
        : null;
    return { approval, stale: false, flags, answers, unanswered, rules, unconfirmedAttachments: [] };
  }
  const unconfirmedAttachments = await db
    .select({ id: attachments.id, voucherNumber: attachments.voucherNumber, filename: attachments.filename })
    .from(attachments)
    .where(
      and(
        eq(attachments.villageId, key.villageId),
        eq(attachments.year, key.year),
        eq(attachments.month, key.month),
        eq(attachments.revision, key.revision),
        isNull(attachments.confirmedBy),
      ),
    )
    .orderBy(sql`${attachments.voucherNumber} asc nulls first`, asc(attachments.id));
  const last = await latestDecision(db, key);
  if (!last || last.decision !== 'approved')
    return { approval: null, stale: false, flags, answers, unanswered, rules, unconfirmedAttachments };
  return {
    approval: { by: last.reviewer, at: last.createdAt, note: last.note },
    stale: last.contentMark !== (await contentMark(db, key)),
    flags,
    answers,
    unanswered,
    rules,
    unconfirmedAttachments,
  };
}

/** What stands between a revision and its publication, in words for the committee; empty when it may be published. */
export function reviewBlockers(state: ReviewState): string[] {
  const blockers: string[] = [];
  if (!state.approval) blockers.push('还没有监督委员会成员审核通过');
  else if (state.stale) blockers.push('审核通过之后账目又有改动（上传、录入或删除凭证），须重新审核');
  if (state.unanswered.length > 0) {
    const named = state.flags
      .filter((f) => state.unanswered.includes(f.key))
      .map((f) => (f.voucherNumber === null ? `${f.key}（全月）` : `${f.key}（第${f.voucherNumber}号凭证）`));
    blockers.push(`${state.unanswered.length} 个疑点还没有书面答复：${named.join('、')}`);
  }
  if (state.unconfirmedAttachments.length > 0) {
    const named = state.unconfirmedAttachments.map(
      (a) => `${a.voucherNumber === null ? '全月文件' : `第${a.voucherNumber}号凭证`}的“${a.filename}”（附件 ${a.id}）`,
    );
    blockers.push(`${state.unconfirmedAttachments.length} 个附件的遮盖还没有监督员确认：${named.join('、')}`);
  }
  return blockers;
}

/** The latest decision on a revision if it approved the content the revision holds now; else null. */
export async function currentApproval(db: DbOrTx, key: Key): Promise<{ by: string; at: Date; note: string } | null> {
  const state = await latestDecision(db, key);
  if (!state || state.decision !== 'approved') return null;
  if (state.contentMark !== (await contentMark(db, key))) return null;
  return { by: state.reviewer, at: state.createdAt, note: state.note };
}

async function latestDecision(db: DbOrTx, key: Key) {
  const [last] = await db
    .select({
      decision: periodReviews.decision,
      reviewer: periodReviews.reviewer,
      note: periodReviews.note,
      contentMark: periodReviews.contentMark,
      createdAt: periodReviews.createdAt,
    })
    .from(periodReviews)
    .where(
      and(
        eq(periodReviews.villageId, key.villageId),
        eq(periodReviews.year, key.year),
        eq(periodReviews.month, key.month),
        eq(periodReviews.revision, key.revision),
      ),
    )
    .orderBy(desc(periodReviews.id))
    .limit(1);
  return last;
}

/**
 * The review part of a v2 or v3 digest (digest.ts), read from what is stored: the frozen flags, the supervisors' flags and
 * every answer. Publishing and verifying both build it here, so they cannot disagree.
 */
export async function digestReviewOf(
  db: DbOrTx,
  key: Key,
  approval: { by: string; at: Date; note: string } | null,
  rules: string,
): Promise<DigestReview> {
  const answers = new Map((await flagAnswersOf(db, key)).map((a) => [a.flagKey, a]));
  const flags = [...(await frozenFlags(db, key)), ...(await supervisorFlags(db, key))];
  return {
    approval,
    rules,
    flags: flags.map((f) => {
      const a = answers.get(f.key);
      return {
        key: f.key,
        ruleCode: f.ruleCode,
        voucherNumber: f.voucherNumber,
        amountFen: f.amountFen,
        detail: f.detail,
        raisedBy: f.ruleCode === 'SUPERVISOR' ? (f as SupervisorFlag).raisedBy : null,
        answer: a ? { body: a.body, author: a.author, answeredAt: a.answeredAt } : null,
      };
    }),
  };
}
