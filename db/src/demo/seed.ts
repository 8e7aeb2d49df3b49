/**
 * Loads the demo villages through the ledger's own write path (open → post → submit → publish by a second person,
 * one transaction per village-month), so the demo obeys every rule real data obeys. See README.md
 * in this folder.
 */
import { eq, inArray, sql } from 'drizzle-orm';
import { engineOf, queryRows, type Db } from '../client.ts';
import type { Tx } from '../client.ts';
import { answerFlags, reviewMonth, reviewState } from '../ledger/approvals.ts';
import { changeReviewStatus, openPeriod, setOpeningBalances, type PeriodKey } from '../ledger/periods.ts';
import { deleteVoucher, postVouchers } from '../ledger/post.ts';
import { publishSubmitted } from '../ledger/publish.ts';
import { periods } from '../schema/ledger.ts';
import { regions, villages } from '../schema/regions.ts';
import { attachDemoReceipts, DEMO_RECEIPTS, receiptVouchers } from './receipts.ts';
import { DEMO_DRAFT, planVillage, type VillageCorrection, type VillagePlan } from './plan.ts';
import { DEMO_CITY, DEMO_VILLAGES, type DemoVillage } from './regions.ts';
import { beijingInstant, DEMO_SUPERVISOR_FLAGS, demoAnswer, publicationTimes } from './review.ts';
import { voucherFlags } from '../schema/review.ts';
import { DEMO_QUESTIONS, seedDemoQuestions } from './questions.ts';

export interface SeedReport {
  /** Villages whose ledgers were written by this call. */
  villages: number;
  /** Slugs asked for that already existed and were left alone. */
  skipped: string[];
  /** Period revisions published (months, plus corrections). */
  periods: number;
  /** Vouchers and lines posted, corrections included. */
  vouchers: number;
  lines: number;
  corrections: number;
  /** Villagers' questions asked (some answered, one hidden). */
  questions: number;
  elapsedMs: number;
}

export interface SeedOptions {
  /** Slugs of the demo villages to load (default: all). Their towns and districts come along. */
  villages?: string[];
  /**
   * Villages written at the same time: default 4 on PostgreSQL, 1 on PGlite (it runs one transaction at a time, so
   * villages side by side only finish later: one at a time, 付村, first in the list, is whole within seconds).
   * Months of one village are always written in order.
   */
  concurrency?: number;
  /**
   * Continue the demo villages that exist (a load that was stopped part way) from their first month not yet
   * written, instead of leaving them alone.
   */
  resume?: boolean;
  /** Stops the load between two transactions (a month, a correction, a question): what was written stays whole. */
  signal?: AbortSignal;
  /**
   * Tests: each village's first `months` months only, published in order, without the draft month, the corrections
   * and the questions (they are about later months): a digest chain to check at a fraction of the whole demo's cost.
   */
  months?: number;
  /** Called after each month is written, with how many this load has written so far. */
  onMonth?: (written: number) => void;
  /**
   * The load runs beside a server that answers requests. On PGlite, which runs one transaction at a time, it then
   * rests after each month as long as the month took: a request waits behind one month at most, not behind a queue
   * of them (a request of ten statements took over 10 s while the demo loaded flat out).
   */
  background?: boolean;
}

/** Who the audit log says wrote the demo. */
export const DEMO_ACTOR = 'demo-seed';
/** Who publishes the demo's months: a second person, as every publication needs (the ledger's two-person rule). */
export const DEMO_PUBLISHER = 'demo-seed-director';

/** The supervisor who approves the demo's months before they are published. */
export const DEMO_SUPERVISOR = 'demo-seed-supervisor';
/** Who writes the committee's answers to the demo's flags. */
export const DEMO_COMMITTEE = 'demo-seed-committee';

/** Serialises concurrent first starts: only one of them inserts the demo places. */
const SEED_LOCK_KEY = 7_112_025;

/** A demo load whose places (region tree, villages) are written; `finish` writes the ledgers, then the questions. */
export interface DemoLoad {
  /** Village slug → id of the villages this load writes. */
  ids: ReadonlyMap<string, number>;
  skipped: string[];
  finish(): Promise<SeedReport>;
}

/** Loads the demo villages whole: places, 36 months each, corrections, questions. */
export async function seedDemo(db: Db, options: SeedOptions = {}): Promise<SeedReport> {
  return (await beginDemo(db, options)).finish();
}

