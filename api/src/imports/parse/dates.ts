import { halfWidth, type Cell } from './cells.ts';

export type DateCell = { kind: 'blank' } | { kind: 'date'; iso: string } | { kind: 'invalid'; reason: string };

const MIN_YEAR = 1900;
const MAX_YEAR = 2200;

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** A calendar date, checked: 2025-02-30, month 13 and years outside 1900–2200 are not dates. */
export function isoDate(year: number, month: number, day: number): DateCell {
  if (year < MIN_YEAR || year > MAX_YEAR) {
    return { kind: 'invalid', reason: `不是有效日期：年份应在${MIN_YEAR}–${MAX_YEAR}年之间` };
  }
  if (month < 1 || month > 12) return { kind: 'invalid', reason: `不是有效日期：没有${month}月` };
  if (day < 1 || day > daysInMonth(year, month))
    return { kind: 'invalid', reason: `不是有效日期：${year}年${month}月没有${day}日` };
  return { kind: 'date', iso: `${pad(year, 4)}-${pad(month)}-${pad(day)}` };
}

const DAY_MS = 86_400_000;

/**
 * An Excel serial day number (1900 date system) → date. Excel counts 1900-02-29, which never existed (Lotus 1-2-3's
 * leap-year bug): serials up to 59 start from 1900-01-01, serial 60 is that phantom day, later serials are one day
 * ahead, so they count from 1899-12-30. 45811 = 2025-06-03. A time of day (the fraction) is ignored.
 */
export function excelSerialDate(serial: number): DateCell {
  const day = Math.floor(serial);
  if (!Number.isFinite(serial) || day < 1) return { kind: 'invalid', reason: '不是日期' };
  if (day === 60) return { kind: 'invalid', reason: '不是有效日期：1900年2月没有29日' };
  const epoch = day < 60 ? Date.UTC(1899, 11, 31) : Date.UTC(1899, 11, 30);
  const date = new Date(epoch + day * DAY_MS);
  if (Number.isNaN(date.getTime())) return { kind: 'invalid', reason: '不是日期' };
  return isoDate(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate());
}

const TIME = String.raw`(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?`;
const SEPARATED = new RegExp(String.raw`^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})${TIME}$`);
const CHINESE = /^(\d{4})年(\d{1,2})月(\d{1,2})[日号]?$/;
const COMPACT = /^(\d{4})(\d{2})(\d{2})$/;
/** Serial numbers from 10000 (1927) on: a shorter number in a date column is a year or a typo, not a date. */
const SERIAL = /^\d{5}(?:\.\d+)?$/;

/** `2025-06-03`, `2025/6/3`, `2025.6.3`, `2025年6月3日`, `20250603`, an Excel serial number, each optionally with a time. */
export function parseDateText(raw: string): DateCell {
  // Consecutive rows mostly share a date: the last one read is kept (a DateCell is never changed once made).
  if (raw === lastDate.raw) return lastDate.cell;
  const cell = readDateText(raw);
  lastDate = { raw, cell };
  return cell;
}

let lastDate: { raw: string; cell: DateCell } = { raw: '', cell: { kind: 'blank' } };

function readDateText(raw: string): DateCell {
  const text = halfWidth(raw).replace(/\s+/g, ' ');
  if (text === '') return { kind: 'blank' };
  const m = SEPARATED.exec(text) ?? CHINESE.exec(text.replace(/\s/g, '')) ?? COMPACT.exec(text);
  if (m) {
    const parts = m.length === 5 ? [m[1], m[3], m[4]] : [m[1], m[2], m[3]];
    const [y, mo, d] = parts.map(Number) as [number, number, number];
    return isoDate(y, mo, d);
  }
  if (SERIAL.test(text)) return excelSerialDate(Number(text));
  return { kind: 'invalid', reason: '不是日期（应写成 2025-06-03 这样的年月日）' };
}

export function parseDateCell(cell: Cell): DateCell {
  if (cell === null) return { kind: 'blank' };
  if (typeof cell === 'number') {
    if (Number.isInteger(cell) && cell >= 1e7 && cell < 1e8) return parseDateText(String(cell));
    if (cell >= 10_000) return excelSerialDate(cell);
    return { kind: 'invalid', reason: '不是日期（应写成 2025-06-03 这样的年月日）' };
  }
  if (cell instanceof Date) {
    if (Number.isNaN(cell.getTime())) return { kind: 'invalid', reason: '不是日期' };
    return isoDate(cell.getUTCFullYear(), cell.getUTCMonth() + 1, cell.getUTCDate());
  }
  return parseDateText(cell);
}
