import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { CsvSplitter, detectDelimiter, NotPlainCsv } from './csv-split.ts';

function csvParse(text: string, delimiter: string): string[][] | 'error' {
  try {
    return parse(text, {
      delimiter,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: false,
    }) as string[][];
  } catch {
    return 'error';
  }
}

/** The splitter over `text` cut into pieces at `cuts`; 'gave up' when it leaves the text to csv-parse. */
function split(text: string, delimiter: string, cuts: number[], maxChars = 1_000_000): string[][] | 'gave up' {
  const splitter = new CsvSplitter(delimiter, maxChars);
  const records: string[][] = [];
  let from = 0;
  try {
    for (const cut of [...cuts, text.length]) {
      records.push(...splitter.push(text.slice(from, cut)));
      from = cut;
    }
    records.push(...splitter.end());
  } catch (error) {
    if (error instanceof NotPlainCsv) return 'gave up';
    throw error;
  }
  return records;
}

describe('the CSV splitter', () => {
  it('reads ordinary ledger rows, quoted cells, doubled quotes and line breaks inside quotes as csv-parse does', () => {
    const text =
      '凭证号,日期,摘要,借方金额\n1,2026-12-01,"购买办公用品（打印纸, 墨盒）","2,311.06"\n' +
      '2,,"他说""好""",\n\n3,x,"两\n行",5\n4,a"b,c""d,"",\n"last",no newline';
    const expected = csvParse(text, ',');
    for (let cut = 0; cut <= text.length; cut++) expect(split(text, ',', [cut]), String(cut)).toEqual(expected);
  });

  it('agrees with csv-parse on random text, or leaves it to csv-parse', () => {
    const alphabet = ['a', '张', ',', '\t', '"', '"', '\n', ' ', '1'];
    let seed = 11;
    const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31);
    let agreed = 0;
    for (let i = 0; i < 20_000; i++) {
      const text = Array.from({ length: next() % 40 }, () => alphabet[next() % alphabet.length]).join('');
      const delimiter = i % 5 === 0 ? '\t' : ',';
      const expected = csvParse(text, delimiter);
      const cuts = [next() % (text.length + 1), next() % (text.length + 1)].sort((a, b) => a - b);
      const got = split(text, delimiter, cuts);
      if (got === 'gave up') continue;
      agreed++;
      expect(got, JSON.stringify(text)).toEqual(expected);
    }
    // Most random text is plain enough for the splitter; the test would prove little otherwise.
    expect(agreed).toBeGreaterThan(10_000);
  });

  it('gives up on a quote left open and on a record longer than half the limit', () => {
    expect(split('a,"b\nc', ',', [])).toBe('gave up');
    expect(split('a,"b"c,d\n', ',', [])).toBe('gave up');
    expect(split(`a,${'x'.repeat(600)}\n`, ',', [100, 300], 1000)).toBe('gave up');
    expect(split(`a,"${'x'.repeat(600)}"\n`, ',', [100, 300], 1000)).toBe('gave up');
    expect(split(`a,${'x'.repeat(400)}\n`, ',', [100, 300], 1000)).toEqual([['a', 'x'.repeat(400)]]);
  });
});

describe('the delimiter', () => {
  it('is a tab when the first lines have more tabs than commas, and never the Chinese comma', () => {
    expect(detectDelimiter('付村2025年6月\niperiod\tcsign\tino_id\n6\t记\t1')).toBe('\t');
    expect(detectDelimiter('凭证号,摘要\n1,"a\tb"')).toBe(',');
    expect(detectDelimiter('日期\t摘要\t支出\n2025-06-03\t买纸，买笔\t1,234.50')).toBe('\t');
  });
});
