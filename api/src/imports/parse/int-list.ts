/** A growing list of 32-bit integers: 4 bytes an entry where a number[] takes 8 or more, for a few per voucher. */
export class IntList {
  private data = new Int32Array(1024);
  length = 0;

  push(value: number): void {
    if (this.length === this.data.length) {
      const grown = new Int32Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = value;
  }

  get(index: number): number | undefined {
    return index >= 0 && index < this.length ? this.data[index] : undefined;
  }

  /** The entries, without copying (valid until the next push). */
  view(): Int32Array {
    return this.data.subarray(0, this.length);
  }

  clear(): void {
    this.length = 0;
  }
}

const DENSE_LIMIT = 1 << 22;

/**
 * Positive integer → positive integer, for voucher number → first row. Vouchers are numbered from 1 up, so numbers
 * below 4M index a typed array (4 bytes a number, grown as needed); a Map, at ~30 bytes an entry and double that while
 * it grows, holds only the rare larger ones. A million vouchers cost 4 MB, not 80.
 */
export class IntIndex {
  private dense = new Int32Array(1024);
  private readonly sparse = new Map<number, number>();

  get(key: number): number | undefined {
    if (key < DENSE_LIMIT) {
      const value = key < this.dense.length ? this.dense[key]! : 0;
      return value === 0 ? undefined : value;
    }
    return this.sparse.get(key);
  }

  /** `value` must be > 0: 0 marks an empty slot. */
  set(key: number, value: number): void {
    if (key >= DENSE_LIMIT) {
      this.sparse.set(key, value);
      return;
    }
    if (key >= this.dense.length) {
      let size = this.dense.length * 2;
      while (size <= key) size *= 2;
      const grown = new Int32Array(Math.min(size, DENSE_LIMIT));
      grown.set(this.dense);
      this.dense = grown;
    }
    this.dense[key] = value;
  }
}
