import { and, asc, eq, max, sql } from 'drizzle-orm';
import { queryRows, type Db, type DbOrTx } from '../client.ts';
import { appendSystemAudit } from './audit.ts';
import { LedgerError } from './errors.ts';
import {
  accountWords,
  judge,
  PaymentBook,
  type EngineLine,
  voucherWords,
  type EngineVoucher,
  type FlagRow,
} from './red-flag-engine.ts';
import type { AccountClass } from '../schema/accounts.ts';
import type { PeriodKey } from './periods.ts';
import { periods } from '../schema/ledger.ts';
import { regions } from '../schema/regions.ts';
import { redFlags, redFlagRuleSets } from '../schema/supervision.ts';
import { ruleFlagKey } from './flag-keys.ts';
import {
  beijingDate,
  formatThreshold,
  parseThresholds,
  RULE_CODES,
  rulesInForce,
  thresholdsAsText,
  type RuleCode,
  type RulesInForce,
  type Thresholds,
} from './red-flag-rules.ts';

/**
 * Evaluating the red-flag rules (`red-flag-rules.ts` says what each looks for) over one revision of a month.
 *
 * What the rules read, in the ledger's own terms (`flows.ts`):
 * - A **payment** is money leaving 库存现金 or 银行存款: the debit lines of a voucher that credits 101/102 whose kind is
 *   spending or other payment (`lineFlow`), summed per voucher and payee (`counterparty_name`, the payee's line). A
 *   voucher paying ten people is ten payments; a purchase booked on two expense lines to one firm is one.
 * - It is a **cash** payment when its line says `payment_method = 'cash'`, or says nothing and the voucher credits
 *   库存现金 (101) or a line paid in cash.
 * - It is to a **person** when `counterparty_is_person`; paying wages (应付工资: 211 in the 2004 chart, 212 in 2023,
 *   or a 摘要 naming 工资/报酬/薪酬) is not a "large payment to a person".
 * - A **periodic bill** names its period in the voucher's 摘要 (支付9月份电费, 支付张某8月低保金, 支付第三季度水费,
 *   2025年度服务费; a date such as 9月5日 is not a period): its amount is set by the contract or the rate behind it,
 *   which is what gets approved, so periodic bills make neither a `SPLIT_BELOW_TIER` nor a `JUST_BELOW_TIER`.
 * - **非生产性开支** (`NON_PRODUCTIVE`) are spending lines whose sub-account name (`village_accounts`), voucher 摘要 or
 *   line 摘要 says 招待, 宴请, 餐费, 餐饮, 就餐, 工作餐, 礼品, 礼金, 烟酒, 购物卡, 纪念品, 考察, 旅游 or 慰问 — except
 *   慰问 of people in need (困难, 低保, 特困, 五保, 救助), which is relief, not hospitality. The month's spending they are
 *   a share of is every spending line (`lineFlow`), as on the statement.
 * - The windows (`splitWindowDays`, `duplicateWindowDays`) look back into the village's published months before (the
 *   current revision of each): two payments are "within 30 days" when their dates are at most 30 days apart. Only
 *   payments of the month evaluated are flagged; a split or a duplicate is flagged on its later payment.
 * - Thresholds: a cash payment or a payment to a person **at or over** its limit; a payment just below a tier is at
 *   least `tier × (100 − justBelowPercent) / 100` and under the tier; a split is two or more payments to one payee,
 *   each under a tier and at least a tenth of it (smaller ones are everyday purchases, not parts), that together
 *   **reach** the tier (its approval applies from the tier itself), flagged once, on the payment that reaches it,
 *   judged by the highest tier reached; month-end cash and 非生产性开支
 *   flag when **over** their limit or share; a month is late when published after day `publishByDay` of the next
 *   month (Beijing time; first publications only: a correction is not late).
 *
 * The rules run in TypeScript (`red-flag-engine.ts`) over the month's payments: read from the database in one
 * statement (and the look-back months' in the same one), or collected from an upload's COPY stream as it is written,
 * so judging an upload reads back only the days before it. Details name payees by their public (masked) names only.
 */

