import type { SharedRedis } from './redis.ts';
import { MemoryAnswerStore } from './response-cache.ts';

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

/** Apollo's KeyValueCache shape, as the persisted queries use it. */
interface KeyValueCache {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, options?: { ttl?: number | null }): Promise<void>;
  delete(key: string): Promise<boolean | void>;
}

/** Persisted queries in this process's memory (no Redis): 8 MB, least recently used out first. */
export class MemoryKeyValueCache implements KeyValueCache {
  private readonly store = new MemoryAnswerStore(8 * 1024 * 1024);

  get(key: string): Promise<string | undefined> {
    return this.store.get(key);
  }

  set(key: string, value: string, options?: { ttl?: number | null }): Promise<void> {
    return this.store.set(key, value, options?.ttl ?? DEFAULT_APQ_TTL_SECONDS);
  }

  delete(key: string): Promise<void> {
    return this.store.delete(key);
  }
}

/**
 * The persisted-query store with its hits and misses counted (/metrics): a miss is a hash sent alone that this store
 * did not know, so the client had to send the query again.
 */
export class CountedKeyValueCache implements KeyValueCache {
  hits = 0;
  misses = 0;

  constructor(private readonly inner: KeyValueCache) {}

  async get(key: string): Promise<string | undefined> {
    const value = await this.inner.get(key);
    if (value === undefined) this.misses += 1;
    else this.hits += 1;
    return value;
  }

  set(key: string, value: string, options?: { ttl?: number | null }): Promise<void> {
    return this.inner.set(key, value, options);
  }

  delete(key: string): Promise<boolean | void> {
    return this.inner.delete(key);
  }
}
