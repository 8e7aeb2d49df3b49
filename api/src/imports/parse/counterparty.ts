import type { PaymentMethod } from '@mingbai/db/schema/ledger';
import { halfWidth } from './cells.ts';

/** Words that make a name an organisation: 公司, 政府, 村委会 (村), 供电所 (所), 五金店 (店)… */
const ORGANISATION_WORDS = [
  '公司',
  '政府',
  '委员会',
  '银行',
  '局',
  '站',
  '所',
  '中心',
  '合作社',
  '厂',
  '店',
  '部',
  '处',
  '院',
  '校',
  '村',
  '社区',
  '镇',
  '街道',
  // Payees of 2–4 characters that carry none of the words above, and were published as 红*学, 物*市.
  '小学',
  '中学',
  '大学',
  '学校',
  '幼儿园',
  '超市',
  '卫生室',
  '药房',
  '宾馆',
  '集团',
  '商行',
  '门市',
  '车队',
  '协会',
  '农场',
  '果园',
  '市场',
  '物业',
] as const;

const PERSON_NAME = /^\p{Script=Han}{2,4}$/u;

/**
 * Whether a payee reads as a natural person: 2–4 Han characters and no organisation word. A guess, used only when the
 * file has no 是否个人 column; when it errs towards a person, the public sees a masked name, which is the safe side.
 */
export function looksLikePerson(name: string): boolean {
  return PERSON_NAME.test(name) && !ORGANISATION_WORDS.some((w) => name.includes(w));
}

/** 是/否 and its usual spellings; undefined when the cell says neither. */
export function parseYesNo(raw: string): boolean | undefined {
  const text = halfWidth(raw).toLowerCase();
  if (['是', 'y', 'yes', 'true', '1', '个人', '√', '✓'].includes(text)) return true;
  if (['否', 'n', 'no', 'false', '0', '单位', '×', '✗'].includes(text)) return false;
  return undefined;
}

/** ID numbers, phones and bank accounts without the spaces and dashes people type into them. */
export function compactNumber(raw: string): string {
  return halfWidth(raw).replace(/[\s-]/g, '').toUpperCase();
}

/** 结算方式 / 收付方式 → payment method of a line that is neither cash (101) nor bank (102). */
export function settlementMethod(raw: string): PaymentMethod | undefined {
  const text = halfWidth(raw);
  if (!text) return undefined;
  if (text.includes('现金')) return 'cash';
  if (/转账|微信|支付宝|网银|电汇|汇款|扫码/.test(text)) return 'transfer';
  if (/银行|支票|存款|刷卡|pos/i.test(text)) return 'bank';
  return undefined;
}

/** The account a cashbook row moves money through: 现金 → 101 库存现金; 银行, 转账, 微信, 支付宝 or blank → 102 银行存款. */
export function cashbookVia(raw: string): '101' | '102' {
  return halfWidth(raw).includes('现金') ? '101' : '102';
}

/** Payment method by account: cash on 101…, bank on 102…, else what the row says. */
export function paymentMethodFor(
  accountCode: string,
  settlement: PaymentMethod | undefined,
): PaymentMethod | undefined {
  if (accountCode.startsWith('101')) return 'cash';
  if (accountCode.startsWith('102')) return 'bank';
  return settlement;
}
