import { createHash, createHmac } from 'node:crypto';
import { and, desc, eq, sql } from 'drizzle-orm';
import { queryRows, type DbOrTx, type Tx } from '../client.ts';
import { voucherLines } from '../schema/ledger.ts';
import { questions } from '../schema/questions.ts';
import { appendAudit, appendSystemAudit } from './audit.ts';
import { LedgerError } from './errors.ts';
import { createTextMasker, maskName, maskPhone } from './privacy.ts';

/**
 * Villagers' questions, asked without an account, and the committee's public answers on a clock (issue 15). Every
 * caller (the API, the CLI, the demo seed, the bench) asks, answers and hides through here; see README.md.
 */

export const QUESTION_BODY_MAX = 500;
export const QUESTION_CONTACT_MAX = 50;
export const QUESTION_ANSWER_MAX = 2000;
export const QUESTION_HIDE_REASON_MAX = 200;
/** Days to answer when neither the town nor its district set their own (MINGBAI_QUESTION_DUE_DAYS overrides it). */
export const DEFAULT_QUESTION_DUE_DAYS = 10;
export const QUESTION_DUE_DAYS_MIN = 1;
export const QUESTION_DUE_DAYS_MAX = 60;
/** Who the audit log names for an ask: nobody signs in to ask. */
export const ASKER_ACTOR = 'public';

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;
/** The same text asked again in the same village within this long is the same question. */
const DUPLICATE_WINDOW_MS = DAY_MS;

export type QuestionStatus = 'OPEN' | 'ANSWERED' | 'OVERDUE';

/** Asks per hour: per asker (the HMAC of their address) in every village, and per village from every asker. */
export interface QuestionLimits {
  perAddressHour: number;
  perVillageHour: number;
}

export interface QuestionAbout {
  year: number;
  month: number;
  voucherNumber: number | null;
}

/** A question as stored, every field (the committee's view); the public view drops what is private. */
export interface QuestionRecordRow {
  villageId: number;
  id: number;
  about: QuestionAbout | null;
  numberYear: number;
  seq: number;
  body: string;
  bodyPublic: string;
  contact: string | null;
  askerKey: string;
  askedAt: Date;
  dueAt: Date;
  answer: {
    body: string;
    bodyPublic: string;
    answeredAt: Date;
    answeredBy: string;
    answeredByRole: string;
    revision: number | null;
    voucherNumber: number | null;
  } | null;
  hidden: { at: Date; by: string; reason: string } | null;
}

// ---- Numbers ----

/** `付村-2026-0012`: the village's name, the year asked (Beijing time), the number within that year. */
export function formatQuestionNumber(villageName: string, numberYear: number, seq: number): string {
  return `${villageName}-${questionNumberTail(numberYear, seq)}`;
}

/** `2026-0012`: the number without the village, as the portal's URL carries it. */
export function questionNumberTail(numberYear: number, seq: number): string {
  return `${numberYear}-${String(seq).padStart(4, '0')}`;
}

/**
 * The year and number of `付村-2026-0012` or `2026-0012`; undefined for anything else, or when the full form names
 * another village than `villageName`.
 */
export function parseQuestionNumber(
  text: string,
  villageName?: string,
): { numberYear: number; seq: number } | undefined {
  const match = /^(?:(.+)-)?(\d{4})-(\d{1,7})$/u.exec(text.trim());
  if (!match) return undefined;
  if (match[1] !== undefined && villageName !== undefined && match[1] !== villageName) return undefined;
  const numberYear = Number(match[2]);
  const seq = Number(match[3]);
  if (numberYear < 1900 || numberYear > 9999 || seq < 1) return undefined;
  return { numberYear, seq };
}

/** The year in Beijing (UTC+8) at `at`: questions are numbered by it. */
function beijingYear(at: Date): number {
  return new Date(at.getTime() + 8 * HOUR_MS).getUTCFullYear();
}

// ---- What may be asked ----

/**
 * Control characters other than the newline (NUL, escapes, DEL, C1), the bidirectional overrides that make text read
 * other than it is stored, and lone surrogates (PostgreSQL cannot store them).
 */
