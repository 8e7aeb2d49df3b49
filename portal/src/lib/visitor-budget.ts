/**
 * Requests per visitor address per hour, counted in this portal process: generous (a village office behind one
 * address reads many pages), but a crawler hammering uncached pages gets 429 with Retry-After instead of taking the
 * API's time from everyone. The portal's own reads of the API are not charged to anyone (see lib/api.ts).
 */
export class VisitorBudget {
  private counts = new Map<string, number>();
  private windowStart: number;

  constructor(
    private readonly perWindow: number,
    private readonly windowMs = 3_600_000,
    /** Distinct addresses remembered per window; beyond it the window starts again rather than grow without end. */
    private readonly maxVisitors = 200_000,
    now = Date.now(),
  ) {
    this.windowStart = now;
  }

  /** Counts one request; `allowed` false once the visitor has used the window's budget (0 = no limit). */
  take(visitor: string, now = Date.now()): { allowed: boolean; retryAfterSeconds: number } {
    if (now - this.windowStart >= this.windowMs || this.counts.size >= this.maxVisitors) {
      this.counts.clear();
      this.windowStart = now;
    }
    const used = (this.counts.get(visitor) ?? 0) + 1;
    this.counts.set(visitor, used);
    return {
      allowed: this.perWindow === 0 || used <= this.perWindow,
      retryAfterSeconds: Math.max(1, Math.ceil((this.windowStart + this.windowMs - now) / 1000)),
    };
  }
}

export function tooManyRequests(retryAfterSeconds: number): Response {
  const html = `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>访问太频繁</title></head><body><h1>访问太频繁</h1><p>这个网络地址本小时打开的页面太多了，请 ${Math.ceil(retryAfterSeconds / 60)} 分钟后再来。</p><p lang="en">Too many requests from this address; try again in ${retryAfterSeconds} s.</p></body></html>`;
  return new Response(html, {
    status: 429,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'retry-after': String(retryAfterSeconds),
    },
  });
}
