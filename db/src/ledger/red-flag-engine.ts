import type { AccountClass } from '../schema/accounts.ts';
import { isCashAccount, lineFlow } from './flows.ts';
import type { RuleCode, Thresholds } from './red-flag-rules.ts';

/**
 * The red-flag rules over a month's payments, in TypeScript: the one implementation (`red-flags.ts` explains what each
 * rule reads, feeds it from the database and words the flags). Vouchers go into a `PaymentBook` one at a time, from
 * the database or straight from an import's COPY stream, so judging an upload reads nothing back; `judge` then runs
 * every rule in one pass over the payments and a sort per payee.
 */

const NON_PRODUCTIVE = /招待|宴请|餐费|餐饮|就餐|工作餐|礼品|礼金|烟酒|购物卡|纪念品|考察|旅游|慰问/;
const RELIEF = /困难|低保|特困|五保|救助/;
/** 9月份, 9月 (not a date such as 9月5日), 第三季度, 2025年度. */
const PERIODIC = /[0-9０-９一二三四五六七八九十]+月(?![0-9０-９]+日)|季度|年度/;
const WAGE = /工资|报酬|薪酬/;

const WAGE_WORDS = 1;
const PERIODIC_WORDS = 2;
const NON_PRODUCTIVE_WORDS = 4;
const RELIEF_WORDS = 8;

/** What a voucher's 摘要 (public form) says that the rules read, as bits: kept per voucher instead of the text. */
export function voucherWords(summary: string): number {
  return (
    (WAGE.test(summary) ? WAGE_WORDS : 0) |
    (PERIODIC.test(summary) ? PERIODIC_WORDS : 0) |
    (NON_PRODUCTIVE.test(summary) ? NON_PRODUCTIVE_WORDS : 0) |
    (RELIEF.test(summary) ? RELIEF_WORDS : 0)
  );
}

/** Whether an account name says 非生产性开支 (招待费) or relief (困难群众慰问): sub-accounts count by their names. */
export function accountWords(name: string): { nonProductive: boolean; relief: boolean } {
  return { nonProductive: NON_PRODUCTIVE.test(name), relief: RELIEF.test(name) };
}

export interface EngineLine {
  side: 'debit' | 'credit';
  standard: string;
  accountCode: string;
  accountClass: AccountClass;
  amountFen: bigint;
  /** The line's 摘要 in its public form, or null. */
  summary: string | null;
  counterpartyName: string | null;
  counterpartyIsPerson: boolean;
  counterpartyPublic: string | null;
  paymentMethod: string | null;
}

export interface EngineVoucher {
  year: number;
  month: number;
  number: number;
  /** YYYY-MM-DD. */
  date: string;
  /** `voucherWords` of its 摘要 in its public form. */
  words: number;
  lines: readonly EngineLine[];
}

const IS_PERSON = 1;
const IS_CASH = 2;
const IS_WAGE = 4;
const IS_PERIODIC = 8;
const IS_CURRENT = 16;

/**
 * Money leaving 库存现金 or 银行存款 on one voucher to one payee. Kept small (six fields; the flags as bits; year,
 * month and date follow from the day, as a voucher's date is in its month): the book of a million-line upload holds
 * some 300,000 of them inside the import's 128 MB heap (as plain objects of thirteen fields they took 240 bytes each
 * and the import ran out of memory).
 */
export class Payment {
  /** The smallest public form of the payee's name on the voucher's lines. */
  payee: string | null = null;
  amount = 0n;
  private bits: number;

  constructor(
    readonly number: number,
    /** Days since 1970-01-01. */
    readonly day: number,
    readonly payeeKey: string | null,
    flags: { periodic: boolean; current: boolean },
  ) {
    this.bits = (flags.periodic ? IS_PERIODIC : 0) | (flags.current ? IS_CURRENT : 0);
  }

  get year(): number {
    return new Date(this.day * 86_400_000).getUTCFullYear();
  }
  get month(): number {
    return new Date(this.day * 86_400_000).getUTCMonth() + 1;
  }
  /** YYYY-MM-DD. */
  get date(): string {
    return dateOfDay(this.day);
  }
  get person(): boolean {
    return (this.bits & IS_PERSON) !== 0;
  }
  set person(value: boolean) {
    this.bits = value ? this.bits | IS_PERSON : this.bits & ~IS_PERSON;
  }
  get cash(): boolean {
    return (this.bits & IS_CASH) !== 0;
  }
  set cash(value: boolean) {
    this.bits = value ? this.bits | IS_CASH : this.bits & ~IS_CASH;
  }
  get wage(): boolean {
    return (this.bits & IS_WAGE) !== 0;
  }
  set wage(value: boolean) {
    this.bits = value ? this.bits | IS_WAGE : this.bits & ~IS_WAGE;
  }
  get periodic(): boolean {
    return (this.bits & IS_PERIODIC) !== 0;
  }
  /** Of the month judged, not of a month before it. */
  get current(): boolean {
    return (this.bits & IS_CURRENT) !== 0;
  }
}

interface SpendingPart {
  account: string;
  nonProductive: boolean;
  relief: boolean;
  fen: bigint;
}