const FORBIDDEN_CHARACTERS =
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/u;

const invalid = (message: string, field: string) => new LedgerError('QUESTION_INVALID', message, { field });

/** Characters as people count them (and PostgreSQL's char_length): code points, not UTF-16 units. */
const charCount = (text: string) => [...text].length;

/**
 * The text of a question or an answer as it is kept: line breaks as `\n` (a form sends `\r\n`), trimmed, between 1 and
 * `max` characters, no control characters but the newline. Refuses with QUESTION_INVALID and a Chinese message.
 */
export function checkQuestionText(text: string, max: number, what = '问题', field = 'body'): string {
  const kept = text.replace(/\r\n?/g, '\n').trim();
  if (kept.length === 0) throw invalid(`${what}不能为空`, field);
  if (FORBIDDEN_CHARACTERS.test(kept)) {
    throw invalid(`${what}里有不允许的控制字符（如 NUL、制表符、方向控制符），请删去后再提交`, field);
  }
  const count = charCount(kept);
  if (count > max) throw invalid(`${what}最多 ${max} 个字，现在有 ${count} 个`, field);
  return kept;
}

/** A name or phone number the asker left (optional): letters, digits, spaces and + - ( ) · . only, ≤ 50 characters. */
export function checkContact(contact: string | null | undefined): string | null {
  const kept = (contact ?? '').trim();
  if (kept.length === 0) return null;
  if (charCount(kept) > QUESTION_CONTACT_MAX) {
    throw invalid(`联系方式最多 ${QUESTION_CONTACT_MAX} 个字`, 'contact');
  }
  if (!/^[\p{L}\p{N} +\-()（）·.]+$/u.test(kept)) {
    throw invalid('联系方式只能写姓名或电话号码（文字、数字、空格和 + - ( ) · .）', 'contact');
  }
  return kept;
}

/**
 * A contact as lists show it to the committee: the phone number as 138****5678, the name as 张*. The whole contact is
 * read only on one question's page (`CommitteeQuestion`), never in a list, never by the public.
 */
export function maskContact(contact: string): string {
  const digits = contact.replace(/[^0-9０-９]/g, '').replace(/[０-９]/g, (c) => String(c.charCodeAt(0) - 0xff10));
  const name = contact.replace(/[0-9０-９ +\-()（）·.]/g, '');
  const phone = digits.length === 13 && digits.startsWith('86') ? digits.slice(2) : digits;
  return [name ? maskName(name) : '', phone ? maskPhone(phone) : ''].filter(Boolean).join(' ');
}

/**
 * The text a duplicate is recognised by: Unicode-normalised (full-width as half-width), lower case, every run of
 * whitespace and the punctuation at the end ignored. SHA-256, hex.
 */
export function questionBodyHash(body: string): string {
  const normalised = body
    .normalize('NFKC')
    .toLowerCase()
    .replace(/\s+/gu, '')
    .replace(/[\p{P}]+$/u, '');
  return createHash('sha256').update(normalised).digest('hex');
}

/** The asker's key: HMAC-SHA256 of their address with the server's secret, so limits hold without storing addresses. */
export function askerKeyOf(address: string, secret: string): string {
  return createHmac('sha256', secret).update(address).digest('hex');
}

/**
 * The masker for a village's questions and answers, like its 摘要: numbers however written, the names of the persons
 * the village pays (any of its voucher lines with a person as counterparty), names a cue introduces.
 */
async function villageMasker(db: DbOrTx, villageId: number): Promise<(text: string) => string> {
  const rows = await db
    .selectDistinct({ name: voucherLines.counterpartyName })
    .from(voucherLines)
    .where(and(eq(voucherLines.villageId, villageId), eq(voucherLines.counterpartyIsPerson, true)));
  return createTextMasker(rows.flatMap((r) => (r.name ? [r.name] : [])));
}

