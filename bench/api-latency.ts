// `pnpm bench`: sequential latency and SQL statements per request of the portal's hot GraphQL queries, against the
// database in DATABASE_URL (or PGlite), over HTTP on 127.0.0.1. Prints a table; bounded to N requests per query.
import 'reflect-metadata';
import { migrateDb, openDb } from '@mingbai/db/client';
import { seedDemoIfEmpty } from '@mingbai/db/demo/seed';
import { startApiServer } from '@mingbai/api/server';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 200);
const QUERIES: Record<string, string> = {
  'month page': `{ village(slug: "fucun") { name statement(year: 2025, month: 8) { openingBalance { yuan } closingBalance { yuan }
    income { yuan } spending { yuan } byCategory { code name amount { yuan } subAccounts { name amount { yuan } } }
    previousMonth { income { yuan } spending { yuan } } yearToDate { income { yuan } spending { yuan } } reconciled
    revisions { revision reason } digest lines(first: 50) { totalCount nodes { date summary counterparty { name }
    amount { yuan } account { name categoryName } paymentMethod voucher { number } } } } } }`,
  'village page': `{ village(slug: "fucun") { name town { name } district { name } latestStatement { year month
    closingBalance { yuan } income { yuan } spending { yuan } } periods(first: 36) { totalCount nodes { year month
    revised statement { income { yuan } spending { yuan } closingBalance { yuan } } } } } }`,
  'village list': `{ villages(first: 20) { totalCount nodes { name slug town { name } district { name }
    latestStatement { closingBalance { yuan } } } } }`,
  'region summary': `{ region(slug: "xiqing") { summary(year: 2025) { income { yuan } spending { yuan }
    byCategory { name amount { yuan } } } } }`,
};

const handle = await openDb({ databaseUrl: process.env.DATABASE_URL, poolSize: 8 });
await migrateDb(handle);
await seedDemoIfEmpty(handle.db);
// The benchmark is one client asking far more than any visitor would: no rate limit.
const api = await startApiServer({
  db: handle.db,
  port: 0,
  exposeSqlStats: true,
  rateLimits: { anonymousPointsPerHour: Number.MAX_SAFE_INTEGER },
});
console.log(`engine ${handle.engine}, ${REQUESTS} sequential requests per query\n`);
console.log('query            p50 ms   p99 ms   req/s   SQL statements');
for (const [name, query] of Object.entries(QUERIES)) {
  const times: number[] = [];
  let statements = 0;
  const started = performance.now();
  for (let i = 0; i < REQUESTS; i++) {
    const t = performance.now();
    const res = await fetch(api.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query }),
    });
    const body = (await res.json()) as { errors?: unknown; extensions?: { sql?: { statements: number } } };
    if (body.errors) throw new Error(`${name}: ${JSON.stringify(body.errors)}`);
    times.push(performance.now() - t);
    statements = body.extensions?.sql?.statements ?? 0;
  }
  const seconds = (performance.now() - started) / 1000;
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!.toFixed(1);
  console.log(
    `${name.padEnd(16)} ${at(0.5).padStart(6)} ${at(0.99).padStart(8)} ${(REQUESTS / seconds).toFixed(0).padStart(7)}   ${statements}`,
  );
}
await api.close();
await handle.close();