/** What the rules need of vouchers: their payments, the month's movement of 库存现金 and its spending by account. */
export class PaymentBook {
  readonly payments: Payment[] = [];

  /** `current`: the month judged; else a month before it, read for the windows. */
  constructor(readonly current = true) {}

  /** 库存现金 (101) debits − credits. */
  cashMovementFen = 0n;
  spendingFen = 0n;
  /** Spending by account (`standard:code`) and by whether its 摘要 say 非生产性 or relief words. */
  readonly spending = new Map<string, SpendingPart>();

  add(v: EngineVoucher): void {
    let touches = false;
    let movesCash = false;
    let paysOut = false;
    let cashOut = false;
    for (const l of v.lines) {
      const cash = isCashAccount(l.accountCode);
      if (l.accountClass === 'income' || l.accountClass === 'expense') touches = true;
      if (cash) movesCash = true;
      if (l.side === 'credit' && cash) paysOut = true;
      if (l.side === 'credit' && (l.accountCode.startsWith('101') || l.paymentMethod === 'cash')) cashOut = true;
    }
    const shape = { touchesIncomeOrExpense: touches, movesCash };
    const wageWords = (v.words & WAGE_WORDS) !== 0;
    const periodic = (v.words & PERIODIC_WORDS) !== 0;
    const day = daysOf(v.date);
    const byPayee = new Map<string | null, Payment>();
    for (const l of v.lines) {
      if (l.accountCode.startsWith('101')) this.cashMovementFen += l.side === 'debit' ? l.amountFen : -l.amountFen;
      const kind = lineFlow(l, shape);
      if (kind === 'spending') this.addSpending(v, l);
      if (l.side !== 'debit' || !paysOut || (kind !== 'spending' && kind !== 'other_payment')) continue;
      let p = byPayee.get(l.counterpartyName);
      if (!p) {
        p = new Payment(v.number, day, l.counterpartyName, { periodic, current: this.current });
        byPayee.set(l.counterpartyName, p);
        this.payments.push(p);
      }
      if (l.counterpartyPublic !== null && (p.payee === null || l.counterpartyPublic < p.payee)) {
        p.payee = l.counterpartyPublic;
      }
      p.person ||= l.counterpartyIsPerson;
      p.amount += l.amountFen;
      p.cash ||= l.paymentMethod !== null ? l.paymentMethod === 'cash' : cashOut;
      p.wage ||= wageWords || l.accountCode.slice(0, 3) === (l.standard === '2004' ? '211' : '212');
    }
  }

  private addSpending(v: EngineVoucher, l: EngineLine): void {
    this.spendingFen += l.amountFen;
    const account = `${l.standard}:${l.accountCode}`;
    const nonProductive =
      (v.words & NON_PRODUCTIVE_WORDS) !== 0 || (l.summary !== null && NON_PRODUCTIVE.test(l.summary));
    const relief = (v.words & RELIEF_WORDS) !== 0 || (l.summary !== null && RELIEF.test(l.summary));
    const key = `${account}\u0000${nonProductive}\u0000${relief}`;
    const part = this.spending.get(key);
    if (part) part.fen += l.amountFen;
    else this.spending.set(key, { account, nonProductive, relief, fen: l.amountFen });
  }
}

/** What judging needs beside the month's payments. */
export interface JudgeContext {
  thresholds: Thresholds;
  /** Payments of the published months before, within the windows. */
  earlier: readonly Payment[];
  /** 库存现金 at the start of the month. */
  openingCashFen: bigint;
  /** Sub-accounts (`standard:code`) whose names say 非生产性开支, and relief. */
  nonProductiveAccounts: ReadonlySet<string>;
  reliefAccounts: ReadonlySet<string>;
}

/** One rule's finding before it is worded: `extra` carries what the wording needs. */
export interface FlagRow {
  rule: RuleCode;
  number: number | null;
  amount: string | null;
  payee: string | null;
  extra: Record<string, unknown> | null;
}