/** The current (latest published) revision of a month, or undefined while it is not public. */
async function publishedRevision(db: DbOrTx, villageId: number, year: number, month: number): Promise<number[]> {
  const rows = await queryRows<{ revision: number }>(
    db,
    sql`select revision from periods
         where village_id = ${villageId} and year = ${year} and month = ${month} and status = 'published'
         order by revision desc`,
  );
  return rows.map((r) => Number(r.revision));
}

async function voucherExists(
  db: DbOrTx,
  key: { villageId: number; year: number; month: number; revision: number },
  number: number,
): Promise<boolean> {
  const rows = await queryRows<{ one: number }>(
    db,
    sql`select 1 as one from vouchers
         where village_id = ${key.villageId} and year = ${key.year} and month = ${key.month}
           and revision = ${key.revision} and number = ${number} limit 1`,
  );
  return rows.length > 0;
}

/** A timestamp as a query parameter, the same on both drivers. */
const at = (d: Date) => sql`${d.toISOString()}::timestamptz`;

const isInt = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n);

/** What a question is about: nothing (the village), a published month, or a voucher of that month's current revision. */
async function checkAbout(
  db: DbOrTx,
  villageId: number,
  input: {
    year?: number | null | undefined;
    month?: number | null | undefined;
    voucherNumber?: number | null | undefined;
  },
): Promise<QuestionAbout | null> {
  const { year, month, voucherNumber } = input;
  const none = (v: unknown) => v === null || v === undefined;
  if (none(year) && none(month)) {
    if (!none(voucherNumber)) throw invalid('问凭证时须写明是哪一年哪一月的凭证', 'voucherNumber');
    return null;
  }
  if (!isInt(year) || !isInt(month) || month < 1 || month > 12 || year < 1900 || year > 9999) {
    throw invalid('年份和月份须一起给出，月份为 1 到 12', 'month');
  }
  const [revision] = await publishedRevision(db, villageId, year, month);
  if (revision === undefined) throw invalid(`${year}年${month}月的账目还没有公开，公开后才能就它提问`, 'month');
  if (none(voucherNumber)) return { year, month, voucherNumber: null };
  if (
    !isInt(voucherNumber) ||
    voucherNumber < 1 ||
    !(await voucherExists(db, { villageId, year, month, revision }, voucherNumber))
  ) {
    throw invalid(`${year}年${month}月没有第 ${String(voucherNumber)} 号凭证`, 'voucherNumber');
  }
  return { year, month, voucherNumber };
}

// ---- Ask ----

export interface AskInput {
  villageId: number;
  year?: number | null | undefined;
  month?: number | null | undefined;
  voucherNumber?: number | null | undefined;
  body: string;
  contact?: string | null | undefined;
  /** `askerKeyOf(address, secret)`. */
  askerKey: string;
  /** Days to answer when neither the village's town nor its district set them (MINGBAI_QUESTION_DUE_DAYS). */
  defaultDueDays: number;
  limits: QuestionLimits;
  /** The clock (default now): tests and the demo seed ask in the past. */
  now?: Date | undefined;
}

export interface Asked {
  id: number;
  numberYear: number;
  seq: number;
  askedAt: Date;
  dueAt: Date;
  /** The same text was asked in this village within 24 hours: that question, nothing new written. */
  duplicate: boolean;
}

/** Lock spaces of pg_advisory_xact_lock (periods.ts uses 2, audit.ts 1 and 2, red-flags.ts 14). */
const QUESTION_VILLAGE_LOCK_SPACE = 15;
const QUESTION_ASKER_LOCK_SPACE = 16;

/**
 * Asks a question: checks the text, the contact and what it is about, then under two locks (the asker's, then the
 * village's: every ask takes them in that order) returns the same text asked within 24 hours if there is one, refuses
 * past the hourly limits (counted in the database, so they hold across API processes), numbers it within the village
 * and year, sets its due date (the town's days, else the district's, else `defaultDueDays`) and writes it with its
 * audit entry. A refusal writes nothing.
 */
