// The parse worker is kept between files (parse-in-worker.ts): nothing of one file may reach the next one's answer,
// and a worker that died of its heap cap must not be the one the next file gets.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseInWorker } from './parse-in-worker.ts';
import type { ParseJob } from './parse-job.ts';

const fixture = (path: string) =>
  new Uint8Array(readFileSync(fileURLToPath(new URL(`../../../tests/fixtures/imports/${path}`, import.meta.url))));

const job = (filename: string): ParseJob => ({ filename, options: {} });

describe('parseInWorker, one worker for file after file', () => {
  it('answers each file as it would alone, whatever came before it', async () => {
    const good = fixture('good/mingbai.utf-8.csv');
    const bad = fixture('bad/unbalanced.csv');
    const xlsx = fixture('good/kingdee-kis.xlsx');

    const first = await parseInWorker(good, job('mingbai.utf-8.csv'), 128);
    const rejected = await parseInWorker(bad, job('unbalanced.csv'), 128);
    const workbook = await parseInWorker(xlsx, job('kingdee-kis.xlsx'), 128);
    const again = await parseInWorker(good, job('mingbai.utf-8.csv'), 128);

    expect(first).not.toBe('too-complex');
    expect(again).toEqual(first);
    expect(rejected).not.toBe('too-complex');
    expect(rejected !== 'too-complex' && rejected.ledger.problems.length).toBeGreaterThan(0);
    expect(workbook !== 'too-complex' && workbook.ledger.format).toBe('kingdee-kis');
  }, 60_000);

  it('after a worker ran out of its heap, the next file gets a sound one', async () => {
    const good = fixture('good/mingbai.utf-8.csv');
    // 4 MB is too small for even the parser's own code: the worker dies of its cap whatever the file.
    expect(await parseInWorker(good, job('mingbai.utf-8.csv'), 4)).toBe('too-complex');
    expect(await parseInWorker(good, job('mingbai.utf-8.csv'), 4)).toBe('too-complex');
    const after = await parseInWorker(good, job('mingbai.utf-8.csv'), 128);
    expect(after !== 'too-complex' && after.ledger.vouchers).toBeGreaterThan(0);
  }, 60_000);
});