export interface RedFlagFound {
  /** `ruleFlagKey(...)`: the key the committee's answer is stored under. */
  key: string;
  ruleCode: RuleCode;
  voucherNumber: number | null;
  amountFen: bigint | null;
  /** Plain Chinese, e.g. "现金支付 1,200.00 元，付给 张**". */
  detail: string;
}

type Key = PeriodKey & { revision: number };

/** Evaluates a revision's content (any status) against `rules`; `publishedAt` decides LATE_PUBLICATION (default now). */
export async function evaluateRedFlags(
  db: DbOrTx,
  key: Key,
  rules: RulesInForce,
  options: { publishedAt?: Date | undefined } = {},
): Promise<RedFlagFound[]> {
  const month = new PaymentBook();
  const earlier = new PaymentBook(false);
  await readVouchers(db, key, rules.thresholds, true, (v, current) => (current ? month : earlier).add(v));
  return judged(db, key, rules, month, earlier, options);
}

/**
 * The same, for a revision whose vouchers the caller has just written and collected into `month` as it wrote them
 * (an upload): only the months before are read back.
 */
export async function evaluateCollected(
  db: DbOrTx,
  key: Key,
  month: PaymentBook,
  options: { publishedAt?: Date | undefined } = {},
): Promise<RedFlagFound[]> {
  const rules = await rulesInForce(db, key.villageId, beijingDate());
  const earlier = new PaymentBook(false);
  await readVouchers(db, key, rules.thresholds, false, (v) => earlier.add(v));
  return judged(db, key, rules, month, earlier, options);
}

async function judged(
  db: DbOrTx,
  key: Key,
  rules: RulesInForce,
  month: PaymentBook,
  earlier: PaymentBook,
  options: { publishedAt?: Date | undefined },
): Promise<RedFlagFound[]> {
  const t = rules.thresholds;
  const rows = judge(month, { thresholds: t, earlier: earlier.payments, ...(await monthContext(db, key)) });
  const found = new Map<string, RedFlagFound>();
  for (const row of rows) {
    const k = ruleFlagKey(row.rule, row.number);
    const amount = row.amount === null ? null : BigInt(row.amount);
    const detail = describe(row, key, t);
    const seen = found.get(k);
    if (seen) {
      // Two payees of one voucher flagged by one rule: one flag for the voucher, both named.
      seen.amountFen = (seen.amountFen ?? 0n) + (amount ?? 0n);
      seen.detail = `${seen.detail}；${detail}`;
    } else {
      found.set(k, { key: k, ruleCode: row.rule, voucherNumber: row.number, amountFen: amount, detail });
    }
  }
  const late = latePublication(key, t, options.publishedAt ?? new Date());
  if (late) found.set(late.key, late);
  return sortFlags([...found.values()]);
}

interface VoucherLineRow {
  current: boolean;
  year: number;
  month: number;
  number: number;
  date: string;
  voucher_summary: string;
  side: 'debit' | 'credit';
  standard: string;
  account_code: string;
  amount: string;
  class: AccountClass;
  line_summary: string | null;
  counterparty_name: string | null;
  counterparty_is_person: boolean;
  counterparty_public: string | null;
  payment_method: string | null;
}

/**
 * The revision's vouchers (when `current`) and those of the village's published months before it (the current
 * revision of each) as far back as the windows reach, voucher by voucher, each with its lines in order.
 */