export async function askQuestion(tx: Tx, input: AskInput): Promise<Asked> {
  const now = input.now ?? new Date();
  const body = checkQuestionText(input.body, QUESTION_BODY_MAX);
  const contact = checkContact(input.contact);
  if (!/^[0-9a-f]{64}$/.test(input.askerKey)) throw new Error('askQuestion: askerKey must be askerKeyOf(…)');
  const about = await checkAbout(tx, input.villageId, input);
  const bodyHash = questionBodyHash(body);
  const mask = await villageMasker(tx, input.villageId);

  await tx.execute(sql`select pg_advisory_xact_lock(${QUESTION_ASKER_LOCK_SPACE}, hashtext(${input.askerKey}))`);
  await tx.execute(sql`select pg_advisory_xact_lock(${QUESTION_VILLAGE_LOCK_SPACE}, ${input.villageId})`);

  const [same] = await tx
    .select({
      id: questions.id,
      numberYear: questions.numberYear,
      seq: questions.seq,
      askedAt: questions.askedAt,
      dueAt: questions.dueAt,
    })
    .from(questions)
    .where(
      and(
        eq(questions.villageId, input.villageId),
        eq(questions.bodyHash, bodyHash),
        sql`${questions.askedAt} > ${at(new Date(now.getTime() - DUPLICATE_WINDOW_MS))}`,
        sql`${questions.askedAt} <= ${at(now)}`,
      ),
    )
    .orderBy(desc(questions.askedAt))
    .limit(1);
  if (same) return { ...same, duplicate: true };

  const hourAgo = new Date(now.getTime() - HOUR_MS);
  const [counts] = await queryRows<{
    by_asker: number;
    by_village: number;
    asker_first: string | Date | null;
    village_first: string | Date | null;
  }>(
    tx,
    sql`select (select count(*)::int from questions where asker_key = ${input.askerKey}
                  and asked_at > ${at(hourAgo)} and asked_at <= ${at(now)}) as by_asker,
               (select min(asked_at) from questions where asker_key = ${input.askerKey}
                  and asked_at > ${at(hourAgo)} and asked_at <= ${at(now)}) as asker_first,
               (select count(*)::int from questions where village_id = ${input.villageId}
                  and asked_at > ${at(hourAgo)} and asked_at <= ${at(now)}) as by_village,
               (select min(asked_at) from questions where village_id = ${input.villageId}
                  and asked_at > ${at(hourAgo)} and asked_at <= ${at(now)}) as village_first`,
  );
  const refuse = (scope: 'address' | 'village', limit: number, first: string | Date | null) => {
    const retryAt = new Date((first ? new Date(first).getTime() : now.getTime()) + HOUR_MS);
    return new LedgerError(
      'QUESTION_RATE_LIMITED',
      scope === 'address'
        ? `提问太频繁：同一网络每小时最多提 ${limit} 个问题，请一小时后再试`
        : `这个村这一小时收到的问题已达 ${limit} 个的上限，请稍后再试`,
      { scope, limit, retryAt: retryAt.toISOString() },
    );
  };
  if (counts!.by_asker >= input.limits.perAddressHour) {
    throw refuse('address', input.limits.perAddressHour, counts!.asker_first);
  }
  if (counts!.by_village >= input.limits.perVillageHour) {
    throw refuse('village', input.limits.perVillageHour, counts!.village_first);
  }

  const numberYear = beijingYear(now);
  const [place] = await queryRows<{ due_days: number | null; next_seq: number }>(
    tx,
    sql`select coalesce(t.question_due_days, d.question_due_days)::int as due_days,
               (select coalesce(max(q.seq), 0) + 1 from questions q
                 where q.village_id = v.id and q.number_year = ${numberYear})::int as next_seq
          from villages v join regions t on t.id = v.town_id left join regions d on d.id = t.parent_id
         where v.id = ${input.villageId}`,
  );
  if (!place) throw new Error(`askQuestion: no village ${input.villageId}`);
  const dueDays = place.due_days ?? input.defaultDueDays;
  const dueAt = new Date(now.getTime() + dueDays * DAY_MS);
  const [row] = await tx
    .insert(questions)
    .values({
      villageId: input.villageId,
      year: about?.year ?? null,
      month: about?.month ?? null,
      voucherNumber: about?.voucherNumber ?? null,
      numberYear,
      seq: place.next_seq,
      body,
      bodyPublic: mask(body),
      bodyHash,
      contact,
      askerKey: input.askerKey,
      askedAt: now,
      dueAt,
    })
    .returning({ id: questions.id });
  await appendAudit(tx, {
    villageId: input.villageId,
    actor: ASKER_ACTOR,
    action: 'question.ask',
    entity: 'question',
    entityKey: questionNumberTail(numberYear, place.next_seq),
    // Never the contact nor the address: the asker's key is enough to see who asked what how often.
    details: { askerKey: input.askerKey, about, bodyHash, dueAt: dueAt.toISOString(), askedAt: now.toISOString() },
  });
  return { id: row!.id, numberYear, seq: place.next_seq, askedAt: now, dueAt, duplicate: false };
}

