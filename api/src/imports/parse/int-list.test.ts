import { describe, expect, it } from 'vitest';
import { IntIndex, IntList } from './int-list.ts';

describe('IntIndex', () => {
  it('remembers small, grown and huge keys alike, and nothing it was not given', () => {
    const index = new IntIndex();
    const keys = [1, 2, 1023, 1024, 5000, 4_194_303, 4_194_304, 2_147_483_647];
    keys.forEach((key, i) => index.set(key, i + 2));
    keys.forEach((key, i) => expect(index.get(key), String(key)).toBe(i + 2));
    for (const absent of [3, 1025, 4999, 5001, 4_194_305, 2_147_483_646]) expect(index.get(absent)).toBeUndefined();
  });
});

describe('IntList', () => {
  it('grows past its first block and keeps every entry in order', () => {
    const list = new IntList();
    for (let i = 0; i < 5000; i++) list.push(i * 3);
    expect(list.length).toBe(5000);
    expect(list.get(4999)).toBe(14997);
    expect(list.get(5000)).toBeUndefined();
    expect(Array.from(list.view().subarray(0, 3))).toEqual([0, 3, 6]);
  });
});