async function readVouchers(
  db: DbOrTx,
  key: Key,
  t: Thresholds,
  current: boolean,
  each: (voucher: EngineVoucher, current: boolean) => void,
): Promise<void> {
  const lookbackDays = Number(t.splitWindowDays > t.duplicateWindowDays ? t.splitWindowDays : t.duplicateWindowDays);
  const from = new Date(Date.UTC(key.year, key.month - 1, 1) - lookbackDays * 86_400_000);
  const rows = await queryRows<VoucherLineRow>(
    db,
    sql`
    with months as (
      select year, month, revision, false as current from (
        select distinct on (year, month) year, month, revision from periods
         where village_id = ${key.villageId} and status = 'published'
           and (year, month) >= (${from.getUTCFullYear()}, ${from.getUTCMonth() + 1})
           and (year, month) < (${key.year}, ${key.month})
         order by year, month, revision desc) p
      ${current ? sql`union all select ${key.year}::smallint, ${key.month}::smallint, ${key.revision}::smallint, true` : sql``}
    )
    select c.current, v.year, v.month, v.number, v.date::text as date, v.summary_public as voucher_summary,
           l.side, l.standard, l.account_code, l.amount_fen::text as amount, a.class, l.summary_public as line_summary,
           l.counterparty_name, l.counterparty_is_person, l.counterparty_public, l.payment_method
      from months c
      join vouchers v on v.village_id = ${key.villageId} and v.year = c.year and v.month = c.month
                     and v.revision = c.revision
                     and (c.current or v.date >= ${from.toISOString().slice(0, 10)}::date)
      join voucher_lines l on l.village_id = v.village_id and l.voucher_id = v.id
      join accounts a on a.standard = l.standard and a.code = left(l.account_code, 3)
     order by c.current, v.year, v.month, v.number, l.line_no`,
  );
  let voucher: (EngineVoucher & { lines: EngineLine[] }) | undefined;
  let voucherCurrent = false;
  for (const r of rows) {
    if (!voucher || voucher.number !== r.number || voucher.month !== r.month || voucher.year !== r.year) {
      if (voucher) each(voucher, voucherCurrent);
      voucher = {
        year: r.year,
        month: r.month,
        number: r.number,
        date: r.date,
        words: voucherWords(r.voucher_summary),
        lines: [],
      };
      voucherCurrent = r.current;
    }
    voucher.lines.push({
      side: r.side,
      standard: r.standard,
      accountCode: r.account_code,
      accountClass: r.class,
      amountFen: BigInt(r.amount),
      summary: r.line_summary,
      counterpartyName: r.counterparty_name,
      counterpartyIsPerson: r.counterparty_is_person,
      counterpartyPublic: r.counterparty_public,
      paymentMethod: r.payment_method,
    });
  }
  if (voucher) each(voucher, voucherCurrent);
}

/**
 * 库存现金 at the start of the month (the closing of the published month before, else the month's opening balances)
 * and the village's sub-accounts whose names say 非生产性开支 or relief.
 */
async function monthContext(
  db: DbOrTx,
  key: Key,
): Promise<{ openingCashFen: bigint; nonProductiveAccounts: Set<string>; reliefAccounts: Set<string> }> {
  const prev = key.month === 1 ? { year: key.year - 1, month: 12 } : { year: key.year, month: key.month - 1 };
  const [opening] = await queryRows<{ fen: string }>(
    db,
    sql`select (case when exists (select 1 from periods where village_id = ${key.villageId} and year = ${prev.year}
                                     and month = ${prev.month} and status = 'published')
                     then (select coalesce(sum(r.closing_fen), 0) from statement_rollups r
                            where r.village_id = ${key.villageId} and r.year = ${prev.year}
                              and r.month = ${prev.month} and left(r.account_code, 3) = '101'
                              and r.revision = (select max(revision) from periods
                                                 where village_id = ${key.villageId} and year = ${prev.year}
                                                   and month = ${prev.month} and status = 'published'))
                     else (select coalesce(sum(balance_fen), 0) from opening_balances
                            where village_id = ${key.villageId} and year = ${key.year} and month = ${key.month}
                              and left(account_code, 3) = '101')
                end)::text as fen`,
  );
  const accounts = await queryRows<{ standard: string; code: string; name: string }>(
    db,
    sql`select standard, code, name from village_accounts where village_id = ${key.villageId}`,
  );
  const nonProductiveAccounts = new Set<string>();
  const reliefAccounts = new Set<string>();
  for (const a of accounts) {
    const words = accountWords(a.name);
    if (words.nonProductive) nonProductiveAccounts.add(`${a.standard}:${a.code}`);
    if (words.relief) reliefAccounts.add(`${a.standard}:${a.code}`);
  }
  return { openingCashFen: BigInt(opening!.fen), nonProductiveAccounts, reliefAccounts };
}

/** Flags in the order people read them: by voucher, whole-month flags last, rules in catalogue order. */
function sortFlags(flags: RedFlagFound[]): RedFlagFound[] {
  const n = (f: RedFlagFound) => f.voucherNumber ?? Number.MAX_SAFE_INTEGER;
  return flags.sort((a, b) => n(a) - n(b) || RULE_CODES.indexOf(a.ruleCode) - RULE_CODES.indexOf(b.ruleCode));
}

