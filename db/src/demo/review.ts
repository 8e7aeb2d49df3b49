/**
 * The demo's reviews: when each month was published (before the 10th of the next month, a few late), the
 * supervisor's approval a little before, and the committee's answers to every flag, written as committees write them.
 * Deterministic like the rest of the demo (`random.ts`).
 */
import type { YearMonth } from './calendar.ts';
import { rngFor } from './random.ts';

/** Beijing is UTC+8 all year. */
const BEIJING_MS = 8 * 60 * 60 * 1000;

/** An instant at a Beijing wall-clock time. */
export function beijingInstant(year: number, month: number, day: number, hour: number, minute = 0): Date {
  return new Date(Date.UTC(year, month - 1, day, hour, minute) - BEIJING_MS);
}

/** About one month in 25 is published late (after the 10th), the accountant away or the review slow. */
const LATE_SHARE = 0.04;

/**
 * When a demo month is published and approved: a working hour between the 3rd and the 9th of the next month, the
 * approval one or two days before; a late month between the 12th and the 20th. Never after `now`.
 */
export function publicationTimes(slug: string, ym: YearMonth, now: Date): { approvedAt: Date; publishedAt: Date } {
  const rng = rngFor('publish', slug, ym.year, ym.month);
  const next = ym.month === 12 ? { year: ym.year + 1, month: 1 } : { year: ym.year, month: ym.month + 1 };
  const late = rng.chance(LATE_SHARE);
  const day = late ? rng.int(12, 20) : rng.int(4, 9);
  const publishedAt = beijingInstant(next.year, next.month, day, rng.int(9, 16), rng.int(0, 59));
  const approvedAt = beijingInstant(next.year, next.month, day - rng.int(1, 2), rng.int(9, 17), rng.int(0, 59));
  const clamp = (d: Date) => (d.getTime() > now.getTime() ? now : d);
  return { approvedAt: clamp(approvedAt), publishedAt: clamp(publishedAt) };
}

const ANSWERS: Record<string, readonly string[]> = {
  CASH_OVER_LIMIT: [
    '收款人是村里临时雇用的村民，没有银行卡，经村“两委”同意以现金支付，领款单上有本人签字和手印。今后统一通过银行代发。',
    '当天设备抢修，商户只收现金，经主任和监委会主任同意现金支付，发票和维修单附后。已提醒今后一律转账。',
  ],
  SPLIT_BELOW_TIER: [
    '两笔是同一工程按合同分期付款：完工付一部分，验收合格后付尾款。合同总价已经村民代表会议通过，并报镇农经服务中心审核，审核意见附后。',
    '分别是两次不同的活，工程量和验收单各自独立，不是拆分。以后同一供应商一个月内的活合并签合同报审。',
  ],
  JUST_BELOW_TIER: [
    '这笔采购经村“两委”会议和村民代表会议讨论同意，向三家询价，选了报价最低的一家，询价单、合同、发票和验收单都附在凭证后。金额在审批线下是询价结果，不是有意压价。',
    '采购前已公示采购清单，询价三家，最低报价就是这个数。按监委会的意见，已把询价记录补报镇农经服务中心备案。',
  ],
  LARGE_TO_PERSON: [
    '这是按合同退还的押金，原收据已收回作废，款项转入本人银行卡，有本人签收。',
    '款项是按村民代表会议决定支付给本人的补偿，决定和本人签字的领款单附后。',
  ],
  DUPLICATE_PAYMENT: [
    '两笔是两次送货，各有送货单和发票，金额相同是因为每次数量一样，不是重复报销。',
    '经核对是两张不同的发票，分别对应两次维修，监委会已看过原件。',
  ],
  CASH_ON_HAND: ['月底最后一天收到门面房租金现金，银行已下班，下月第一个工作日已存入银行，见下月的存现凭证。'],
  NON_PRODUCTIVE: [
    '本月接待镇里和区里的检查组，按标准安排了工作餐，有接待审批单和陪餐人员名单。两委已研究今后从严控制。',
    '春节前慰问退休老干部购买的慰问品，经两委会研究，名单和签收单附后。以后按镇里规定的标准执行。',
  ],
  LATE_PUBLICATION: [
    '会计参加区里的年度业务培训，账目延后做完，本月公开推迟了几天，已在村务公开栏贴出说明。',
    '本月审核时监委会要求补齐几张发票，补齐后才公开，所以晚了。',
  ],
  SUPERVISOR: [
    '已补齐验收单，验收时村民代表在场并签字，扫描件附在凭证后。',
    '已向监委会说明情况并提供合同原件，监委会看过后无异议。',
  ],
};

/** The committee's answer to a demo flag: plain words, as a village committee would write it. */
export function demoAnswer(ruleCode: string, slug: string, ym: YearMonth, key: string): string {
  const options = ANSWERS[ruleCode] ?? ANSWERS['SUPERVISOR']!;
  const rng = rngFor('answer', slug, ym.year, ym.month, key);
  return options[rng.int(0, options.length - 1)]!;
}
