import { badInput } from './errors.ts';

/** The year every query and write names: ledgers start no earlier than 2000, and a typo like 20255 is refused. */
export function checkYear(year: number): void {
  if (!Number.isInteger(year) || year < 2000 || year > 2100) throw badInput('年份应在 2000 到 2100 之间', 'year');
}

/** A (year, month) named by a client, checked once before any work. */
export function checkMonth(year: number, month: number): void {
  checkYear(year);
  if (!Number.isInteger(month) || month < 1 || month > 12) throw badInput('月份应在 1 到 12 之间', 'month');
}
