import type { SharedRedis } from './redis.ts';

/** Persisted queries are kept this long in Redis when Apollo gives no time to live. */
const DEFAULT_APQ_TTL_SECONDS = 24 * 60 * 60;

/**
 * Apollo's KeyValueCache (the shape of @apollo/utils.keyvaluecache) in the shared Redis, for automatic persisted
 * queries: a query registered through one API process is known to every other. Redis away: a miss (the client sends
 * the full query again, as the APQ protocol expects) and nothing kept.
 */
export class RedisKeyValueCache {
  constructor(
    private readonly redis: SharedRedis,
    private readonly namespace = 'apq:',
  ) {}

  async get(key: string): Promise<string | undefined> {
    if (!this.redis.ready()) return undefined;
    try {
      return (await this.redis.client.get(this.namespace + key)) ?? undefined;
    } catch {
      return undefined;
    }
  }

  async set(key: string, value: string, options?: { ttl?: number | null }): Promise<void> {
    if (!this.redis.ready()) return;
    const ttl = options?.ttl ?? DEFAULT_APQ_TTL_SECONDS;
    try {
      await this.redis.client.set(this.namespace + key, value, 'EX', Math.max(1, Math.ceil(ttl)));
    } catch {
      // Not kept: the next process that sees the hash asks for the query again.
    }
  }

  async delete(key: string): Promise<boolean | void> {
    if (!this.redis.ready()) return;
    try {
      await this.redis.client.del(this.namespace + key);
    } catch {
      // Expires on its own.
    }
  }
}
