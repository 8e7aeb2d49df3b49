// Villagers' questions: who may ask (anyone but an API key), answer (the committee), hide (a supervisor), read the
// asked text (the committee and supervisors) and set the days to answer (a township admin); the rules themselves are
// the ledger's (`@mingbai/db/ledger/questions`). Services take (db, actor), like every write service.
import { queryRows, type Db } from '@mingbai/db/client';
import {
  askerKeyOf,
  askQuestion as askInLedger,
  answerQuestion as answerInLedger,
  hideQuestion as hideInLedger,
  parseQuestionNumber,
  questionRecords,
  rankByRecord,
  setQuestionDueDays as setDueDaysInLedger,
  type QuestionRecord,
  type QuestionStatus,
} from '@mingbai/db/ledger/questions';
import { regionChain } from '@mingbai/db/ledger/red-flag-rules';
import { apiKeyRefusal, mayActOnRegion, roleFor } from '../auth/viewer.ts';
import { regionsOfVillage, requireViewer, villageForAction, type Actor } from '../auth/village-access.ts';
import type { QuestionSettings } from '../config.ts';
import { apiError, badInput } from '../errors.ts';
import { pageOffset, type Page, type Window } from '../graphql/relay/connection.ts';
import { regionBySlug } from '../regions/region.service.ts';
import type { RegionRow } from '../regions/region.sql.ts';
import { toVillage, underRegion, type VillageDbRow, type VillageRow } from '../villages/village.sql.ts';
import {
  committeeQuestionsSql,
  overdueQuestionsSql,
  questionByNumberSql,
  toQuestionRow,
  villageQuestionsSql,
  type QuestionDbRow,
  type QuestionPageDbRow,
  type QuestionRow,
} from './question.sql.ts';
import { sql } from 'drizzle-orm';

export interface AskRequest {
  villageSlug: string;
  year?: number | null | undefined;
  month?: number | null | undefined;
  voucherNumber?: number | null | undefined;
  body: string;
  contact?: string | null | undefined;
}

export interface AskResult {
  village: VillageRow;
  numberYear: number;
  seq: number;
  dueAt: Date;
  duplicate: boolean;
}

async function publicVillage(actor: Actor, slug: string): Promise<VillageRow> {
  const village = await actor.lookups.villageBySlug(slug);
  if (!village) throw apiError('NOT_FOUND', `没有网址名为“${slug}”的村`);
  return village;
}

/**
 * Anyone asks, no account needed (an API key only reads). `address` is the asker's (for the portal, its visitor's):
 * the per-address limit counts its HMAC (`askerKeyOf`), never the address itself.
 */
export async function askQuestion(
  db: Db,
  actor: Actor,
  input: AskRequest,
  context: { settings: QuestionSettings; address: string; now?: Date | undefined },
): Promise<AskResult> {
  if (actor.apiKey) throw apiKeyRefusal();
  const village = await publicVillage(actor, input.villageSlug);
  const { settings } = context;
  const asked = await db.transaction((tx) =>
    askInLedger(tx, {
      villageId: village.id,
      year: input.year,
      month: input.month,
      voucherNumber: input.voucherNumber,
      body: input.body,
      contact: input.contact,
      askerKey: askerKeyOf(context.address, settings.secret),
      defaultDueDays: settings.dueDays,
      limits: { perAddressHour: settings.perAddressHour, perVillageHour: settings.perVillageHour },
      now: context.now,
    }),
  );
  return { village, numberYear: asked.numberYear, seq: asked.seq, dueAt: asked.dueAt, duplicate: asked.duplicate };
}

function numberOf(village: VillageRow, number: string): { numberYear: number; seq: number } {
  const parsed = parseQuestionNumber(number, village.name);
  if (!parsed) {
    throw apiError(
      'QUESTION_NOT_FOUND',
      `${village.name}没有编号为“${number}”的问题（编号形如 ${village.name}-2026-0012）`,
      {
        number,
      },
    );
  }
  return parsed;
}

async function reread(db: Db, village: VillageRow, ref: { numberYear: number; seq: number }): Promise<QuestionRow> {
  const [row] = await queryRows<QuestionDbRow>(db, questionByNumberSql(village.id, ref.numberYear, ref.seq));
  return toQuestionRow(row!);
}

/** The village's accountant or director answers once, in public; optionally with a correction or a voucher. */
export async function answerQuestion(
  db: Db,
  actor: Actor,
  input: {
    villageSlug: string;
    number: string;
    body: string;
    correctionRevision?: number | null | undefined;
    voucherNumber?: number | null | undefined;
    now?: Date | undefined;
  },
): Promise<QuestionRow> {
  const village = await villageForAction(actor, input.villageSlug, 'answer_question');
  const viewer = actor.viewer!;
  const role = roleFor(viewer, 'answer_question', village.id, await regionsOfVillage(actor, village))!;
  const ref = numberOf(village, input.number);
  await db.transaction((tx) =>
    answerInLedger(tx, {
      villageId: village.id,
      ...ref,
      actor: viewer.username,
      role,
      body: input.body,
      correctionRevision: input.correctionRevision,
      voucherNumber: input.voucherNumber,
      now: input.now,
    }),
  );
  return reread(db, village, ref);
}

