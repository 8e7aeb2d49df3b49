import { queryRows, type DbOrTx } from '@mingbai/db/client';
import { publicReviewName, publicReviewText } from '@mingbai/db/ledger/privacy';
import { ruleFlagKey, supervisorFlagKey } from '@mingbai/db/ledger/flag-keys';
import {
  beijingDate,
  DEFAULT_THRESHOLDS,
  parseThresholds,
  RULE_CODES,
  rulesInForce,
  type RuleCode,
  type Thresholds,
} from '@mingbai/db/ledger/red-flag-rules';
import { evaluateRedFlags } from '@mingbai/db/ledger/red-flags';
import DataLoader from 'dataloader';
import { AheadLoader, BATCH_PER_TICK } from '../batching.ts';
import { Money } from '../money/money.type.ts';
import { groupBy } from '../sql-helpers.ts';
import { fromDbKey, monthKey, revisionKey, type MonthKey, type RevisionKey } from '../statements/period-keys.ts';
import { flagsOfRevisionsSql, type FlagPart } from './red-flag.sql.ts';
import { ruleAsJudged, supervisorRule, type RedFlag } from './review.type.ts';

/** A flag of a revision as the reviewers and the public see it, before masking. */
export interface FlagView {
  key: string;
  source: 'RULE' | 'SUPERVISOR';
  ruleCode: RuleCode | 'SUPERVISOR';
  voucherNumber: number | null;
  amountFen: bigint | null;
  detail: string;
  raisedBy: string | null;
  answer: { body: string; author: string; answeredAt: Date } | null;
}

/** One revision's flags and the thresholds its automatic flags were judged by. */
export interface RevisionFlags {
  status: 'open' | 'submitted' | 'published' | null;
  thresholds: Thresholds;
  flags: FlagView[];
}

/** Rule flags of a revision that is not published yet: evaluated now by the ledger (see ./README.md). */
export type Evaluate = (key: RevisionKey) => Promise<{ thresholds: Thresholds; flags: FlagView[] }>;

type Row<P extends FlagPart['part']> = Extract<FlagPart, { part: P }>['row'];

const isRuleCode = (code: string): code is RuleCode => (RULE_CODES as readonly string[]).includes(code);

/**
 * The red flags of many revisions in one statement: frozen rule flags of published months, supervisors' flags and
 * the committee's answers of any. A revision that is not published has no frozen flags: `evaluate` finds them.
 */
export async function loadRevisionFlags(
  db: DbOrTx,
  keys: readonly RevisionKey[],
  evaluate: Evaluate | undefined,
): Promise<RevisionFlags[]> {
  return flagsOfParts(await queryRows<FlagPart>(db, flagsOfRevisionsSql({ revisions: keys })), keys, evaluate);
}

/** Each revision's flags from the rows of `flagsOfRevisionsSql`. */
function flagsOfParts(
  parts: readonly FlagPart[],
  keys: readonly RevisionKey[],
  evaluate: Evaluate | undefined,
): Promise<RevisionFlags[]> {
  const rowsOf = <P extends FlagPart['part']>(part: P) =>
    groupBy(
      parts.flatMap((p) => (p.part === part ? [p.row as Row<P>] : [])),
      (r) => revisionKey(fromDbKey(r)),
    );
  const periods = rowsOf('period');
  const rules = rowsOf('rule');
  const supervisors = rowsOf('supervisor');
  const answers = rowsOf('answer');
  return Promise.all(
    keys.map(async (k) => {
      const id = revisionKey(k);
      const period = periods.get(id)?.[0];
      const supervisorFlags: FlagView[] = (supervisors.get(id) ?? []).map((f) => ({
        key: supervisorFlagKey(f.id),
        source: 'SUPERVISOR',
        ruleCode: 'SUPERVISOR',
        voucherNumber: f.voucher_number,
        amountFen: null,
        detail: f.reason,
        raisedBy: f.author,
        answer: null,
      }));
      let thresholds = period?.thresholds ? parseThresholds(period.thresholds) : DEFAULT_THRESHOLDS;
      let ruleFlags: FlagView[];
      if (period?.status === 'published' || !evaluate || !period) {
        ruleFlags = (rules.get(id) ?? []).flatMap((f) =>
          isRuleCode(f.rule_code)
            ? [
                {
                  key: ruleFlagKey(f.rule_code, f.voucher_number),
                  source: 'RULE' as const,
                  ruleCode: f.rule_code,
                  voucherNumber: f.voucher_number,
                  amountFen: f.amount_fen === null ? null : BigInt(f.amount_fen),
                  detail: f.detail,
                  raisedBy: null,
                  answer: null,
                },
              ]
            : [],
        );
      } else {
        ({ thresholds, flags: ruleFlags } = await evaluate(k));
      }
      const answerOf = new Map((answers.get(id) ?? []).map((a) => [a.flag_key, a]));
      const flags = [...ruleFlags, ...supervisorFlags].map((f) => {
        const a = answerOf.get(f.key);
        return a ? { ...f, answer: { body: a.body, author: a.author, answeredAt: new Date(a.answered_at) } } : f;
      });
      return { status: period?.status ?? null, thresholds, flags: sortFlags(flags) };
    }),
  );
}

