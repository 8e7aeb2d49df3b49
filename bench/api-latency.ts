// `pnpm bench`: latency and SQL statements per request of the portal's hot GraphQL queries, against the database in
// DATABASE_URL (or PGlite), over HTTP on 127.0.0.1. The month page is the portal's exact `MonthPage` text, once on the
// smallest published month and once on the largest, which should cost the same. Sequential requests, then
// BENCH_CONCURRENCY (16) at once. Prints a table; bounded to N requests per query.
import 'reflect-metadata';
import postgres from 'postgres';
import { migrateDb, openDb } from '@mingbai/db/client';
import { seedDemoIfEmpty } from '@mingbai/db/demo/seed';
import { startApiServer } from '@mingbai/api/server';
import { MonthPage, VillagePage } from '../portal/src/lib/queries.ts';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 200);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);

const handle = await openDb({ databaseUrl: process.env.DATABASE_URL, poolSize: 8 });
await migrateDb(handle);
await seedDemoIfEmpty(handle.db);

interface MonthRow {
  slug: string;
  year: number;
  month: number;
  line_count: number;
}
/** The smallest and the largest published month with at least one line (on PGlite, two demo months of 付村). */
async function benchMonths(): Promise<MonthRow[]> {
  if (!process.env.DATABASE_URL) {
    return [
      { slug: 'fucun', year: 2025, month: 8, line_count: 0 },
      { slug: 'fucun', year: 2025, month: 12, line_count: 0 },
    ];
  }
  const client = postgres(process.env.DATABASE_URL, { max: 1 });
  const rows = await client<MonthRow[]>`(select v.slug, p.year, p.month, p.line_count from periods p join villages v on v.id = p.village_id
        where p.status = 'published' and p.line_count > 0 order by p.line_count asc, p.village_id limit 1)
      union all
      (select v.slug, p.year, p.month, p.line_count from periods p join villages v on v.id = p.village_id
        where p.status = 'published' order by p.line_count desc, p.village_id limit 1)`;
  await client.end();
  return [...rows];
}
const [small, large] = await benchMonths();
if (!small || !large) throw new Error('no published month to read');

interface Request {
  query: string;
  variables?: Record<string, unknown>;
}
const monthPage = (m: typeof small): Request => ({
  query: MonthPage,
  variables: { slug: m.slug, year: m.year, month: m.month, first: 50 },
});
const QUERIES: Record<string, Request> = {
  [`month ${small.line_count} lines`]: monthPage(small),
  [`month ${large.line_count} lines`]: monthPage(large),
  'village page': { query: VillagePage, variables: { slug: large.slug } },
  'village list': {
    query: `{ villages(first: 20) { totalCount nodes { name slug town { name } district { name }
    latestStatement { closingBalance { yuan } } } } }`,
  },
};

// The benchmark is one client asking far more than any visitor would: no rate limit.
const api = await startApiServer({
  db: handle.db,
  port: 0,
  exposeSqlStats: true,
  rateLimits: { anonymousPointsPerHour: Number.MAX_SAFE_INTEGER },
});

async function ask(name: string, request: Request): Promise<number> {
  const res = await fetch(api.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(request),
  });
  const body = (await res.json()) as { errors?: unknown; extensions?: { sql?: { statements: number } } };
  if (body.errors) throw new Error(`${name}: ${JSON.stringify(body.errors)}`);
  return body.extensions?.sql?.statements ?? 0;
}

const at = (times: number[], q: number) =>
  times[Math.min(times.length - 1, Math.floor(q * times.length))]!.toFixed(1);

console.log(`engine ${handle.engine}, ${REQUESTS} requests per query, sequential then ${CONCURRENCY} at once`);
console.log(`small month /v/${small.slug}/${small.year}-${small.month}, large /v/${large.slug}/${large.year}-${large.month}\n`);
console.log('query                  p50 ms   p99 ms   req/s | c16 p50   p99   req/s | SQL statements');
for (const [name, request] of Object.entries(QUERIES)) {
  const times: number[] = [];
  let statements = 0;
  let errors = 0;
  let started = performance.now();
  for (let i = 0; i < REQUESTS; i++) {
    const t = performance.now();
    statements = await ask(name, request).catch(() => (errors++, statements));
    times.push(performance.now() - t);
  }
  const seconds = (performance.now() - started) / 1000;
  times.sort((a, b) => a - b);
  const parallel: number[] = [];
  let next = 0;
  started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next++ < REQUESTS) {
        const t = performance.now();
        await ask(name, request).catch(() => errors++);
        parallel.push(performance.now() - t);
      }
    }),
  );
  const parallelSeconds = (performance.now() - started) / 1000;
  parallel.sort((a, b) => a - b);
  console.log(
    `${name.padEnd(20)} ${at(times, 0.5).padStart(8)} ${at(times, 0.99).padStart(8)} ${(REQUESTS / seconds).toFixed(0).padStart(7)} |` +
      ` ${at(parallel, 0.5).padStart(7)} ${at(parallel, 0.99).padStart(5)} ${(REQUESTS / parallelSeconds).toFixed(0).padStart(7)} | ${statements}${errors > 0 ? `  (${errors} errors)` : ''}`,
  );
}
await api.close();
await handle.close();
