/**
 * A value read from elsewhere (a database row, another server's header) that may be at most `maxAgeMs` old: read
 * only when asked and at most once per `maxAgeMs`, every asker meanwhile sharing the one read in flight. A read that
 * fails makes the value unknown (undefined) until the next read succeeds: a stale value is never passed off as fresh.
 * The API's publication mark (api/src/shared/publication-mark.ts) and the portal's copy of it
 * (portal/src/lib/page-cache.ts) are this.
 */
export class FreshValue<T> {
  private value: T | undefined;
  private readAt = -Infinity;
  private reading: Promise<T | undefined> | undefined;

  constructor(
    private readonly read: () => Promise<T>,
    private readonly maxAgeMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** The value, read again when older than maxAgeMs; undefined when the last read failed. */
  async current(): Promise<T | undefined> {
    if (this.now() - this.readAt < this.maxAgeMs) return this.value;
    this.reading ??= this.refresh().finally(() => (this.reading = undefined));
    return this.reading;
  }

  /** Forget the value, so the next asker reads it again (after a change made here). */
  expire(): void {
    this.readAt = -Infinity;
  }

  private async refresh(): Promise<T | undefined> {
    const started = this.now();
    try {
      this.value = await this.read();
    } catch {
      this.value = undefined;
    }
    // Its age counts from when the read began: a read that took long is older already.
    this.readAt = started;
    return this.value;
  }
}
