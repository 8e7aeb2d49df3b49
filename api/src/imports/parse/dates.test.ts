import { describe, expect, it } from 'vitest';
import { excelSerialDate, parseDateCell, parseDateText } from './dates.ts';

const iso = (text: string) => {
  const r = parseDateText(text);
  return r.kind === 'date' ? r.iso : r.kind;
};

describe('dates', () => {
  it('reads the ways Chinese exports write a date', () => {
    for (const text of [
      '2025-06-03',
      '2025/6/3',
      '2025.6.3',
      '2025年6月3日',
      '2025年06月03日',
      '20250603',
      '2025-06-03 00:00:00',
      '2025-06-03 00:00:00.000',
      '2025/6/3 0:00',
      '２０２５－０６－０３',
      '45811',
    ]) {
      expect(iso(text), text).toBe('2025-06-03');
    }
    expect(iso('')).toBe('blank');
  });

  it('refuses dates that do not exist or are out of range', () => {
    for (const bad of [
      '2025-02-30',
      '2025-13-01',
      '1899-12-31',
      '2201-01-01',
      '2025-6',
      '六月三日',
      '25/6/3',
      '2025',
    ]) {
      expect(iso(bad), bad).toBe('invalid');
    }
    expect(iso('2024-02-29')).toBe('2024-02-29');
    expect(iso('2100-02-29')).toBe('invalid');
  });

  it('counts Excel serial days with the 1900 leap-year bug', () => {
    expect(excelSerialDate(45811)).toEqual({ kind: 'date', iso: '2025-06-03' });
    expect(excelSerialDate(45811.75)).toEqual({ kind: 'date', iso: '2025-06-03' });
    expect(excelSerialDate(1)).toEqual({ kind: 'date', iso: '1900-01-01' });
    expect(excelSerialDate(59)).toEqual({ kind: 'date', iso: '1900-02-28' });
    expect(excelSerialDate(60).kind).toBe('invalid');
    expect(excelSerialDate(61)).toEqual({ kind: 'date', iso: '1900-03-01' });
    expect(excelSerialDate(0).kind).toBe('invalid');
  });

  it('reads xlsx cells: dates by their UTC parts, serial and yyyymmdd numbers', () => {
    expect(parseDateCell(new Date(Date.UTC(2025, 5, 3)))).toEqual({ kind: 'date', iso: '2025-06-03' });
    expect(parseDateCell(new Date(Date.UTC(2025, 5, 30, 23, 59)))).toEqual({ kind: 'date', iso: '2025-06-30' });
    expect(parseDateCell(45811)).toEqual({ kind: 'date', iso: '2025-06-03' });
    expect(parseDateCell(20250603)).toEqual({ kind: 'date', iso: '2025-06-03' });
    expect(parseDateCell(2025).kind).toBe('invalid');
    expect(parseDateCell(new Date(Number.NaN)).kind).toBe('invalid');
    expect(parseDateCell(null)).toEqual({ kind: 'blank' });
  });
});
