/**
 * Seeded randomness for the demo data. Every stream is derived from DEMO_SEED and a label (the village slug, the
 * month…), so a village's data does not change when another village is added or left out, and two runs are equal
 * to the fen. Never use Math.random in the demo generator.
 */

/** Change this to get a different (but equally deterministic) set of demo villages. */
export const DEMO_SEED = 20_231_101;

/** mulberry32: a small, fast 32-bit PRNG, good enough for believable data. Returns numbers in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** FNV-1a over the text: turns a label into a 32-bit seed. */
export function hashSeed(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export interface Rng {
  /** [0, 1) */
  next(): number;
  /** Integer in [min, max], both included. */
  int(min: number, max: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** Picks by weight: [[item, weight], …]. */
  weighted<T>(items: readonly (readonly [T, number])[]): T;
  /** n distinct items, in random order. */
  sample<T>(items: readonly T[], n: number): T[];
  shuffle<T>(items: readonly T[]): T[];
  /** Fen in [minFen, maxFen] as bigint; `step` rounds down to a multiple (100n = whole yuan). */
  fen(minFen: bigint, maxFen: bigint, step?: bigint): bigint;
}

export function createRng(seed: number): Rng {
  const next = mulberry32(seed);
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  const rng: Rng = {
    next,
    int,
    chance: (p) => next() < p,
    pick: (items) => {
      if (items.length === 0) throw new Error('pick from an empty list');
      return items[int(0, items.length - 1)]!;
    },
    weighted: (items) => {
      const total = items.reduce((s, [, w]) => s + w, 0);
      let r = next() * total;
      for (const [item, w] of items) {
        r -= w;
        if (r < 0) return item;
      }
      return items[items.length - 1]![0];
    },
    shuffle: (items) => {
      const out = [...items];
      for (let i = out.length - 1; i > 0; i--) {
        const j = int(0, i);
        [out[i], out[j]] = [out[j]!, out[i]!];
      }
      return out;
    },
    sample: (items, n) => rng.shuffle(items).slice(0, Math.min(n, items.length)),
    fen: (minFen, maxFen, step = 1n) => {
      // Spans stay far below 2^53 fen, so a double picks the offset exactly.
      const span = Number((maxFen - minFen) / step);
      return minFen + BigInt(int(0, span)) * step;
    },
  };
  return rng;
}

/** The random stream for one purpose, e.g. rngFor('cast', 'fucun') or rngFor('month', 'fucun', '2025-08'). */
export function rngFor(...labels: (string | number)[]): Rng {
  return createRng(hashSeed(`${DEMO_SEED}/${labels.join('/')}`));
}