/**
 * Writes the demo's places now (one short transaction) and returns the rest as `finish`, so that a server can start
 * answering while the ledgers load (`pnpm start`: the first page in seconds, not after a minute and a half on PGlite).
 */
export async function beginDemo(db: Db, options: SeedOptions = {}): Promise<DemoLoad> {
  const started = performance.now();
  const wanted = pickVillages(options.villages);
  const { ids, skipped } = await insertPlaces(db, wanted, options.resume ?? false);
  const finish = async (): Promise<SeedReport> => {
    const report: SeedReport = {
      villages: 0,
      skipped,
      periods: 0,
      vouchers: 0,
      lines: 0,
      corrections: 0,
      questions: 0,
      elapsedMs: 0,
    };
    const stopIfAsked = () => options.signal?.throwIfAborted();
    const rest = options.background === true && engineOf(db) === 'pglite';
    const afterMonth = async (tookMs: number) => {
      options.onMonth?.(report.periods);
      if (rest) await new Promise((resolve) => setTimeout(resolve, tookMs));
    };
    const todo = wanted.filter((v) => ids.has(v.slug));
    const corrections: { villageId: number; slug: string; correction: VillageCorrection }[] = [];
    let next = 0;
    const worker = async () => {
      while (next < todo.length) {
        const village = todo[next++]!;
        const plan = firstMonths(planVillage(village), options.months);
        const villageId = ids.get(village.slug)!;
        await writeVillage(db, villageId, plan, report, stopIfAsked, afterMonth);
        for (const correction of plan.corrections) corrections.push({ villageId, slug: village.slug, correction });
        report.villages++;
      }
    };
    const side = options.concurrency ?? (engineOf(db) === 'pglite' ? 1 : 4);
    const concurrency = Math.max(1, Math.min(side, todo.length));
    await Promise.all(Array.from({ length: concurrency }, worker));

    // Corrections come after every month is public, as they would in life.
    for (const { villageId, slug, correction } of corrections) {
      stopIfAsked();
      await applyCorrection(db, villageId, slug, correction, report);
    }
    // Questions come last: they are about published months and corrections. A village that has any was done.
    stopIfAsked();
    if (options.months !== undefined) {
      report.elapsedMs = Math.round(performance.now() - started);
      return report;
    }
    const asked = await queryRows<{ village_id: number }>(
      db,
      sql`select distinct village_id from questions
           where village_id in (${sql.join(
             [...ids.values(), 0].map((id) => sql`${id}`),
             sql`, `,
           )})`,
    );
    const unasked = new Map([...ids].filter(([, id]) => !asked.some((r) => Number(r.village_id) === id)));
    report.questions = await seedDemoQuestions(db, unasked, {
      accountant: DEMO_COMMITTEE,
      director: DEMO_PUBLISHER,
      supervisor: DEMO_SUPERVISOR,
    });
    report.elapsedMs = Math.round(performance.now() - started);
    return report;
  };
  return { ids, skipped, finish };
}

/**
 * The demo load a start owes: all of it on a database without villages; the rest of it on one holding only demo
 * villages of which one has no question yet (questions are written last: a load stopped part way); otherwise none
 * (the demo never writes into a ledger it did not start).
 */
export async function demoToLoad(
  db: Db,
  options: Pick<SeedOptions, 'signal' | 'background'> = {},
): Promise<DemoLoad | undefined> {
  const present = await db.select({ id: villages.id, code: villages.code }).from(villages);
  if (present.length > 0) {
    const demoCodes = new Set(DEMO_VILLAGES.map((v) => v.code));
    if (!present.every((v) => demoCodes.has(v.code))) return undefined;
    const asked = await queryRows<{ n: number }>(db, sql`select count(distinct village_id)::int as n from questions`);
    const askedIn = Number(asked[0]?.n ?? 0);
    const villagesWithQuestions = new Set(DEMO_QUESTIONS.map((q) => q.slug)).size;
    if (present.length === DEMO_VILLAGES.length && askedIn >= villagesWithQuestions) return undefined;
  }
  return beginDemo(db, { resume: true, ...options });
}

function pickVillages(slugs: string[] | undefined): DemoVillage[] {
  if (!slugs) return [...DEMO_VILLAGES];
  const unknown = slugs.filter((s) => !DEMO_VILLAGES.some((v) => v.slug === s));
  if (unknown.length > 0) throw new Error(`no demo village with slug ${unknown.join(', ')}`);
  return DEMO_VILLAGES.filter((v) => slugs.includes(v.slug));
}

