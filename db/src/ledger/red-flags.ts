import { and, asc, eq, max, sql } from 'drizzle-orm';
import { queryRows, type Db, type DbOrTx } from '../client.ts';
import { appendSystemAudit } from './audit.ts';
import { LedgerError } from './errors.ts';
import { isCashAccountSql, lineFlowSql } from './flows.ts';
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
 * All of it is one SQL statement over the revision's lines (and the look-back payments): a 50,000-line month costs
 * one scan, never a round trip per voucher. Details name payees by their public (masked) names only.
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

const LINE_FLOW = sql.raw(
  lineFlowSql({ accountClass: 'a.class', side: 'l.side', accountCode: 'l.account_code', voucherWindow: 'voucher' }),
);
const PAYS_OUT = sql.raw(`bool_or(l.side = 'credit' and ${isCashAccountSql('l.account_code')}) over voucher`);
const NON_PRODUCTIVE_WORDS = '招待|宴请|餐费|餐饮|就餐|工作餐|礼品|礼金|烟酒|购物卡|纪念品|考察|旅游|慰问';
const RELIEF_WORDS = '困难|低保|特困|五保|救助';
/** 9月份, 9月 (not a date such as 9月5日), 第三季度, 2025年度. */
const PERIODIC_WORDS = '[0-9０-９一二三四五六七八九十]+月(?![0-9０-９]+日)|季度|年度';
const WAGE_WORDS = '工资|报酬|薪酬';

interface FlagRow {
  rule: RuleCode;
  number: number | null;
  amount: string | null;
  payee: string | null;
  extra: Record<string, unknown> | null;
}

