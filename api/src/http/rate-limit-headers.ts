// How much of its hourly budget a client has left, on every answer (points on /graphql, bytes on /data).
import type { ServerResponse } from 'node:http';
import type { RateLimitState } from '../limits/rate-limit.ts';

export function setRateLimitHeaders(res: ServerResponse, rate: RateLimitState): void {
  res.setHeader('x-ratelimit-limit', String(rate.limit));
  res.setHeader('x-ratelimit-remaining', String(rate.remaining));
  res.setHeader('x-ratelimit-reset', String(Math.floor(rate.resetAt.getTime() / 1000)));
}

/** A refusal for an empty budget says when to come back: the window's reset, at least a second away. */
export function setRetryAfter(res: ServerResponse, rate: RateLimitState): void {
  res.setHeader('retry-after', String(Math.max(1, Math.ceil((rate.resetAt.getTime() - Date.now()) / 1000))));
}