/** In voucher order, the month's own flags last; a voucher's rule flags before supervisors'. */
function sortFlags(flags: FlagView[]): FlagView[] {
  const n = (v: number | null) => v ?? Number.MAX_SAFE_INTEGER;
  return flags.sort(
    (a, b) =>
      n(a.voucherNumber) - n(b.voucherNumber) ||
      (a.source === b.source ? 0 : a.source === 'RULE' ? -1 : 1) ||
      a.key.localeCompare(b.key),
  );
}

/**
 * The rule flags of a revision not yet published, evaluated now by the rules in force today (what publishing today
 * would freeze); the loaders of `red-flag.loader.ts` add supervisors' flags and answers.
 */
export function evaluateNow(db: DbOrTx): Evaluate {
  return async (key: RevisionKey) => {
    const rules = await rulesInForce(db, key.villageId, beijingDate());
    const found = await evaluateRedFlags(db, key, rules);
    const flags: FlagView[] = found.map((f) => ({
      key: f.key,
      source: 'RULE',
      ruleCode: f.ruleCode,
      voucherNumber: f.voucherNumber,
      amountFen: f.amountFen,
      detail: f.detail,
      raisedBy: null,
      answer: null,
    }));
    return { thresholds: rules.thresholds, flags };
  };
}

/** The review domain's DataLoaders, one set per request. */
export function createReviewLoaders(db: DbOrTx, evaluate?: Evaluate) {
  return {
    /** The red flags of a revision with their answers (published: frozen; otherwise evaluated now). */
    revisionFlags: new AheadLoader<RevisionKey, RevisionFlags>(
      (keys) => loadRevisionFlags(db, keys, evaluate),
      { ...BATCH_PER_TICK, cacheKeyFn: revisionKey },
      monthKey,
    ),
    /** The rows of each month's current revision's flags, read ahead with the month's statement (read-ahead.ts). */
    currentFlagParts: new DataLoader<MonthKey, FlagPart[], string>(
      async (months) => {
        const parts = await queryRows<FlagPart>(db, flagsOfRevisionsSql({ currentOf: months }));
        const byMonth = groupBy(parts, (p) => monthKey(fromDbKey(p.row)));
        return months.map((k) => byMonth.get(monthKey(k)) ?? []);
      },
      { ...BATCH_PER_TICK, cacheKeyFn: monthKey },
    ),
    /** The same rows of given revisions, read ahead; never evaluated (read-ahead primes published months only). */
    revisionFlagParts: new DataLoader<RevisionKey, FlagPart[], string>(
      async (keys) => {
        const parts = await queryRows<FlagPart>(db, flagsOfRevisionsSql({ revisions: keys }));
        const byKey = groupBy(parts, (p) => revisionKey(fromDbKey(p.row)));
        return keys.map((k) => byKey.get(revisionKey(k)) ?? []);
      },
      { ...BATCH_PER_TICK, cacheKeyFn: revisionKey },
    ),
  };
}

/**
 * Reads a month's red flags with the level above the fields that show them: the given revision's, or the current
 * one's (the revision `current` names: the statement read in the same statement). Only a published revision is primed:
 * the flags of one not published are evaluated when a field asks (never for the public: its statement is null).
 */
export function readAheadFlags(
  loaders: ReturnType<typeof createReviewLoaders>,
  month: MonthKey,
  revision: number | undefined,
  current: Promise<number | undefined>,
): void {
  const parts =
    revision === undefined
      ? loaders.currentFlagParts.load(month)
      : loaders.revisionFlagParts.load({ ...month, revision });
  loaders.revisionFlags.readAheadCurrent(
    monthKey(month),
    parts,
    revision === undefined ? current : current.then(() => revision),
    async (found, r) => {
      const key = { ...month, revision: r };
      const period = found.find((p) => p.part === 'period' && p.row.revision === r);
      if (period?.part !== 'period' || period.row.status !== 'published') return;
      const [flags] = await flagsOfParts(found, [key], undefined);
      loaders.revisionFlags.prime(key, flags!);
    },
  );
}

/**
 * A flag as GraphQL shows it. The public sees people and their words in their public form (`publicReviewName`,
 * `publicReviewText`: what the v2 digest covers); the committee and supervisors see them whole.
 */
export function toRedFlag(f: FlagView, thresholds: Thresholds, { masked }: { masked: boolean }): RedFlag {
  const name = (n: string) => (masked ? publicReviewName(n) : n);
  const words = (t: string) => (masked ? publicReviewText(t) : t);
  return {
    key: f.key,
    source: f.source,
    rule: f.ruleCode === 'SUPERVISOR' ? supervisorRule() : ruleAsJudged(f.ruleCode, thresholds),
    voucherNumber: f.voucherNumber,
    amount: f.amountFen === null ? null : new Money(f.amountFen),
    detail: f.raisedBy === null ? f.detail : words(f.detail),
    raisedBy: f.raisedBy === null ? null : name(f.raisedBy),
    answer: f.answer && { ...f.answer, body: words(f.answer.body), author: name(f.answer.author) },
  };
}
