// Real API processes for the shared-state tests (the server build's main.mjs, as `pnpm start` runs the API),
// and a Redis key prefix of their own per test file, removed afterwards.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort, startChild } from '../../scripts/lib/processes.ts';
import { serverArgs } from '../../scripts/lib/server-build.ts';

export const REDIS_URL = process.env.MINGBAI_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface ApiProcess {
  url: string;
  output(): string;
  stop(): Promise<void>;
}

/** Starts one API process on a free port and waits (at most `timeoutMs`) until /healthz answers. */
export async function startApiProcess(env: Record<string, string>, timeoutMs = 60_000): Promise<ApiProcess> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'mingbai-shared-'));
  try {
    const child = await startChild({
      name: 'the API process',
      args: serverArgs('main'),
      env: {
        API_PORT: String(port),
        MINGBAI_SEED_DEMO: 'false',
        MINGBAI_SQL_STATS: 'false',
        MINGBAI_FILES_DIR: join(dir, 'files'),
        MINGBAI_OPENDATA_DIR: join(dir, 'opendata'),
        MINGBAI_CHECKPOINT_KEY_FILE: join(dir, 'checkpoint.pem'),
        MINGBAI_FILES_SWEEP_HOURS: '0',
        MINGBAI_QUERY_WATCHDOG_MS: '0',
        MINGBAI_IMAGE_WORKERS: '1',
        ...env,
      },
      port,
      readyPath: '/healthz',
      timeoutMs,
    });
    return {
      url: `${child.url}/graphql`,
      output: child.output,
      async stop() {
        await child.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/** A Redis key prefix for one test file, and a way to remove every key under it. */
export function redisPrefixFor(name: string): { prefix: string; clean(): Promise<void> } {
  const prefix = `mingbai-test:${name}:${process.pid}:${Date.now()}:`;
  return {
    prefix,
    async clean() {
      const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
      try {
        await redis.connect();
        let cursor = '0';
        do {
          const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
          cursor = next;
          if (keys.length > 0) await redis.del(...keys);
        } while (cursor !== '0');
      } finally {
        redis.disconnect();
      }
    },
  };
}

/** True when the Redis the tests use answers PING. */
export async function redisAnswers(): Promise<boolean> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 1_000 });
  redis.on('error', () => {});
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}
