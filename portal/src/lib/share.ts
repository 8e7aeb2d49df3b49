/**
 * The share pages' plain logic (issue 18): reading the search form as typed, summing a year of fen, and drawing the
 * badge and the month's card as SVG. Money stays fen strings and bigint here, never a float.
 */
import { monthLabel, yuan } from './format';

/** The longest search text, as the API allows (api/src/vouchers/voucher.resolver.ts lineFilter). */
export const MAX_SEARCH_CHARS = 100;
export const SEARCH_PAGE_SIZE = 30;
/** The most results on one page a visitor may ask for (`?n=`): the API's own page limit. */
export const MAX_SEARCH_PAGE = 100;

export interface SearchForm {
  q: string;
  year: string;
  min: string;
  max: string;
  /** 'spending', 'income' or '' (both). */
  kind: string;
  n: string;
  after: string | undefined;
}

export type SearchInput =
  | { ok: true; form: SearchForm; active: boolean; variables: SearchVariables }
  | { ok: false; form: SearchForm; error: string };

export interface SearchVariables {
  search: string | undefined;
  year: number | undefined;
  minYuan: string | undefined;
  maxYuan: string | undefined;
  kind: 'SPENDING' | 'INCOME' | undefined;
  first: number;
  after: string | undefined;
}

const AMOUNT = /^\d{1,13}(\.\d{1,2})?$/;

/** "1,000.5元" → "1000.5": what villagers type around a number; letters stay and are refused below. */
const amountText = (raw: string) => raw.replace(/[,，¥￥元\s]/g, '');

/** An amount as exact fen, for comparing min and max without a float. */
const fenOf = (amount: string) => {
  const [whole = '0', frac = ''] = amount.split('.');
  return BigInt(whole + frac.padEnd(2, '0'));
};

/**
 * The search page's GET parameters as typed: every mistake named in Chinese (the page answers 400 with it), never
 * passed on for the API to fail on, never silently cut short.
 */
export function readSearch(params: URLSearchParams): SearchInput {
  const get = (name: string) => params.get(name)?.trim() ?? '';
  const form: SearchForm = {
    q: get('q'),
    year: get('year'),
    min: amountText(get('min')),
    max: amountText(get('max')),
    kind: get('kind'),
    n: get('n'),
    after: get('after') || undefined,
  };
  const fail = (error: string): SearchInput => ({ ok: false, form, error });
  if ([...form.q].length > MAX_SEARCH_CHARS)
    return fail(`查找的文字太长了：最多 ${MAX_SEARCH_CHARS} 个字，现在是 ${[...form.q].length} 个字。`);
  if (form.year !== '') {
    const year = /^\d{4}$/.test(form.year) ? Number(form.year) : NaN;
    if (!(year >= 2000 && year <= 2100)) return fail('年份应为 2000 到 2100 之间的四位数字，如 2025。');
  }
  for (const [name, value] of [
    ['最少金额', form.min],
    ['最多金额', form.max],
  ] as const) {
    if (value !== '' && !AMOUNT.test(value))
      return fail(`${name}只能写数字（元），最多两位小数，如 1000 或 99.50；“${value.slice(0, 20)}”不是金额。`);
  }
  if (form.min !== '' && form.max !== '' && fenOf(form.min) > fenOf(form.max))
    return fail('最少金额不能大于最多金额。');
  if (form.kind !== '' && form.kind !== 'spending' && form.kind !== 'income')
    return fail('收支只能选“支出”或“收入”，或者不选。');
  let first = SEARCH_PAGE_SIZE;
  if (form.n !== '') {
    first = /^\d{1,6}$/.test(form.n) ? Number(form.n) : NaN;
    if (!(first >= 1 && first <= MAX_SEARCH_PAGE)) return fail(`每页条数应为 1 到 ${MAX_SEARCH_PAGE} 之间的数字。`);
  }
  if (form.after !== undefined && form.after.length > 200) return fail('翻页的位置不对，请回到第一页重新查找。');
  return {
    ok: true,
    form,
    active: Boolean(form.q || form.year || form.min || form.max || form.kind),
    variables: {
      search: form.q || undefined,
      year: form.year ? Number(form.year) : undefined,
      minYuan: form.min || undefined,
      maxYuan: form.max || undefined,
      kind: form.kind === 'spending' ? 'SPENDING' : form.kind === 'income' ? 'INCOME' : undefined,
      first,
      after: form.after,
    },
  };
}

/** "123456" fen → "1234.56"; negative too. The API's Money.yuan format, for sums made here. */
export function fenToYuan(fen: bigint): string {
  const negative = fen < 0n;
  const abs = negative ? -fen : fen;
  return `${negative ? '-' : ''}${abs / 100n}.${(abs % 100n).toString().padStart(2, '0')}`;
}

