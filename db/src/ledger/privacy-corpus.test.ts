// The masker against a corpus of real-looking ledger text (privacy-corpus.tsv: category, function, input, expected).
// Positives must come out masked exactly as DESIGN.md says; negatives (organisations, places, titles, amounts,
// dates, codes, landlines) must come out as they went in. Every category's miss count is pinned at zero.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { maskName, maskText } from './privacy.ts';

interface Case {
  category: string;
  fn: 'text' | 'name';
  input: string;
  expected: string;
}

const corpus: Case[] = readFileSync(new URL('./privacy-corpus.tsv', import.meta.url), 'utf8')
  .split('\n')
  .filter((line) => line !== '' && !line.startsWith('#'))
  .map((line) => {
    const [category, fn, input, expected] = line.split('\t') as [string, string, string, string];
    if (fn !== 'text' && fn !== 'name') throw new Error(`unknown function ${fn}`);
    return { category, fn, input, expected };
  });

/** Categories whose expected output differs from the input: the masker must change these. */
const POSITIVE = new Set([
  'phone',
  'phone-prefix',
  'id-number',
  'id-old-15',
  'bank-card',
  'name-cue',
  'name-compound',
  'person-name',
]);

describe('the privacy corpus', () => {
  it('has at least 300 strings, positives and negatives, every positive actually masked in its expectation', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(300);
    const positives = corpus.filter((c) => POSITIVE.has(c.category));
    const negatives = corpus.filter((c) => !POSITIVE.has(c.category));
    expect(positives.length).toBeGreaterThanOrEqual(100);
    expect(negatives.length).toBeGreaterThanOrEqual(150);
    for (const c of positives) expect(c.expected, c.input).not.toBe(c.input);
    for (const c of negatives) expect(c.expected, c.input).toBe(c.input);
  });

  it('is masked with no miss in any category', () => {
    const table = new Map<string, { total: number; misses: number }>();
    const misses: string[] = [];
    for (const c of corpus) {
      const got = c.fn === 'name' ? maskName(c.input) : maskText(c.input);
      const row = table.get(c.category) ?? { total: 0, misses: 0 };
      row.total++;
      if (got !== c.expected) {
        row.misses++;
        misses.push(`${c.category}: ${c.input} → ${got} (expected ${c.expected})`);
      }
      table.set(c.category, row);
    }
    console.log(
      [
        'category           strings  misses',
        ...[...table].map(([k, v]) => `${k.padEnd(18)} ${String(v.total).padStart(7)} ${String(v.misses).padStart(7)}`),
      ].join('\n'),
    );
    if (misses.length > 0) console.log(misses.join('\n'));
    expect(Object.fromEntries([...table].map(([k, v]) => [k, v.misses]))).toEqual(
      Object.fromEntries([...table].map(([k]) => [k, 0])),
    );
  });
});