/**
 * Inserts the city, districts, towns and villages that are missing (matched by 区划 code) in one transaction.
 * Villages that already exist are skipped: the demo never writes into a ledger it did not start.
 */
async function insertPlaces(
  db: Db,
  wanted: DemoVillage[],
  resume: boolean,
): Promise<{ ids: Map<string, number>; skipped: string[] }> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${SEED_LOCK_KEY})`);
    const regionId = async (
      level: 'city' | 'district' | 'town',
      parentId: number | null,
      r: { code: string; slug: string; name: string },
    ): Promise<number> => {
      await tx
        .insert(regions)
        .values({ level, parentId, code: r.code, slug: r.slug, name: r.name })
        .onConflictDoNothing();
      const [row] = await tx.select({ id: regions.id }).from(regions).where(eq(regions.code, r.code));
      if (!row) throw new Error(`region ${r.code} ${r.name}: its slug ${r.slug} is taken by another region`);
      return row.id;
    };

    const existing = wanted.length
      ? await tx
          .select({ id: villages.id, code: villages.code, slug: villages.slug })
          .from(villages)
          .where(
            inArray(
              villages.code,
              wanted.map((v) => v.code),
            ),
          )
      : [];
    const existingCodes = new Set(existing.map((r) => r.code));
    const ids = new Map<string, number>();
    // Resuming, the villages there are continued (writeVillage skips what they hold); otherwise left alone.
    if (resume) for (const r of existing) ids.set(r.slug, r.id);
    const skipped = resume ? [] : wanted.filter((v) => existingCodes.has(v.code)).map((v) => v.slug);
    const fresh = wanted.filter((v) => !existingCodes.has(v.code));
    if (fresh.length === 0) return { ids, skipped };

    const cityId = await regionId('city', null, DEMO_CITY);
    const districtIds = new Map<string, number>();
    const townIds = new Map<string, number>();
    for (const v of fresh) {
      const d = v.town.district;
      if (!districtIds.has(d.code)) districtIds.set(d.code, await regionId('district', cityId, d));
      if (!townIds.has(v.town.code)) townIds.set(v.town.code, await regionId('town', districtIds.get(d.code)!, v.town));
    }
    const rows = await tx
      .insert(villages)
      .values(
        fresh.map((v) => ({
          townId: townIds.get(v.town.code)!,
          kind: v.kind,
          code: v.code,
          slug: v.slug,
          name: v.name,
        })),
      )
      .returning({ id: villages.id, slug: villages.slug });
    for (const r of rows) ids.set(r.slug, r.id);
    return { ids, skipped };
  });
}

/**
 * The review before a demo month goes public, as it happens in a village: the supervisor approves, the committee
 * answers every flag the month will be published with, then a second person publishes it.
 */
async function reviewAndPublish(
  tx: Tx,
  key: PeriodKey & { revision: number },
  slug: string,
  times: { approvedAt: Date; publishedAt: Date },
): Promise<void> {
  await reviewMonth(tx, { ...key, actor: DEMO_SUPERVISOR, decision: 'approved', note: '', at: times.approvedAt });
  const answeredAt = new Date(times.publishedAt.getTime() - 30 * 60 * 1000);
  const state = await reviewState(tx, key, { publishedAt: times.publishedAt });
  if (state.flags.length > 0) {
    await answerFlags(tx, {
      ...key,
      actor: DEMO_COMMITTEE,
      answers: state.flags.map((flag) => ({ flagKey: flag.key, body: demoAnswer(flag, slug, key) })),
      at: answeredAt,
    });
  }
  await publishSubmitted(tx, { ...key, actor: DEMO_PUBLISHER, publishedAt: times.publishedAt });
}

async function writeVillage(
  db: Db,
  villageId: number,
  plan: VillagePlan,
  report: SeedReport,
  stopIfAsked: () => void,
  afterMonth: (tookMs: number) => Promise<void>,
): Promise<void> {
  const now = new Date();
  // A load stopped part way wrote whole months, in order: those are skipped (empty for a new village).
  const written = new Set((await monthsOf(db, villageId)).map((p) => `${p.year}-${p.month}`));
  for (const [i, month] of plan.months.entries()) {
    if (written.has(`${month.year}-${month.month}`)) continue;
    stopIfAsked();
    const began = performance.now();
    const key = { villageId, year: month.year, month: month.month };
    await db.transaction(async (tx) => {
      if (i === 0) await setOpeningBalances(tx, { ...key, actor: DEMO_ACTOR, balances: plan.opening });
      const { revision } = await openPeriod(tx, { ...key, actor: DEMO_ACTOR });
      await postVouchers(tx, { ...key, revision, actor: DEMO_ACTOR, vouchers: month.vouchers });
      const times = publicationTimes(plan.village.slug, month, now);
      if (
        plan.village.slug === DEMO_RECEIPTS.villageSlug &&
        (DEMO_RECEIPTS.months as readonly string[]).includes(`${month.year}-${month.month}`)
      ) {
        await attachDemoReceipts(tx, key, receiptVouchers(month.vouchers, DEMO_RECEIPTS.perMonth), {
          uploader: DEMO_ACTOR,
          supervisor: DEMO_SUPERVISOR,
          at: new Date(times.approvedAt.getTime() - 2 * 60 * 60 * 1000),
        });
      }
      await changeReviewStatus(tx, { ...key, actor: DEMO_ACTOR, to: 'submitted' });
      for (const raised of DEMO_SUPERVISOR_FLAGS) {
        if (raised.slug !== plan.village.slug || raised.year !== month.year || raised.month !== month.month) continue;
        const voucher = month.vouchers.find((v) => v.summary === raised.summary);
        if (!voucher)
          throw new Error(`demo flag: no voucher ${raised.summary} in ${raised.slug} ${raised.year}-${raised.month}`);
        await tx.insert(voucherFlags).values({
          ...key,
          revision,
          voucherNumber: voucher.number,
          author: DEMO_SUPERVISOR,
          reason: raised.reason,
          createdAt: new Date(times.approvedAt.getTime() - 24 * 60 * 60 * 1000),
        });
      }
      await reviewAndPublish(tx, { ...key, revision }, plan.village.slug, times);
    });
    report.periods++;
    report.vouchers += month.vouchers.length;
    report.lines += month.vouchers.reduce((n, v) => n + v.lines.length, 0);
    await afterMonth(performance.now() - began);
  }
  if (plan.draft && !written.has(`${plan.draft.year}-${plan.draft.month}`)) {
    stopIfAsked();
    const draft = plan.draft;
    const key = { villageId, year: draft.year, month: draft.month };
    const actor = DEMO_DRAFT.uploadedBy;
    await db.transaction(async (tx) => {
      const { revision } = await openPeriod(tx, { ...key, actor });
      await postVouchers(tx, { ...key, revision, actor, vouchers: draft.vouchers });
    });
  }
}

/** The plan cut to its first `months` months (SeedOptions.months); the whole plan when undefined. */
function firstMonths(plan: VillagePlan, months: number | undefined): VillagePlan {
  if (months === undefined) return plan;
  return { ...plan, months: plan.months.slice(0, months), draft: undefined, corrections: [] };
}

/** Opens the next revision with its reason, replaces the one wrong voucher, submits; a second person publishes. */
async function applyCorrection(
  db: Db,
  villageId: number,
  slug: string,
  c: VillageCorrection,
  report: SeedReport,
): Promise<void> {
  const key = { villageId, year: c.year, month: c.month };
  if ((await monthsOf(db, villageId)).some((p) => p.year === c.year && p.month === c.month && p.revision > 1)) return;
  // After the last demo month is public: approved on 19 November 2026, published the next morning.
  const now = new Date();
  const clamp = (d: Date) => (d.getTime() > now.getTime() ? now : d);
  const times = {
    approvedAt: clamp(beijingInstant(2026, 11, 19, 15, 20)),
    publishedAt: clamp(beijingInstant(2026, 11, 20, 10, 5)),
  };
  await db.transaction(async (tx) => {
    const { revision } = await openPeriod(tx, { ...key, actor: DEMO_ACTOR, reason: c.reason });
    await deleteVoucher(tx, { ...key, revision, number: c.number, actor: DEMO_ACTOR, reason: c.reason });
    await postVouchers(tx, { ...key, revision, actor: DEMO_ACTOR, vouchers: [c.voucher] });
    await changeReviewStatus(tx, { ...key, actor: DEMO_ACTOR, to: 'submitted' });
    await reviewAndPublish(tx, { ...key, revision }, slug, times);
  });
  report.periods++;
  report.vouchers++;
  report.lines += c.voucher.lines.length;
  report.corrections++;
}

/** The months (every revision) a village's ledger holds. */
function monthsOf(db: Db, villageId: number): Promise<{ year: number; month: number; revision: number }[]> {
  return db
    .select({ year: periods.year, month: periods.month, revision: periods.revision })
    .from(periods)
    .where(eq(periods.villageId, villageId));
}