function latePublication(key: Key, t: Thresholds, publishedAt: Date): RedFlagFound | null {
  if (key.revision !== 1) return null;
  const next = key.month === 12 ? { year: key.year + 1, month: 1 } : { year: key.year, month: key.month + 1 };
  const deadline = `${next.year}-${String(next.month).padStart(2, '0')}-${String(t.publishByDay).padStart(2, '0')}`;
  const day = beijingDate(publishedAt);
  if (day <= deadline) return null;
  return {
    key: ruleFlagKey('LATE_PUBLICATION', null),
    ruleCode: 'LATE_PUBLICATION',
    voucherNumber: null,
    amountFen: null,
    detail: `${chineseDate(day)}公开，晚于${chineseDate(deadline)}的公开期限`,
  };
}

function money(fen: bigint): string {
  return formatThreshold('cashLimitFen', fen);
}

function chineseDate(iso: string): string {
  const [y, m, d] = iso.split('-').map(Number);
  return `${y}年${m}月${d}日`;
}

/** `9月28日第5号凭证`, with the year when it is not the month's own. */
function voucherRef(key: Key, year: number, month: number, number: number, date: string): string {
  const d = Number(date.slice(8, 10));
  return `${year === key.year ? '' : `${year}年`}${month}月${d}日第${number}号凭证`;
}

function describe(row: FlagRow, key: Key, t: Thresholds): string {
  const amount = row.amount === null ? 0n : BigInt(row.amount);
  const to = row.payee ? `，付给 ${row.payee}` : '';
  switch (row.rule) {
    case 'CASH_OVER_LIMIT':
      return `现金支付 ${money(amount)}${to}`;
    case 'JUST_BELOW_TIER': {
      const tier = BigInt(row.extra!['tier'] as string);
      return `支付 ${money(amount)}，比审批额 ${money(tier)}只少 ${money(tier - amount)}${to}`;
    }
    case 'LARGE_TO_PERSON':
      return `付给个人 ${row.payee ?? ''} ${money(amount)}`;
    case 'DUPLICATE_PAYMENT': {
      const others = (row.extra!['others'] as [number, number, number, string][]).filter(
        ([y, m, n]) => !(y === key.year && m === key.month && n === row.number),
      );
      const refs = others.map(([y, m, n, d]) => voucherRef(key, y, m, n, d)).join('、');
      return `付给 ${row.payee ?? ''} ${money(amount)}，与${refs}的收款方和金额相同`;
    }
    case 'SPLIT_BELOW_TIER': {
      type Member = [number, number, number, string, string];
      const same = (a: Member, b: Member) => a[0] === b[0] && a[1] === b[1] && a[2] === b[2];
      const count = Number(row.extra!['count']);
      const self = row.extra!['self'] as Member;
      const first = (row.extra!['first'] as Member[] | null) ?? [];
      const show = (m: Member) =>
        `${voucherRef(key, m[0], m[1], m[2], m[3]).replace(/凭证$/, '')} ${money(BigInt(m[4]))}`;
      const listed = first.some((m) => same(m, self))
        ? first.map(show)
        : [...first.map(show), ...(count > first.length + 1 ? ['……'] : []), show(self)];
      const tier = BigInt(row.extra!['tier'] as string);
      const total = BigInt(row.extra!['total'] as string);
      return `${formatThreshold('splitWindowDays', t.splitWindowDays)}内付给 ${row.payee ?? ''} ${count} 笔共 ${money(total)}（${listed.join('、')}），每笔都低于审批额 ${money(tier)}`;
    }
    case 'CASH_ON_HAND':
      return `月末库存现金 ${money(amount)}，超过限额 ${money(t.cashOnHandFen)}`;
    case 'NON_PRODUCTIVE': {
      const total = BigInt(row.extra!['spending'] as string);
      const permille = total > 0n ? (amount * 1000n) / total : 1000n;
      return `招待、礼品、慰问等非生产性开支 ${money(amount)}，占当月支出 ${money(total)}的 ${permille / 10n}.${permille % 10n}%`;
    }
    case 'LATE_PUBLICATION':
      return '';
  }
}