// ---- Answer and hide ----

export interface QuestionRef {
  villageId: number;
  numberYear: number;
  seq: number;
}

async function lockedQuestion(tx: Tx, ref: QuestionRef): Promise<QuestionRecordRow> {
  await tx.execute(sql`select pg_advisory_xact_lock(${QUESTION_VILLAGE_LOCK_SPACE}, ${ref.villageId})`);
  const found = await findQuestion(tx, ref);
  if (!found) {
    throw new LedgerError('QUESTION_NOT_FOUND', `没有编号为 ${questionNumberTail(ref.numberYear, ref.seq)} 的问题`, {
      number: questionNumberTail(ref.numberYear, ref.seq),
    });
  }
  return found;
}

/**
 * The committee's answer, once (QUESTION_ANSWERED after): its text as written and masked for the public, who answered
 * in which role, and optionally a correction (a published revision of the month asked about) or a voucher of that
 * month (a payment or receipt). Late answers are accepted and shown as late.
 */
export async function answerQuestion(
  tx: Tx,
  input: QuestionRef & {
    actor: string;
    role: string;
    body: string;
    correctionRevision?: number | null | undefined;
    voucherNumber?: number | null | undefined;
    now?: Date | undefined;
  },
): Promise<QuestionRecordRow> {
  const now = input.now ?? new Date();
  const body = checkQuestionText(input.body, QUESTION_ANSWER_MAX, '答复');
  const question = await lockedQuestion(tx, input);
  const tail = questionNumberTail(input.numberYear, input.seq);
  if (question.answer) {
    throw new LedgerError('QUESTION_ANSWERED', `问题 ${tail} 已经答复过，答复公开后不能再改`, { number: tail });
  }
  const revision = input.correctionRevision ?? null;
  const voucherNumber = input.voucherNumber ?? null;
  if (revision !== null || voucherNumber !== null) {
    const about = question.about;
    if (!about)
      throw invalid(
        '这个问题不是针对某个月份的，不能附更正版本或凭证',
        revision !== null ? 'correctionRevision' : 'voucherNumber',
      );
    const published = await publishedRevision(tx, input.villageId, about.year, about.month);
    if (revision !== null && (!isInt(revision) || !published.includes(revision))) {
      throw invalid(`${about.year}年${about.month}月没有已公开的第 ${String(revision)} 版`, 'correctionRevision');
    }
    if (voucherNumber !== null) {
      const inRevision = revision ?? published[0];
      const ok =
        isInt(voucherNumber) &&
        voucherNumber > 0 &&
        inRevision !== undefined &&
        (await voucherExists(
          tx,
          { villageId: input.villageId, year: about.year, month: about.month, revision: inRevision },
          voucherNumber,
        ));
      if (!ok) throw invalid(`${about.year}年${about.month}月没有第 ${String(voucherNumber)} 号凭证`, 'voucherNumber');
    }
  }
  const mask = await villageMasker(tx, input.villageId);
  await tx
    .update(questions)
    .set({
      answerBody: body,
      answerPublic: mask(body),
      answeredAt: now,
      answeredBy: input.actor,
      answeredByRole: input.role,
      answerRevision: revision,
      answerVoucherNumber: voucherNumber,
    })
    .where(and(eq(questions.villageId, input.villageId), eq(questions.id, question.id)));
  await appendAudit(tx, {
    villageId: input.villageId,
    actor: input.actor,
    action: 'question.answer',
    entity: 'question',
    entityKey: tail,
    details: { role: input.role, body, correctionRevision: revision, voucherNumber, late: now > question.dueAt },
  });
  return (await findQuestion(tx, input))!;
}

