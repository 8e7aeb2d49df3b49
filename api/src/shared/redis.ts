import { Redis } from 'ioredis';

/**
 * The Redis that every API process shares (MINGBAI_REDIS_URL): rate limits, login throttles, persisted queries and
 * the response cache. A command never waits for Redis: while the connection is down, commands fail at once (no
 * offline queue) and each user of this handle falls back to its own in-process state (see README.md), and ioredis
 * keeps reconnecting in the background.
 */
export interface SharedRedis {
  client: Redis;
  /** True while connected: the users check it before sending, so a Redis that is away costs no waiting. */
  ready(): boolean;
  close(): Promise<void>;
}

export interface SharedRedisOptions {
  url: string;
  /** Put before every key (MINGBAI_REDIS_PREFIX, default "mingbai:"), so several deployments or tests share a Redis. */
  prefix: string;
  /** A command that has not answered in this time fails (and its user falls back); default 250 ms. */
  commandTimeoutMs?: number;
}

/** Connects, waiting at most `waitMs` for the first connection: an API whose Redis is away still starts, at once. */
export async function openSharedRedis(options: SharedRedisOptions, waitMs = 2_000): Promise<SharedRedis> {
  const client = new Redis(options.url, {
    keyPrefix: options.prefix,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: options.commandTimeoutMs ?? 250,
    connectTimeout: 1_000,
    // Reconnect soon, then every 2 s at most, for ever: a Redis that comes back is used again.
    retryStrategy: (attempt) => Math.min(attempt * 100, 2_000),
  });
  // ioredis reports every failed reconnection as an error event; without a listener Node would throw it.
  let warned = false;
  client.on('error', (error: Error) => {
    if (warned) return;
    warned = true;
    console.warn(`Redis ${redactUrl(options.url)} unavailable, using in-process state: ${error.message}`);
  });
  client.on('ready', () => (warned = false));
  // Until connected, or refused (then at once: the fallbacks serve until a reconnection succeeds), or `waitMs`.
  await new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      client.off('ready', done);
      client.off('error', done);
      resolve();
    };
    const timer = setTimeout(done, waitMs);
    client.once('ready', done);
    client.once('error', done);
  });
  return {
    client,
    ready: () => client.status === 'ready',
    async close() {
      client.disconnect();
    },
  };
}

function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'redis';
  }
}
