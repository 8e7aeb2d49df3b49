// The response cache (api/src/shared/): the portal's month page query against one API process with its cache in
// Redis, cold (every request a month nobody asked before: all misses, what the peer comparison measures) and warm
// (a working set asked before: all hits), beside the same cold load with the cache off. Hits and misses are counted
// from each answer's x-mingbai-cache header; API CPU per request from /proc. Run alone:
//   pnpm exec tsx bench/suite/cache.ts --database postgres://postgres@127.0.0.1:5432/mingbai_bench_<you>
//     [--seconds 10] [--connections 16] [--redis redis://127.0.0.1:6379]
// The API migrates the database it is given (migration 0018 adds the publication mark): use a copy of your own.
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import postgres from 'postgres';
import { load } from './load.ts';
import { cpuMs, startApi } from './procs.ts';
import { round } from './stats.ts';
import { isGraphQLError, monthPageBody, sampleMonths, type MonthRef } from './workload.ts';

/** The Accept header is part of a cached answer's key: the priming requests and the load send the same. */
const JSON_POST = { 'content-type': 'application/json', accept: 'application/json' };

export interface CacheRun {
  label: string;
  connections: number;
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  hits: number;
  misses: number;
  /** Hits ÷ (hits + misses) over this run's answers. */
  hitRate: number;
  /** The API process's user + system CPU per request, ms. */
  cpuMsPerRequest: number;
}

async function measure(options: {
  label: string;
  url: string;
  pid: number;
  connections: number;
  seconds: number;
  body: (i: number) => string;
}): Promise<CacheRun> {
  let hits = 0;
  let misses = 0;
  const cpuBefore = cpuMs(options.pid);
  const result = await load({
    url: options.url,
    connections: options.connections,
    seconds: options.seconds,
    request: (i) => ({ method: 'POST', path: '/graphql', headers: JSON_POST, body: options.body(i) }),
    isError: isGraphQLError,
    onResponse: (_status, _body, headers) => {
      if (headers['x-mingbai-cache'] === 'hit') hits++;
      else if (headers['x-mingbai-cache'] === 'miss') misses++;
    },
  });
  return {
    label: options.label,
    connections: options.connections,
    requests: result.requests,
    rps: result.rps,
    p50: result.p50,
    p99: result.p99,
    errors: result.errors,
    hits,
    misses,
    hitRate: round(hits / Math.max(1, hits + misses), 3),
    cpuMsPerRequest: round((cpuMs(options.pid) - cpuBefore) / Math.max(1, result.requests), 2),
  };
}

export async function cacheRun(options: {
  databaseUrl: string;
  redisUrl: string;
  seconds: number;
  connections: number;
  log: (line: string) => void;
}): Promise<CacheRun[]> {
  const sql = postgres(options.databaseUrl, { max: 1, onnotice: () => {} });
  // Enough months that the cold run never asks one twice (at ~1,000 req/s for its seconds), else it says so below.
  const months: MonthRef[] = await sampleMonths(sql, 20_000);
  await sql.end();
  const prefix = `mingbai-bench:${process.pid}:${Date.now()}:`;
  const common = { MINGBAI_SQL_STATS: 'false', MINGBAI_REDIS_URL: options.redisUrl, MINGBAI_REDIS_PREFIX: prefix };
  const runs: CacheRun[] = [];
  const { connections, seconds } = options;
  try {
    const off = await startApi(options.databaseUrl, { ...common, MINGBAI_RESPONSE_CACHE: 'false' });
    try {
      runs.push(
        await measure({
          label: 'cache off, every request a new month',
          url: off.url,
          pid: off.pid,
          connections,
          seconds,
          body: (i) => monthPageBody(months[i % months.length]!),
        }),
      );
    } finally {
      await off.stop();
    }
    const on = await startApi(options.databaseUrl, { ...common, MINGBAI_RESPONSE_CACHE: 'true' });
    try {
      // Cold starts further down the list, so the run with the cache off has not warmed PostgreSQL for it alone.
      const offset = Math.floor(months.length / 2);
      runs.push(
        await measure({
          label: 'cold: every request a new month (misses)',
          url: on.url,
          pid: on.pid,
          connections,
          seconds,
          body: (i) => monthPageBody(months[(offset + i) % months.length]!),
        }),
      );
      // Warm: 200 months, each asked once before the run.
      const working = months.slice(0, 200);
      for (const m of working) {
        await fetch(`${on.url}/graphql`, {
          method: 'POST',
          headers: { ...JSON_POST },
          body: monthPageBody(m),
        }).then((r) => r.arrayBuffer());
      }
      runs.push(
        await measure({
          label: 'warm: 200 months asked before (hits)',
          url: on.url,
          pid: on.pid,
          connections,
          seconds,
          body: (i) => monthPageBody(working[i % working.length]!),
        }),
      );
    } finally {
      await on.stop();
    }
  } finally {
    const redis = new Redis(options.redisUrl);
    let cursor = '0';
    do {
      const [nextCursor, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = nextCursor;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
    redis.disconnect();
  }
  for (const r of runs) {
    options.log(
      `  ${r.label}, c=${r.connections}: ${r.rps} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, ` +
        `API CPU ${r.cpuMsPerRequest} ms/request, hit rate ${r.hitRate} (${r.hits} hits, ${r.misses} misses), ` +
        `${r.errors} errors`,
    );
  }
  return runs;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      database: { type: 'string' },
      redis: { type: 'string', default: 'redis://127.0.0.1:6379' },
      seconds: { type: 'string', default: '10' },
      connections: { type: 'string', default: '16' },
    },
  });
  if (!values.database) throw new Error('--database postgres://… (a copy of a bench database: the API migrates it)');
  console.log(`response cache: month page, ${values.seconds} s a run`);
  await cacheRun({
    databaseUrl: values.database,
    redisUrl: values.redis!,
    seconds: Number(values.seconds),
    connections: Number(values.connections),
    log: console.log,
  });
}
