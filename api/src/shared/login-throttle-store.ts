import type { Strikes, ThrottleState, ThrottleStore } from '../auth/login-throttle.ts';
import type { SharedRedis } from './redis.ts';

// Each count is one Lua script, so two processes counting the same failure at once never lose one. Times are the
// throttle's own clock (its `now`), kept in the hash beside the count; Redis's expiry only cleans up afterwards.
const COUNT_IN_WINDOW = `
local c = redis.call('HMGET', KEYS[1], 'count', 'at')
local now = tonumber(ARGV[1])
if (not c[1]) or now >= tonumber(c[2]) + tonumber(ARGV[2]) then
  redis.call('HSET', KEYS[1], 'count', 1, 'at', now)
else
  redis.call('HINCRBY', KEYS[1], 'count', 1)
end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`;

const COUNT_PAIR = `
local c = redis.call('HMGET', KEYS[1], 'count', 'at')
local now = tonumber(ARGV[1])
local count = 1
if c[1] and now - tonumber(c[2]) <= tonumber(ARGV[2]) then count = tonumber(c[1]) + 1 end
redis.call('HSET', KEYS[1], 'count', count, 'at', now)
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return count`;

/**
 * The login throttle's counts in the shared Redis (under `login:`), for every API process alike. While Redis is away
 * the throttle counts in `fallback`, this process's memory: sign-ins stay throttled (per process) and possible.
 */
export class RedisThrottleStore implements ThrottleStore {
  constructor(
    private readonly redis: SharedRedis,
    private readonly fallback: ThrottleStore,
  ) {}

  async read(pair: string, address: string, username: string, familiar: string): Promise<ThrottleState> {
    return this.either(
      async (client) => {
        const results = await client
          .pipeline()
          .hmget(`login:pair:${pair}`, 'count', 'at')
          .hmget(`login:address:${address}`, 'count', 'at')
          .hmget(`login:username:${username}`, 'count', 'at')
          .get(`login:familiar:${familiar}`)
          .exec();
        if (!results || results.some(([error]) => error)) throw new Error('Redis pipeline failed');
        const strikes = (i: number): Strikes | undefined => {
          const [count, at] = results[i]![1] as [string | null, string | null];
          return count === null || at === null ? undefined : { count: Number(count), at: Number(at) };
        };
        const familiarAt = results[3]![1] as string | null;
        return {
          pair: strikes(0),
          address: strikes(1),
          username: strikes(2),
          familiarAt: familiarAt === null ? undefined : Number(familiarAt),
        };
      },
      () => this.fallback.read(pair, address, username, familiar),
    );
  }

  async countPair(key: string, now: number, forgetMs: number): Promise<void> {
    await this.either(
      (client) => client.eval(COUNT_PAIR, 1, `login:pair:${key}`, now, forgetMs),
      () => this.fallback.countPair(key, now, forgetMs),
    );
  }

  async countInWindow(table: 'address' | 'username', key: string, now: number, windowMs: number): Promise<void> {
    await this.either(
      (client) => client.eval(COUNT_IN_WINDOW, 1, `login:${table}:${key}`, now, windowMs),
      () => this.fallback.countInWindow(table, key, now, windowMs),
    );
  }

  async clearPair(key: string): Promise<void> {
    await this.either(
      (client) => client.del(`login:pair:${key}`),
      () => this.fallback.clearPair(key),
    );
  }

  async setFamiliar(key: string, now: number, keepMs: number): Promise<void> {
    await this.either(
      (client) => client.set(`login:familiar:${key}`, String(now), 'PX', keepMs),
      () => this.fallback.setFamiliar(key, now, keepMs),
    );
  }

  private async either<T>(
    shared: (client: SharedRedis['client']) => Promise<unknown>,
    local: () => Promise<T>,
  ): Promise<T> {
    if (!this.redis.ready()) return local();
    try {
      return (await shared(this.redis.client)) as T;
    } catch {
      return local();
    }
  }
}
