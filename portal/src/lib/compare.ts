/**
 * What the region pages read from their URL (issue 18): the period (a year, or a month of it), the category compared
 * and the page of villages. Plain functions, so tests can check the choices without a server.
 */

export interface PublishedMonth {
  year: number;
  month: number;
  villageCount: number;
}

export interface ChosenPeriod {
  year: number;
  /** undefined: the whole year. */
  month: number | undefined;
  /** Years with published months, newest first (the year chosen is added if it has none). */
  years: number[];
  /** The published months of the chosen year, in calendar order. */
  months: number[];
}

/** A year as typed in `?year=`: four digits, 2000–2100, else undefined. */
export function parseYear(text: string | null | undefined): number | undefined {
  if (!/^\d{4}$/.test(text?.trim() ?? '')) return undefined;
  const year = Number(text!.trim());
  return year >= 2000 && year <= 2100 ? year : undefined;
}

/** A month as typed in `?month=`: 1–12, else undefined (the whole year). */
export function parseMonth(text: string | null | undefined): number | undefined {
  if (!/^\d{1,2}$/.test(text?.trim() ?? '')) return undefined;
  const month = Number(text!.trim());
  return month >= 1 && month <= 12 ? month : undefined;
}

/**
 * The period a region page shows: the year and month asked for, else the latest year with published months, never
 * the calendar year (which is empty every January until December's books are published in the new year). With no
 * published month at all, `today`'s year.
 */
export function choosePeriod(
  params: URLSearchParams,
  published: readonly PublishedMonth[],
  today = new Date(),
): ChosenPeriod {
  const years = [...new Set(published.map((p) => p.year))].sort((a, b) => b - a);
  const year = parseYear(params.get('year')) ?? years[0] ?? today.getFullYear();
  const month = parseMonth(params.get('month'));
  const months = [...new Set(published.filter((p) => p.year === year).map((p) => p.month))].sort((a, b) => a - b);
  return { year, month, years: years.includes(year) ? years : [year, ...years].sort((a, b) => b - a), months };
}

/** What is compared: all income, all spending, or one first-level account of either. */
export interface Category {
  kind: 'INCOME' | 'SPENDING';
  standard?: string;
  code?: string;
}

/** `?cat=`: `spending` (the default), `income`, or kind-standard-code such as `spending-2023-513`. */
export function parseCategory(text: string | null | undefined): Category {
  const match = /^(income|spending)(?:-(2004|2023)-(\d{3}))?$/.exec(text?.trim() ?? '');
  if (!match) return { kind: 'SPENDING' };
  const kind = match[1] === 'income' ? 'INCOME' : 'SPENDING';
  return match[2] ? { kind, standard: match[2], code: match[3]! } : { kind };
}

export function categoryParam(c: Category): string {
  const kind = c.kind.toLowerCase();
  return c.standard && c.code ? `${kind}-${c.standard}-${c.code}` : kind;
}

/** A query string of the given parameters, leaving out the empty ones: `?year=2025&cat=income`. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(name, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

/** The page of villages asked for: after a cursor (forward) or before one (backward); else the first page. */
export function pageArgs(params: URLSearchParams, size: number) {
  const cursor = (name: string) => {
    const value = params.get(name)?.trim();
    return value && /^[A-Za-z0-9_-]{1,40}$/.test(value) ? value : undefined;
  };
  const before = cursor('before');
  if (before) return { last: size, before };
  return { first: size, after: cursor('after') };
}

/** "2025年" or "2025年8月". */
export function periodLabel(year: number, month: number | undefined): string {
  return month === undefined ? `${year}年` : `${year}年${month}月`;
}

/** Fen as an exact yuan decimal string: "-12345" → "-123.45". */
export function fenToYuan(fen: bigint): string {
  const negative = fen < 0n;
  const abs = negative ? -fen : fen;
  return `${negative ? '-' : ''}${abs / 100n}.${(abs % 100n).toString().padStart(2, '0')}`;
}

/** Whole yuan of an amount in fen, as a number: for drawing lengths only, never for amounts shown. */
export function drawingYuan(fen: string): number {
  return Number(BigInt(fen) / 100n);
}
