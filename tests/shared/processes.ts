// Real API processes for the shared-state tests (`node --import tsx api/src/main.ts`, as `pnpm start` runs the API),
// and a Redis key prefix of their own per test file, removed afterwards.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { freePort } from '../support/portal.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

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
  const child = spawn(process.execPath, ['--import', 'tsx', 'api/src/main.ts'], {
    cwd: root,
    env: {
      ...process.env,
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
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (d: Buffer) => (output = (output + d.toString()).slice(-20_000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && child.exitCode === null) {
    try {
      const res = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(2_000) });
      await res.arrayBuffer();
      if (res.ok) return { url: `${base}/graphql`, output: () => output, stop };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  await stop();
  throw new Error(`the API process did not start (exit ${child.exitCode}):\n${output}`);
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
