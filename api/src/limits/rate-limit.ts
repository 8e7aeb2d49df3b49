import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { SharedRedis } from '../shared/redis.ts';

/** Who is spending points: an IP address for the public, a key for registered clients. */
export interface RateClient {
  /** "ip:203.0.113.9" or "key:12". */
  key: string;
  /** Points per hour. */
  limit: number;
  /** The portal's own page reads (see isPortal): never charged, never refused by the hourly budget. */
  unmetered?: boolean;
}

export interface RateLimitState {
  limit: number;
  remaining: number;
  used: number;
  resetAt: Date;
}

/**
 * Points per hour per client, in a fixed window that starts with the client's first request (rate-limiter-flexible).
 * Without Redis the counters live in this process, and several API processes behind one balancer each allow the full
 * budget. With Redis (MINGBAI_REDIS_URL) every process spends from one budget per client. While Redis is away (down,
 * unreachable, slower than its command timeout) each process counts in its own memory instead (rate-limiter-flexible's
 * insurance limiter): the limits still hold, per process, and the API still answers; neither open nor closed.
 */
export class RateLimiter {
  private readonly limiters = new Map<number, RateLimiterAbstract>();

  /**
   * @param name tells this limiter's counters apart from another's in Redis (the query points, the /data bytes).
   */
  constructor(
    private readonly windowSeconds = 3600,
    private readonly shared?: { redis: SharedRedis; name: string },
  ) {}

  /** Spends points if the client has them; a refused spend costs nothing. */
  async spend(client: RateClient, points: number): Promise<{ allowed: boolean; state: RateLimitState }> {
    if (client.unmetered) return { allowed: true, state: this.full(client) };
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

  /**
   * Records what was already used (bytes sent), even past the limit: unlike spend(), nothing is refused or given
   * back, so the next request of an overdrawn client is refused until the window resets.
   */
  async charge(client: RateClient, amount: number): Promise<RateLimitState> {
    if (client.unmetered || amount <= 0) return this.peek(client);
    try {
      return toState(client, await this.limiterFor(client.limit).consume(client.key, amount));
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      return toState(client, rejection);
    }
  }

  async peek(client: RateClient): Promise<RateLimitState> {
    if (client.unmetered) return this.full(client);
    const res = await this.limiterFor(client.limit).get(client.key);
    return res ? toState(client, res) : this.full(client);
  }

  private full(client: RateClient): RateLimitState {
    return {
      limit: client.limit,
      remaining: client.limit,
      used: 0,
      resetAt: new Date(Date.now() + this.windowSeconds * 1000),
    };
  }

  private limiterFor(points: number): RateLimiterAbstract {
    let limiter = this.limiters.get(points);
    if (!limiter) {
      const local = new RateLimiterMemory({ points, duration: this.windowSeconds });
      limiter = this.shared
        ? new RateLimiterRedis({
            storeClient: this.shared.redis.client,
            keyPrefix: `rate:${this.shared.name}:${this.windowSeconds}:${points}`,
            points,
            duration: this.windowSeconds,
            // Not connected: count here at once, without sending (see the class comment).
            rejectIfRedisNotReady: true,
            insuranceLimiter: local,
          })
        : local;
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

/** Header the portal sends on its own page reads, carrying the secret it shares with the API (MINGBAI_PORTAL_SECRET). */
export const PORTAL_HEADER = 'x-mingbai-portal';

/**
 * True when the request is the portal's own page read: it carries the shared secret. The portal caches its pages and
 * limits its visitors itself, so those reads spend no visitor's points; the query explorer and the portal's /data proxy
 * do not send it, and stay charged to the visitor.
 */
export function isPortal(req: IncomingMessage, secret: string | undefined): boolean {
  const header = req.headers[PORTAL_HEADER];
  if (!secret || typeof header !== 'string') return false;
  const given = Buffer.from(header);
  const expected = Buffer.from(secret);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