/**
 * A supervisor hides a question that is abuse or holds someone's private data: the public sees the reason instead of
 * the text; the text stays (the committee and the audit log read it), never deleted. Once.
 */
export async function hideQuestion(
  tx: Tx,
  input: QuestionRef & { actor: string; reason: string; now?: Date | undefined },
): Promise<QuestionRecordRow> {
  const now = input.now ?? new Date();
  const reason = checkQuestionText(input.reason, QUESTION_HIDE_REASON_MAX, '隐藏理由', 'reason');
  const question = await lockedQuestion(tx, input);
  const tail = questionNumberTail(input.numberYear, input.seq);
  if (question.hidden) throw invalid(`问题 ${tail} 已经隐藏`, 'number');
  await tx
    .update(questions)
    .set({ hiddenAt: now, hiddenBy: input.actor, hiddenReason: reason })
    .where(and(eq(questions.villageId, input.villageId), eq(questions.id, question.id)));
  await appendAudit(tx, {
    villageId: input.villageId,
    actor: input.actor,
    action: 'question.hide',
    entity: 'question',
    entityKey: tail,
    reason,
  });
  return (await findQuestion(tx, input))!;
}

// ---- Reading ----

type QuestionSelect = typeof questions.$inferSelect;

export function toQuestionRecordRow(r: QuestionSelect): QuestionRecordRow {
  return {
    villageId: r.villageId,
    id: r.id,
    about:
      r.year !== null && r.month !== null ? { year: r.year, month: r.month, voucherNumber: r.voucherNumber } : null,
    numberYear: r.numberYear,
    seq: r.seq,
    body: r.body,
    bodyPublic: r.bodyPublic,
    contact: r.contact,
    askerKey: r.askerKey,
    askedAt: r.askedAt,
    dueAt: r.dueAt,
    answer:
      r.answeredAt && r.answerBody !== null && r.answerPublic !== null
        ? {
            body: r.answerBody,
            bodyPublic: r.answerPublic,
            answeredAt: r.answeredAt,
            answeredBy: r.answeredBy ?? '',
            answeredByRole: r.answeredByRole ?? '',
            revision: r.answerRevision,
            voucherNumber: r.answerVoucherNumber,
          }
        : null,
    hidden: r.hiddenAt ? { at: r.hiddenAt, by: r.hiddenBy ?? '', reason: r.hiddenReason ?? '' } : null,
  };
}

export async function findQuestion(db: DbOrTx, ref: QuestionRef): Promise<QuestionRecordRow | undefined> {
  const [row] = await db
    .select()
    .from(questions)
    .where(
      and(eq(questions.villageId, ref.villageId), eq(questions.numberYear, ref.numberYear), eq(questions.seq, ref.seq)),
    );
  return row && toQuestionRecordRow(row);
}

/** OPEN until its due date, OVERDUE (逾期) after it, ANSWERED once answered (late or not): computed, never stored. */
export function questionStatus(q: { dueAt: Date; answer: unknown }, now: Date): QuestionStatus {
  if (q.answer) return 'ANSWERED';
  return now.getTime() > q.dueAt.getTime() ? 'OVERDUE' : 'OPEN';
}

/** The condition on the `questions` table (alias `q`) for a status at `now`. */
export function questionStatusSql(status: QuestionStatus, now: Date) {
  if (status === 'ANSWERED') return sql`q.answered_at is not null`;
  if (status === 'OPEN') return sql`(q.answered_at is null and q.due_at >= ${at(now)})`;
  return sql`(q.answered_at is null and q.due_at < ${at(now)})`;
}