/** Evaluates a revision's content (any status) against `rules`; `publishedAt` decides LATE_PUBLICATION (default now). */
export async function evaluateRedFlags(
  db: DbOrTx,
  key: Key,
  rules: RulesInForce,
  options: { publishedAt?: Date | undefined } = {},
): Promise<RedFlagFound[]> {
  const t = rules.thresholds;
  const lookbackDays = Number(t.splitWindowDays > t.duplicateWindowDays ? t.splitWindowDays : t.duplicateWindowDays);
  const from = new Date(Date.UTC(key.year, key.month - 1, 1) - lookbackDays * 86_400_000);
  // The months before are read only as far back as the windows reach, not whole.
  const fromDate = sql`${from.toISOString().slice(0, 10)}::date`;
  const prev = key.month === 1 ? { year: key.year - 1, month: 12 } : { year: key.year, month: key.month - 1 };
  const fen = (value: bigint) => sql`${value.toString()}::bigint`;
  const rows = await queryRows<FlagRow>(
    db,
    sql`
    with months as (
      select year, month, revision, false as current from (
        select distinct on (year, month) year, month, revision from periods
         where village_id = ${key.villageId} and status = 'published'
           and (year, month) >= (${from.getUTCFullYear()}, ${from.getUTCMonth() + 1})
           and (year, month) < (${key.year}, ${key.month})
         order by year, month, revision desc) p
      union all select ${key.year}::smallint, ${key.month}::smallint, ${key.revision}::smallint, true
    ),
    lines as (
      select c.current, v.year, v.month, v.number, v.date, v.id as voucher_id, v.summary_public as voucher_summary,
             l.side, l.standard, l.account_code, l.amount_fen, l.summary_public as line_summary,
             l.counterparty_name, l.counterparty_is_person, l.counterparty_public, l.payment_method,
             ${LINE_FLOW} as kind,
             ${PAYS_OUT} as pays_out,
             bool_or(l.side = 'credit' and (left(l.account_code, 3) = '101' or l.payment_method = 'cash')) over voucher
               as cash_out
        from months c
        join vouchers v on v.village_id = ${key.villageId} and v.year = c.year and v.month = c.month
                       and v.revision = c.revision and (c.current or v.date >= ${fromDate})
        join voucher_lines l on l.village_id = v.village_id and l.voucher_id = v.id
        join accounts a on a.standard = l.standard and a.code = left(l.account_code, 3)
      window voucher as (partition by l.voucher_id)
    ),
    pay as (
      select row_number() over () as seq, current, year, month, number, date, voucher_id,
             counterparty_name as payee_key,
             min(counterparty_public) as payee, bool_or(counterparty_is_person) as person, sum(amount_fen) as amount,
             bool_or(coalesce(payment_method = 'cash', cash_out)) as cash,
             bool_or(left(account_code, 3) = case standard when '2004' then '211' else '212' end
                     or voucher_summary ~ ${WAGE_WORDS}) as wage,
             bool_or(voucher_summary ~ ${PERIODIC_WORDS}) as periodic
        from lines
       where side = 'debit' and kind in ('spending', 'other_payment') and pays_out
       group by current, year, month, number, date, voucher_id, counterparty_name
    ),
    tiers as (
      select unnest(array[${fen(t.tierServiceCentreFen)}, ${fen(t.tierTownshipFen)}, ${fen(t.tierAuditFen)}]) as tier
    ),
    cash_over as (
      select 'CASH_OVER_LIMIT' as rule, number, amount, payee, null::jsonb as extra
        from pay where current and cash and amount >= ${fen(t.cashLimitFen)}
    ),
    just_below as (
      select distinct on (p.voucher_id, p.payee_key)
             'JUST_BELOW_TIER' as rule, p.number, p.amount, p.payee, jsonb_build_object('tier', t.tier::text) as extra
        from pay p join tiers t on p.amount < t.tier and p.amount * 100 >= t.tier * (100 - ${fen(t.justBelowPercent)})
       where p.current and not p.periodic
       order by p.voucher_id, p.payee_key, t.tier
    ),
    large_person as (
      select 'LARGE_TO_PERSON' as rule, number, amount, payee, null::jsonb as extra
        from pay where current and person and not wage and amount >= ${fen(t.personLargeFen)}
    ),
    duplicates as (
      select 'DUPLICATE_PAYMENT' as rule, number, amount, payee, jsonb_build_object('others', jsonb_build_array(prev))
               as extra
        from (select p.*, lag(p.date) over w as prev_date,
                     lag(jsonb_build_array(p.year, p.month, p.number, p.date::text)) over w as prev
                from pay p where p.payee_key is not null
              window w as (partition by p.payee_key, p.amount order by p.date, p.year, p.month, p.number)) d
       where current and prev_date is not null and date - prev_date <= ${Number(t.duplicateWindowDays)}
    ),
    split_candidates as (
      select distinct on (voucher_id, payee_key) *
        from (select p.seq, p.current, p.voucher_id, p.payee_key, p.year, p.month, p.date, p.number, p.amount, p.payee,
                     t.tier,
                     count(*) over w as n, sum(p.amount) over w as total,
                     nth_value(p.seq, 1) over w as s1, nth_value(p.seq, 2) over w as s2, nth_value(p.seq, 3) over w as s3
                from pay p join tiers t on p.amount < t.tier and p.amount * 10 >= t.tier
               where p.payee_key is not null and not p.periodic
              window w as (partition by t.tier, p.payee_key order by p.date
                           range between make_interval(days => ${Number(t.splitWindowDays)}) preceding
                                     and current row)) s
       where current and n >= 2 and total >= tier and total - amount < tier
       order by voucher_id, payee_key, tier desc
    ),
    split_members as materialized (
      select c.seq as candidate,
             jsonb_agg(jsonb_build_array(m.year, m.month, m.number, m.date::text, m.amount::text) order by u.k) as first
        from split_candidates c
       cross join lateral unnest(array[c.s1, c.s2, c.s3]) with ordinality as u(seq, k)
        join pay m on m.seq = u.seq
       group by c.seq
    ),
    splits as (
      select 'SPLIT_BELOW_TIER' as rule, c.number, c.amount, c.payee,
             jsonb_build_object('tier', c.tier::text, 'total', c.total::text, 'count', c.n, 'first', f.first,
                                'self', jsonb_build_array(c.year, c.month, c.number, c.date::text, c.amount::text))
               as extra
        from split_candidates c left join split_members f on f.candidate = c.seq
    ),
    cash_on_hand as (
      select 'CASH_ON_HAND' as rule, null::int as number, closing as amount, null::text as payee, null::jsonb as extra
        from (select case when exists (select 1 from periods where village_id = ${key.villageId} and year = ${prev.year}
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
                     end
                     + (select coalesce(sum(case when side = 'debit' then amount_fen else -amount_fen end), 0)
                          from lines where current and left(account_code, 3) = '101') as closing) c
       where closing > ${fen(t.cashOnHandFen)}
    ),
    account_words as materialized (
      select coalesce(array_agg(standard || ':' || code) filter (where name ~ ${NON_PRODUCTIVE_WORDS}), '{}') as np,
             coalesce(array_agg(standard || ':' || code) filter (where name ~ ${RELIEF_WORDS}), '{}') as relief
        from village_accounts where village_id = ${key.villageId}
    ),
    spending as (
      select coalesce(sum(l.amount_fen), 0) as total,
             coalesce(sum(l.amount_fen) filter (
               where (l.standard || ':' || l.account_code = any(w.np)
                      or (l.voucher_summary || ' ' || coalesce(l.line_summary, '')) ~ ${NON_PRODUCTIVE_WORDS})
                 and not (l.standard || ':' || l.account_code = any(w.relief)
                          or (l.voucher_summary || ' ' || coalesce(l.line_summary, '')) ~ ${RELIEF_WORDS})), 0) as np
        from lines l cross join account_words w
       where l.current and l.kind = 'spending'
    ),
    non_productive as (
      select 'NON_PRODUCTIVE' as rule, null::int as number, np as amount, null::text as payee,
             jsonb_build_object('spending', total::text) as extra
        from spending
       where np > 0 and (np > ${fen(t.nonProductiveFen)} or np * 100 > total * ${fen(t.nonProductivePercent)})
    )
    select rule, number, amount::text as amount, payee, extra from cash_over
    union all select rule, number, amount::text, payee, extra from just_below
    union all select rule, number, amount::text, payee, extra from large_person
    union all select rule, number, amount::text, payee, extra from duplicates
    union all select rule, number, amount::text, payee, extra from splits
    union all select rule, number, amount::text, payee, extra from cash_on_hand
    union all select rule, number, amount::text, payee, extra from non_productive`,
  );

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