export const sumFen = (values: readonly string[]) => values.reduce((a, v) => a + BigInt(v), 0n);

/** Escapes text for SVG/XML content and attribute values. */
export function xml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Rough width of text at a font size: CJK (and full-width) characters a full em, the rest about 0.6 em. */
export function textWidth(text: string, size: number): number {
  let em = 0;
  for (const ch of text) em += /[\u2e80-\u9fff\uff00-\uffef\u3000-\u303f]/.test(ch) ? 1 : 0.6;
  return Math.ceil(em * size);
}

const FONT = `'WenQuanYi Zen Hei','Noto Sans CJK SC','PingFang SC','Microsoft YaHei',sans-serif`;

/**
 * The embeddable badge: "明白账 · 付村 | 2026年10月 余额 ¥1,234.56", a link to the month. Static SVG: no script, no
 * external reference, every text escaped, so any site may show it in an <img> (where links do not work, the page
 * wraps it in its own <a>) or an <object> (where the link inside works).
 */
export function badgeSvg(input: {
  villageName: string;
  latest: { year: number; month: number; closingYuan: string } | undefined;
  href: string;
}): string {
  const left = `明白账 · ${input.villageName}`;
  const right = input.latest
    ? `${monthLabel(input.latest.year, input.latest.month)} 余额 ${yuan(input.latest.closingYuan)}`
    : '还没有公开的账目';
  const size = 12;
  const pad = 8;
  const lw = textWidth(left, size) + pad * 2;
  const rw = textWidth(right, size) + pad * 2;
  const w = lw + rw;
  const h = 22;
  const label = `${left}：${right}`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" role="img" aria-label="${xml(label)}">
<title>${xml(label)}</title>
<a href="${xml(input.href)}" target="_top">
<rect width="${w}" height="${h}" rx="3" fill="#0b5cab"/>
<rect width="${lw}" height="${h}" rx="3" fill="#333"/>
<rect x="${lw - 3}" width="3" height="${h}" fill="#333"/>
<g fill="#fff" font-family="${FONT}" font-size="${size}">
<text x="${pad}" y="15">${xml(left)}</text>
<text x="${lw + pad}" y="15">${xml(right)}</text>
</g>
</a>
</svg>
`;
}

/**
 * The month's card for a link shared in a chat (Open Graph image): village, month and its four figures, drawn as SVG
 * and rasterised by the card route. 600 × 315, the 1.91:1 shape link previews expect.
 */
export function cardSvg(input: {
  villageName: string;
  townName: string;
  year: number;
  month: number;
  openingYuan: string;
  incomeYuan: string;
  spendingYuan: string;
  closingYuan: string;
  lineCount: number;
}): string {
  const rows: [string, string, string][] = [
    ['月初余额', yuan(input.openingYuan), '#1a1a1a'],
    ['本月收入', `+${yuan(input.incomeYuan)}`, '#1d6b35'],
    ['本月支出', `−${yuan(input.spendingYuan)}`, '#a3361f'],
    ['月末余额', yuan(input.closingYuan), '#1a1a1a'],
  ];
  const title = `${input.villageName} ${monthLabel(input.year, input.month)}收支公开`;
  const titleSize = Math.min(34, Math.floor(552 / Math.max(1, textWidth(title, 1))));
  return `<svg xmlns="http://www.w3.org/2000/svg" width="600" height="315" viewBox="0 0 600 315">
<rect width="600" height="315" fill="#ffffff"/>
<rect width="600" height="8" fill="#0b5cab"/>
<g font-family="${FONT}">
<text x="24" y="58" font-size="${titleSize}" font-weight="700" fill="#1a1a1a">${xml(title)}</text>
<text x="24" y="88" font-size="18" fill="#555555">${xml(input.townName)} · 共 ${input.lineCount} 笔，每一笔都公开</text>
${rows
  .map(
    ([label, value, color], i) =>
      `<rect x="24" y="${104 + i * 44}" width="552" height="38" rx="4" fill="#f4f6f8"/>` +
      `<text x="38" y="${130 + i * 44}" font-size="20" fill="#555555">${label}</text>` +
      `<text x="562" y="${131 + i * 44}" font-size="24" font-weight="700" text-anchor="end" fill="${color}">${xml(value)}</text>`,
  )
  .join('\n')}
<text x="24" y="300" font-size="15" fill="#555555">明白账 · 村集体的每一笔钱花在哪里，村民都能看明白</text>
</g>
</svg>
`;
}
