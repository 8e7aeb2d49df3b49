import { describe, expect, it } from 'vitest';
import { cleanText, halfWidth, nfkcStable } from './cells.ts';

// cleanText and halfWidth as they were before their fast paths: the reference the fast paths must agree with.
const BREAKS = /\r\n|[\r\n\t\u2028\u2029]/g;
const INVISIBLE =
  // eslint-disable-next-line no-control-regex, no-misleading-character-class
  /[\u0000-\u001f\u007f-\u009f\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff9-\ufffb\u{e0000}-\u{e007f}]/gu;
const slowClean = (text: string) => text.replace(BREAKS, ' ').replace(INVISIBLE, '').trim();
const slowHalfWidth = (text: string) => slowClean(text).normalize('NFKC').trim();

function* bmp(): Generator<string> {
  for (let c = 0; c < 0x10000; c++) if (c < 0xd800 || c > 0xdfff) yield String.fromCharCode(c);
}

describe('cell text clean-up', () => {
  it('cleans every character of the BMP as the regular expressions do, alone, inside text and at its ends', () => {
    for (const ch of bmp()) {
      for (const text of [ch, `a${ch}b`, `${ch}张三`, `张三${ch}`, `1${ch}${ch}2`]) {
        if (cleanText(text) !== slowClean(text)) expect(cleanText(text), text).toBe(slowClean(text));
      }
    }
  });

  it('removes invisible characters outside the BMP (tags) and keeps other astral characters', () => {
    for (const text of ['张\u{e0041}三', '\u{e007f}x', '𠮷野家', '😀 ']) expect(cleanText(text)).toBe(slowClean(text));
  });

  it('takes the NFKC shortcut only for characters NFKC leaves alone', () => {
    for (const ch of bmp()) {
      if (nfkcStable(ch.charCodeAt(0))) expect(ch.normalize('NFKC'), ch.codePointAt(0)!.toString(16)).toBe(ch);
    }
  });

  it('reads numbers, codes and dates half-width as NFKC does', () => {
    for (const ch of bmp()) {
      for (const text of [ch, `1${ch}2`, ` ${ch}51301 `]) {
        if (halfWidth(text) !== slowHalfWidth(text)) expect(halfWidth(text), text).toBe(slowHalfWidth(text));
      }
    }
    expect(halfWidth('１２３．４５')).toBe('123.45');
    expect(halfWidth(' 2026-12-01\u200b')).toBe('2026-12-01');
  });
});