/** The flags of a revision as the public and the reviewer see them: the frozen rows once published, else evaluated now. */
export async function redFlagsOf(db: DbOrTx, key: Key): Promise<RedFlagFound[]> {
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
  if (!period) return [];
  if (period.status === 'published') return frozenFlags(db, key);
  const rules = await rulesInForce(db, key.villageId, beijingDate());
  return evaluateRedFlags(db, key, rules);
}

/** The flags frozen with a published revision, in their order. */
export async function frozenFlags(db: DbOrTx, key: Key): Promise<RedFlagFound[]> {
  const rows = await db
    .select({
      ruleCode: redFlags.ruleCode,
      voucherNumber: redFlags.voucherNumber,
      amountFen: redFlags.amountFen,
      detail: redFlags.detail,
    })
    .from(redFlags)
    .where(
      and(
        eq(redFlags.villageId, key.villageId),
        eq(redFlags.year, key.year),
        eq(redFlags.month, key.month),
        eq(redFlags.revision, key.revision),
      ),
    )
    .orderBy(asc(redFlags.seq));
  return rows.map((r) => ({
    key: ruleFlagKey(r.ruleCode as RuleCode, r.voucherNumber),
    ruleCode: r.ruleCode as RuleCode,
    voucherNumber: r.voucherNumber,
    amountFen: r.amountFen,
    detail: r.detail,
  }));
}

/**
 * A new version of a region's thresholds, in force from `effectiveFrom` (YYYY-MM-DD). Complete: every threshold, each
 * within its bounds (`parseThresholds`); anything else is refused with `RULES_INVALID` and nothing is written. Months
 * already published keep the flags and rule version they were published with.
 */
export async function setRuleSet(
  db: Db,
  input: { regionId: number; effectiveFrom: string; thresholds: Record<string, string>; note: string; actor: string },
): Promise<{ id: number; version: number }> {
  const thresholds = parseThresholds(input.thresholds);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(input.effectiveFrom) || !isRealDate(input.effectiveFrom)) {
    throw new LedgerError('RULES_INVALID', `生效日期应为 YYYY-MM-DD 格式的日期：${input.effectiveFrom}`, {
      threshold: 'effectiveFrom',
    });
  }
  const note = input.note.trim();
  if (note.length < 1 || note.length > 2000) {
    throw new LedgerError('RULES_INVALID', '请写明这次调整阈值的理由（1 到 2000 字）', { threshold: 'note' });
  }
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${RULE_SET_LOCK_SPACE}, ${input.regionId})`);
    const [region] = await tx.select({ slug: regions.slug }).from(regions).where(eq(regions.id, input.regionId));
    if (!region) throw new LedgerError('RULES_INVALID', '没有这个地区', { threshold: 'regionId' });
    const [same] = await tx
      .select({ version: redFlagRuleSets.version })
      .from(redFlagRuleSets)
      .where(and(eq(redFlagRuleSets.regionId, input.regionId), eq(redFlagRuleSets.effectiveFrom, input.effectiveFrom)));
    if (same) {
      throw new LedgerError(
        'RULES_INVALID',
        `${region.slug} 已有 ${input.effectiveFrom} 生效的第 ${same.version} 版阈值；版本一经公布不再修改，请换一个生效日期`,
        { threshold: 'effectiveFrom' },
      );
    }
    const [last] = await tx
      .select({ version: max(redFlagRuleSets.version) })
      .from(redFlagRuleSets)
      .where(eq(redFlagRuleSets.regionId, input.regionId));
    const version = (last?.version ?? 0) + 1;
    const [row] = await tx
      .insert(redFlagRuleSets)
      .values({
        regionId: input.regionId,
        version,
        effectiveFrom: input.effectiveFrom,
        thresholds: thresholdsAsText(thresholds),
        note,
        createdBy: input.actor,
      })
      .returning({ id: redFlagRuleSets.id });
    await appendSystemAudit(tx, {
      actor: input.actor,
      action: 'red_flag_rules.set',
      entity: 'region',
      entityKey: region.slug,
      details: { version, effectiveFrom: input.effectiveFrom, thresholds: thresholdsAsText(thresholds), note },
    });
    return { id: row!.id, version };
  });
}
const RULE_SET_LOCK_SPACE = 14;

function isRealDate(iso: string): boolean {
  const d = new Date(`${iso}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === iso && iso >= '2000-01-01';
}