/** A village's record over the months before `now`: what was asked, answered on time or late, still open, overdue. */
export interface QuestionRecord {
  months: number;
  asked: number;
  answeredOnTime: number;
  answeredLate: number;
  open: number;
  overdue: number;
}

export const RECORD_MONTHS = 12;

/**
 * The record of each village over the last 12 months, in one statement. Hidden questions (abuse, someone's private
 * data) are left out: they are not questions the committee could fairly be held to.
 */
export async function questionRecords(
  db: DbOrTx,
  villageIds: readonly number[],
  now: Date = new Date(),
): Promise<Map<number, QuestionRecord>> {
  const out = new Map<number, QuestionRecord>();
  for (const id of villageIds) out.set(id, emptyRecord());
  if (villageIds.length === 0) return out;
  const rows = await queryRows<{
    village_id: number;
    asked: number;
    on_time: number;
    late: number;
    open: number;
    overdue: number;
  }>(
    db,
    sql`select q.village_id, count(*)::int as asked,
               count(*) filter (where q.answered_at is not null and q.answered_at <= q.due_at)::int as on_time,
               count(*) filter (where q.answered_at > q.due_at)::int as late,
               count(*) filter (where q.answered_at is null and q.due_at >= ${at(now)})::int as open,
               count(*) filter (where q.answered_at is null and q.due_at < ${at(now)})::int as overdue
          from questions q
         where q.village_id in (${sql.join(
           villageIds.map((id) => sql`${id}`),
           sql`, `,
         )})
           and q.asked_at > ${at(now)} - make_interval(months => ${RECORD_MONTHS}) and q.asked_at <= ${at(now)}
           and q.hidden_at is null
         group by q.village_id`,
  );
  for (const r of rows) {
    out.set(Number(r.village_id), {
      months: RECORD_MONTHS,
      asked: r.asked,
      answeredOnTime: r.on_time,
      answeredLate: r.late,
      open: r.open,
      overdue: r.overdue,
    });
  }
  return out;
}

function emptyRecord(): QuestionRecord {
  return { months: RECORD_MONTHS, asked: 0, answeredOnTime: 0, answeredLate: 0, open: 0, overdue: 0 };
}

/**
 * The share of questions answered on time among those whose clock has run out or that were answered (open ones are
 * not judged yet), in whole percent; null when there is none to judge.
 */
export function onTimePercent(r: QuestionRecord): number | null {
  const judged = r.answeredOnTime + r.answeredLate + r.overdue;
  return judged === 0 ? null : Math.round((100 * r.answeredOnTime) / judged);
}

/**
 * Villages ranked by their record: the higher on-time share first (villages with nothing to judge last), then more
 * questions asked, then the given order (by 区划 code).
 */
export function rankByRecord<T>(items: readonly { item: T; record: QuestionRecord }[]) {
  return items
    .map((x, i) => ({ ...x, percent: onTimePercent(x.record), i }))
    .sort((a, b) => (b.percent ?? -1) - (a.percent ?? -1) || b.record.asked - a.record.asked || a.i - b.i)
    .map(({ item, record, percent }) => ({ item, record, onTimePercent: percent }));
}

// ---- Due days of a region ----

/** A district or town sets its days to answer (1–60); questions asked before keep their due dates. */
export async function setQuestionDueDays(
  tx: Tx,
  input: { regionId: number; regionSlug: string; days: number; actor: string },
): Promise<void> {
  if (!isInt(input.days) || input.days < QUESTION_DUE_DAYS_MIN || input.days > QUESTION_DUE_DAYS_MAX) {
    throw invalid(`答复期限须为 ${QUESTION_DUE_DAYS_MIN} 到 ${QUESTION_DUE_DAYS_MAX} 天`, 'days');
  }
  await tx.execute(sql`update regions set question_due_days = ${input.days} where id = ${input.regionId}`);
  await appendSystemAudit(tx, {
    actor: input.actor,
    action: 'question.due_days',
    entity: 'region',
    entityKey: input.regionSlug,
    details: { days: input.days },
  });
}
