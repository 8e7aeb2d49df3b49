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