/** A supervisor of the village (own or cross-assigned) hides a question, with a public reason; the text is kept. */
export async function hideQuestion(
  db: Db,
  actor: Actor,
  input: { villageSlug: string; number: string; reason: string; now?: Date | undefined },
): Promise<QuestionRow> {
  const village = await villageForAction(actor, input.villageSlug, 'hide_question');
  const ref = numberOf(village, input.number);
  await db.transaction((tx) =>
    hideInLedger(tx, {
      villageId: village.id,
      ...ref,
      actor: actor.viewer!.username,
      reason: input.reason,
      now: input.now,
    }),
  );
  return reread(db, village, ref);
}

/** The questions of a village as the committee and its supervisors read them: the asked text, contacts (masked). */
export async function committeeQuestions(
  db: Db,
  actor: Actor,
  input: { villageSlug: string; status?: QuestionStatus | null | undefined },
  now: Date = new Date(),
): Promise<QuestionRow[]> {
  const village = await villageForAction(actor, input.villageSlug, 'read_questions');
  const rows = await queryRows<QuestionDbRow>(db, committeeQuestionsSql(village.id, input.status ?? undefined, now));
  return rows.map(toQuestionRow);
}

/** A window of a village's questions, newest first, and how many there are (of one status, if given). */
export async function villageQuestions(
  db: Db,
  villageId: number,
  status: QuestionStatus | undefined,
  window: Window,
  now: Date,
): Promise<Page<QuestionRow>> {
  const rows = await queryRows<QuestionPageDbRow>(db, villageQuestionsSql(villageId, status, now, window));
  const found = rows.filter((r) => r.rn !== null);
  const totalCount = rows[0]?.all_total ?? 0;
  return {
    offset: pageOffset(window, found[0]?.rn ?? undefined, totalCount),
    totalCount,
    nodes: found.map((r) => toQuestionRow(r as QuestionDbRow)),
  };
}

/** One question of a village by `付村-2026-0012` or `2026-0012`; undefined if there is none. */
export async function questionByNumber(db: Db, village: VillageRow, number: string): Promise<QuestionRow | undefined> {
  const parsed = parseQuestionNumber(number, village.name);
  if (!parsed) return undefined;
  const [row] = await queryRows<QuestionDbRow>(db, questionByNumberSql(village.id, parsed.numberYear, parsed.seq));
  return row && toQuestionRow(row);
}

/** Every village under the region, ranked by its record (on-time share, then questions asked, then 区划 code). */
export async function questionRanking(
  db: Db,
  region: RegionRow,
  first: number,
  now: Date,
): Promise<{ village: VillageRow; record: QuestionRecord; onTimePercent: number | null }[]> {
  if (!Number.isInteger(first) || first < 1 || first > 500) throw badInput('first 必须在 1 到 500 之间', 'first');
  const villages = (
    await queryRows<VillageDbRow>(
      db,
      sql`select v.id, v.town_id, v.kind, v.code, v.slug, v.name from villages v join regions t on t.id = v.town_id
            left join regions d on d.id = t.parent_id
           where ${underRegion(region.id)} order by v.code`,
    )
  ).map(toVillage);
  const records = await questionRecords(
    db,
    villages.map((v) => v.id),
    now,
  );
  return rankByRecord(villages.map((v) => ({ item: v, record: records.get(v.id)! })))
    .slice(0, first)
    .map((r) => ({ village: r.item, record: r.record, onTimePercent: r.onTimePercent }));
}

/** The unanswered questions past due in the villages (the township's list), the longest overdue first. */
export async function overdueQuestions(db: Db, villageIds: readonly number[], now: Date): Promise<QuestionRow[]> {
  if (villageIds.length === 0) return [];
  return (await queryRows<QuestionDbRow>(db, overdueQuestionsSql(villageIds, now))).map(toQuestionRow);
}

/**
 * A township admin of the district or town (or above it) sets the days its villages' committees have to answer
 * (1–60). A town's days win over its district's; questions already asked keep their due dates.
 */
export async function setQuestionDueDays(
  db: Db,
  actor: Actor,
  input: { regionSlug: string; days: number },
): Promise<number> {
  const viewer = requireViewer(actor);
  const region = await regionBySlug(db, input.regionSlug);
  if (!region || region.level === 'city') {
    throw apiError('NOT_FOUND', `没有网址名为“${input.regionSlug}”的区或镇`);
  }
  const chain = await regionChain(db, region.id);
  if (
    !mayActOnRegion(
      viewer,
      'set_question_due_days',
      chain.map((r) => r.id),
    )
  ) {
    throw apiError('FORBIDDEN', `您在${region.name}没有设定答复期限的权限`, { action: 'set_question_due_days' });
  }
  await db.transaction((tx) =>
    setDueDaysInLedger(tx, { regionId: region.id, regionSlug: region.slug, days: input.days, actor: viewer.username }),
  );
  return input.days;
}