/** Every rule but LATE_PUBLICATION (a matter of the publication date, not of the payments). */
export function judge(month: PaymentBook, ctx: JudgeContext): FlagRow[] {
  const t = ctx.thresholds;
  const rows: FlagRow[] = [];
  const row = (rule: RuleCode, p: Payment, extra: Record<string, unknown> | null = null) =>
    rows.push({ rule, number: p.number, amount: p.amount.toString(), payee: p.payee, extra });
  // Each tier with the least amount "just below" it and the least amount that counts as a part of a split, so each
  // payment is compared, not multiplied: amount × 100 ≥ tier × (100 − percent) ⇔ amount ≥ ⌈tier × (100 − percent) / 100⌉.
  const tiers = [t.tierServiceCentreFen, t.tierTownshipFen, t.tierAuditFen]
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((tier) => ({ tier, justBelow: ceilDiv(tier * (100n - t.justBelowPercent), 100n), part: ceilDiv(tier, 10n) }));

  for (const p of month.payments) {
    if (p.cash && p.amount >= t.cashLimitFen) row('CASH_OVER_LIMIT', p);
  }
  for (const p of month.payments) {
    if (p.periodic) continue;
    const tier = tiers.find((x) => p.amount < x.tier && p.amount >= x.justBelow);
    if (tier !== undefined) row('JUST_BELOW_TIER', p, { tier: tier.tier.toString() });
  }
  for (const p of month.payments) {
    if (p.person && !p.wage && p.amount >= t.personLargeFen) row('LARGE_TO_PERSON', p);
  }

  // Per payee, every payment of the windows in order: what both DUPLICATE_PAYMENT and SPLIT_BELOW_TIER read.
  const byPayee = new Map<string, Payment[]>();
  for (const list of [ctx.earlier, month.payments]) {
    for (const p of list) {
      if (p.payeeKey === null) continue;
      const mine = byPayee.get(p.payeeKey);
      if (mine) mine.push(p);
      else byPayee.set(p.payeeKey, [p]);
    }
  }
  const duplicateDays = Number(t.duplicateWindowDays);
  const splitDays = Number(t.splitWindowDays);
  const splits = new Map<Payment, { tier: bigint; row: FlagRow }>();
  for (const mine of byPayee.values()) {
    if (mine.length < 2) continue;
    mine.sort(inOrder);
    // DUPLICATE_PAYMENT: the same amount as the payee's payment of that amount before it, within the window.
    const lastOfAmount = new Map<bigint, Payment>();
    for (const p of mine) {
      const prev = lastOfAmount.get(p.amount);
      if (prev && p.current && p.day - prev.day <= duplicateDays) {
        row('DUPLICATE_PAYMENT', p, { others: [[prev.year, prev.month, prev.number, prev.date]] });
      }
      lastOfAmount.set(p.amount, p);
    }
    // SPLIT_BELOW_TIER: per tier, the parts (under the tier, at least a tenth of it, not periodic) within the window
    // up to and including the payment's day; flagged on the payment that makes them reach the tier, by the highest.
    for (const { tier, part } of tiers) {
      const parts = mine.filter((p) => !p.periodic && p.amount < tier && p.amount >= part);
      if (parts.length < 2) continue;
      let lo = 0;
      let hi = 0;
      let sum = 0n;
      for (const p of parts) {
        while (hi < parts.length && parts[hi]!.day <= p.day) sum += parts[hi++]!.amount;
        while (parts[lo]!.day < p.day - splitDays) sum -= parts[lo++]!.amount;
        const count = hi - lo;
        if (!p.current || count < 2 || sum < tier || sum - p.amount >= tier) continue;
        const member = (m: Payment) => [m.year, m.month, m.number, m.date, m.amount.toString()];
        splits.set(p, {
          tier,
          row: {
            rule: 'SPLIT_BELOW_TIER',
            number: p.number,
            amount: p.amount.toString(),
            payee: p.payee,
            extra: {
              tier: tier.toString(),
              total: sum.toString(),
              count,
              first: parts.slice(lo, Math.min(lo + 3, hi)).map(member),
              self: member(p),
            },
          },
        });
      }
    }
  }
  for (const { row: r } of splits.values()) rows.push(r);

  const closing = ctx.openingCashFen + month.cashMovementFen;
  if (closing > t.cashOnHandFen) {
    rows.push({ rule: 'CASH_ON_HAND', number: null, amount: closing.toString(), payee: null, extra: null });
  }

  let nonProductive = 0n;
  for (const part of month.spending.values()) {
    const np = ctx.nonProductiveAccounts.has(part.account) || part.nonProductive;
    const relief = ctx.reliefAccounts.has(part.account) || part.relief;
    if (np && !relief) nonProductive += part.fen;
  }
  const total = month.spendingFen;
  if (
    nonProductive > 0n &&
    (nonProductive > t.nonProductiveFen || nonProductive * 100n > total * t.nonProductivePercent)
  ) {
    rows.push({
      rule: 'NON_PRODUCTIVE',
      number: null,
      amount: nonProductive.toString(),
      payee: null,
      extra: { spending: total.toString() },
    });
  }
  return rows;
}

/** Payments in the order of their days, then of their vouchers (one day is in one month). */
function inOrder(a: Payment, b: Payment): number {
  return a.day - b.day || a.number - b.number;
}

function ceilDiv(a: bigint, b: bigint): bigint {
  return (a + b - 1n) / b;
}

/** YYYY-MM-DD of a day since 1970-01-01. */
export function dateOfDay(day: number): string {
  // A month's vouchers fall on at most 31 days: one Date and ISO string per day, not one per voucher (1.4 s of a
  // million-line import's profile).
  let date = DATES_OF_DAYS.get(day);
  if (date === undefined) {
    if (DATES_OF_DAYS.size >= 4096) DATES_OF_DAYS.clear();
    date = new Date(day * 86_400_000).toISOString().slice(0, 10);
    DATES_OF_DAYS.set(day, date);
  }
  return date;
}

const DATES_OF_DAYS = new Map<number, string>();

/** Days since 1970-01-01 of a YYYY-MM-DD date. */
export function daysOf(date: string): number {
  return Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / 86_400_000;
}
