import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';

/** Who is spending points: an IP address for the public, a key for registered clients. */
export interface RateClient {
  /** "ip:203.0.113.9" or "key:12". */
  key: string;
  /** Points per hour. */
  limit: number;
}

export interface RateLimitState {
  limit: number;
  remaining: number;
  used: number;
  resetAt: Date;
}

/**
 * Points per hour per client, in a fixed window that starts with the client's first request (rate-limiter-flexible).
 * The counters live in this process: several API processes behind one balancer each allow the full budget.
 */
export class RateLimiter {
  private readonly limiters = new Map<number, RateLimiterMemory>();

  constructor(private readonly windowSeconds = 3600) {}

  /** Spends points if the client has them; a refused spend costs nothing. */
  async spend(client: RateClient, points: number): Promise<{ allowed: boolean; state: RateLimitState }> {
    const limiter = this.limiterFor(client.limit);
    try {
      const res = await limiter.consume(client.key, points);
      return { allowed: true, state: toState(client, res) };
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      const res = await limiter.reward(client.key, points);
      return { allowed: false, state: toState(client, res) };
    }
  }

  async peek(client: RateClient): Promise<RateLimitState> {
    const res = await this.limiterFor(client.limit).get(client.key);
    return res
      ? toState(client, res)
      : {
          limit: client.limit,
          remaining: client.limit,
          used: 0,
          resetAt: new Date(Date.now() + this.windowSeconds * 1000),
        };
  }

  private limiterFor(points: number): RateLimiterMemory {
    let limiter = this.limiters.get(points);
    if (!limiter) {
      limiter = new RateLimiterMemory({ points, duration: this.windowSeconds });
      this.limiters.set(points, limiter);
    }
    return limiter;
  }
}

function toState(client: RateClient, res: RateLimiterRes): RateLimitState {
  const used = Math.min(res.consumedPoints, client.limit);
  return {
    limit: client.limit,
    used,
    remaining: client.limit - used,
    // Whole seconds, as the x-ratelimit-reset header gives them.
    resetAt: new Date(Math.ceil((Date.now() + res.msBeforeNext) / 1000) * 1000),
  };
}

/** Loopback only, by default: the portal on the same machine passes on its visitor's address. */
export const DEFAULT_TRUSTED_PROXIES = ['127.0.0.1', '::1', '::ffff:127.0.0.1'];

/**
 * The client's address: the socket's peer, unless that peer is a trusted proxy, in which case the nearest address in
 * X-Forwarded-For that is not itself a trusted proxy. Addresses a client wrote further left are never believed.
 */
export function clientAddress(req: IncomingMessage, trustedProxies: readonly string[]): string {
  let address = req.socket.remoteAddress ?? 'unknown';
  if (!trustedProxies.includes(address)) return address;
  const header = req.headers['x-forwarded-for'];
  const hops = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',').map((h) => h.trim());
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i]!;
    if (!isIP(hop)) break;
    address = hop;
    if (!trustedProxies.includes(hop)) break;
  }
  return address;
}
