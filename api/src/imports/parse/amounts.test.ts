import { describe, expect, it } from 'vitest';
import { MAX_AMOUNT_FEN, parseAmountCell, parseAmountNumber, parseAmountText } from './amounts.ts';

const fen = (text: string) => {
  const r = parseAmountText(text);
  return r.kind === 'amount' ? r.fen : r.kind;
};

describe('amounts as accountants write them', () => {
  it('reads decimals, thousands separators, currency signs and 元 exactly', () => {
    expect(fen('1234.5')).toBe(123450n);
    expect(fen('1,234.50')).toBe(123450n);
    expect(fen('1，234.5')).toBe(123450n);
    expect(fen('¥1234')).toBe(123400n);
    expect(fen('￥1,234.00')).toBe(123400n);
    expect(fen('1234元')).toBe(123400n);
    expect(fen(' １２３４．５６ ')).toBe(123456n);
    expect(fen('0.01')).toBe(1n);
    expect(fen('1234.500')).toBe(123450n);
    expect(fen('90071992547409.93')).toBe(9007199254740993n);
  });

  it('reads negatives in brackets or with a sign, for the caller to refuse', () => {
    expect(fen('(1000)')).toBe(-100000n);
    expect(fen('（1,000.50）')).toBe(-100050n);
    expect(fen('-7')).toBe(-700n);
    expect(fen('−7')).toBe(-700n);
    expect(fen('0')).toBe(0n);
  });

  it('treats dashes and blanks as no amount', () => {
    for (const empty of ['', '  ', '-', '—', '——', '－', '--']) expect(fen(empty), empty).toBe('empty');
  });

  it('refuses what is not an exact amount', () => {
    for (const bad of ['12,3a4.00', '1.234', 'abc', '1,23', '12,34.5', '1.2.3', '1e5', '1.23457E+11', '.', '#N/A']) {
      expect(parseAmountText(bad).kind, bad).toBe('invalid');
    }
    expect(parseAmountText('1.234')).toMatchObject({ reason: expect.stringContaining('两位小数') });
    expect(parseAmountText('1.23457E+11')).toMatchObject({ reason: expect.stringContaining('科学计数法') });
  });

  it('reads xlsx numbers through their decimal digits, as Excel shows them', () => {
    expect(parseAmountNumber(1234.5)).toEqual({ kind: 'amount', fen: 123450n });
    expect(parseAmountNumber(0.1 + 0.2)).toEqual({ kind: 'amount', fen: 30n });
    expect(parseAmountNumber(1234.56 * 3)).toEqual({ kind: 'amount', fen: 370368n });
    expect(parseAmountNumber(19.99)).toEqual({ kind: 'amount', fen: 1999n });
    expect(parseAmountNumber(-5)).toEqual({ kind: 'amount', fen: -500n });
    expect(parseAmountNumber(1.005).kind).toBe('invalid');
    expect(parseAmountNumber(1e-7).kind).toBe('invalid');
    expect(parseAmountNumber(Number.NaN).kind).toBe('invalid');
    const huge = parseAmountNumber(1e21);
    expect(huge.kind === 'amount' && huge.fen > MAX_AMOUNT_FEN).toBe(true);
  });

  it('refuses a date where an amount belongs', () => {
    expect(parseAmountCell(new Date(Date.UTC(2025, 5, 3))).kind).toBe('invalid');
    expect(parseAmountCell(null)).toEqual({ kind: 'empty' });
  });

  it('reads plain digits, commas and a point exactly as the general reader does', () => {
    // A leading space skips the character-by-character reader, so both paths are compared on the same text.
    const alphabet = '0123456789,.';
    let seed = 7;
    const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31);
    const samples = [
      '0',
      '00',
      '1,234',
      '12,345,678.9',
      '1,23',
      '1234,567',
      ',1',
      '1,',
      '1.',
      '.5',
      '1.2.3',
      '9999999999999.99',
    ];
    for (let i = 0; i < 20_000; i++) {
      samples.push(Array.from({ length: 1 + (next() % 16) }, () => alphabet[next() % alphabet.length]).join(''));
    }
    for (const text of samples) expect(parseAmountText(text), text).toEqual(parseAmountText(` ${text}`));
  });
});
