// 8: asking under load (issue 15). Month pages are read at c=16 for a while alone, then again while 100 villagers ask
// at c=16, each from an address of their own (X-Forwarded-For from loopback, which the API trusts as the portal): the
// asks write under two advisory locks and an audit chain, and must not slow the public's reads by more than 10%.
// Self-contained: a database of a few demo villages of its own (seeded once, reused), the API as deployed.
import postgres from 'postgres';
import { monthPageBody, isGraphQLError, type MonthRef } from './workload.ts';
import { startApi } from './procs.ts';
import { percentile, round } from './stats.ts';

export interface QuestionsResult {
  database: string;
  months: number;
  asks: {
    count: number;
    concurrency: number;
    seconds: number;
    perSecond: number;
    p50: number;
    p99: number;
    errors: number;
  };
  monthPage: {
    connections: number;
    /** Month pages alone, over `seconds`. */
    alone: { rps: number; p50: number; p99: number };
    /** Month pages completed while the asks ran, per second of that interval. */
    duringAsks: { rps: number; p50: number; p99: number; requests: number };
  };
  /** 1 − during / alone: the share of month-page throughput the asks took. */
  slowdown: number;
}

const VILLAGES = ['fucun', 'tianli', 'liutai', 'xiaonanhe'];
const ASKS = 100;
const CONCURRENCY = 16;
const JSON_POST = { 'content-type': 'application/json' };
const ASK = `mutation ($input: AskQuestionInput!) { askQuestion(input: $input) { number dueAt duplicate } }`;

/** The bench's own database: migrated, with the demo villages above (seeded the first time, about a minute). */
async function prepare(serverUrl: string, log: (s: string) => void): Promise<string> {
  const url = new URL(serverUrl);
  const name = 'mingbai_bench_questions';
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  const [exists] = await admin`select 1 as found from pg_database where datname = ${name}`;
  if (!exists) await admin.unsafe(`create database ${name}`);
  await admin.end();
  url.pathname = `/${name}`;
  const { migrateDb, openDb } = await import('@mingbai/db/client');
  const { seedDemo } = await import('@mingbai/db/demo/seed');
  const handle = await openDb({ databaseUrl: url.toString(), poolSize: 4 });
  try {
    await migrateDb(handle);
    const report = await seedDemo(handle.db, { villages: VILLAGES });
    if (report.villages > 0) log(`  seeded ${report.villages} demo villages in ${round(report.elapsedMs / 1000, 0)} s`);
  } finally {
    await handle.close();
  }
  return url.toString();
}

/** Closed loops of month-page reads until `stop()`: each completion's time and latency. */
function readMonthPages(apiUrl: string, months: MonthRef[], connections: number) {
  const done: { at: number; ms: number }[] = [];
  let errors = 0;
  let next = 0;
  let running = true;
  const loops = Array.from({ length: connections }, async () => {
    while (running) {
      const body = monthPageBody(months[next++ % months.length]!);
      const t = performance.now();
      const res = await fetch(apiUrl, { method: 'POST', headers: JSON_POST, body });
      const text = await res.text();
      if (res.status !== 200 || isGraphQLError(text)) errors++;
      done.push({ at: performance.now(), ms: performance.now() - t });
    }
  });
  return {
    done,
    async stop() {
      running = false;
      await Promise.all(loops);
      if (errors > 0) throw new Error(`month pages: ${errors} failed responses`);
    },
  };
}

function stats(samples: { at: number; ms: number }[], from: number, to: number) {
  const inside = samples.filter((s) => s.at >= from && s.at <= to).map((s) => s.ms);
  return {
    requests: inside.length,
    rps: round(inside.length / ((to - from) / 1000), 0),
    p50: round(percentile(inside, 0.5), 1),
    p99: round(percentile(inside, 0.99), 1),
  };
}

export async function questionsRun(options: {
  serverUrl: string;
  seconds: number;
  log: (s: string) => void;
}): Promise<QuestionsResult> {
  const { log } = options;
  const databaseUrl = await prepare(options.serverUrl, log);
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  const months = await sql<MonthRef[]>`
    select v.slug, v.id as "villageId", p.year, p.month, p.revision, p.line_count as "lineCount"
      from periods p join villages v on v.id = p.village_id
     where p.status = 'published'
       and p.revision = (select max(q.revision) from periods q where q.village_id = p.village_id and q.year = p.year
                           and q.month = p.month and q.status = 'published')
     order by md5(v.code || ':' || p.year || ':' || p.month)`;
  await sql.end();
  // Rate limits as deployed per address (each asker asks once); the village's hourly cap raised so repeated runs
  // within the hour still write every ask.
  const api = await startApi(databaseUrl, { MINGBAI_QUESTIONS_PER_VILLAGE_HOUR: '1000000' });
  try {
    const url = `${api.url}/graphql`;
    // Warm-up: every month once, so both runs read warm caches and compiled queries.
    const warm = readMonthPages(url, months, CONCURRENCY);
    await new Promise((r) => setTimeout(r, 2000));
    await warm.stop();

    const alone = readMonthPages(url, months, CONCURRENCY);
    const aloneFrom = performance.now();
    await new Promise((r) => setTimeout(r, options.seconds * 1000));
    const aloneTo = performance.now();
    await alone.stop();
    const aloneStats = stats(alone.done, aloneFrom, aloneTo);
    log(`  month pages alone: ${aloneStats.rps} req/s, p50 ${aloneStats.p50} ms, p99 ${aloneStats.p99} ms`);

    // A run nonce: the same words twice in a day are one question (no write), which would flatter the asks.
    const nonce = Date.now().toString(36);
    const run = Math.floor(Math.random() * 200);
    const reading = readMonthPages(url, months, CONCURRENCY);
    await new Promise((r) => setTimeout(r, 500));
    const askFrom = performance.now();
    const askTimes: number[] = [];
    let askErrors = 0;
    let nextAsk = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (nextAsk < ASKS) {
          const i = nextAsk++;
          const m = months[i % months.length]!;
          const body = JSON.stringify({
            query: ASK,
            variables: {
              input: {
                villageSlug: m.slug,
                year: m.year,
                month: m.month,
                ...(i % 3 === 0 ? { voucherNumber: 1 } : {}),
                body: `第${i + 1}个问题（${nonce}）：${m.year}年${m.month}月这笔钱花在哪里了？联系电话1380000${String(i).padStart(4, '0')}`,
                contact: i % 2 === 0 ? `村民${i}` : null,
              },
            },
          });
          const t = performance.now();
          const res = await fetch(url, {
            method: 'POST',
            headers: { ...JSON_POST, 'x-forwarded-for': `198.18.${run}.${i + 1}` },
            body,
          });
          const text = await res.text();
          askTimes.push(performance.now() - t);
          if (res.status !== 200 || isGraphQLError(text) || text.includes('"duplicate":true')) {
            if (askErrors++ === 0) log(`  first failed ask: ${text.slice(0, 300)}`);
          }
        }
      }),
    );
    const askTo = performance.now();
    await reading.stop();
    const during = stats(reading.done, askFrom, askTo);
    const askSeconds = (askTo - askFrom) / 1000;
    const slowdown = round(1 - during.rps / Math.max(1, aloneStats.rps), 3);
    log(
      `  ${ASKS} asks at c=${CONCURRENCY}: ${round(askSeconds, 2)} s (${round(ASKS / askSeconds, 0)}/s, p50 ` +
        `${round(percentile(askTimes, 0.5), 1)} ms, ${askErrors} errors); month pages meanwhile ${during.rps} req/s ` +
        `(${during.requests} pages), slowdown ${round(slowdown * 100, 1)}%`,
    );
    if (askErrors > 0) throw new Error(`asks: ${askErrors} failed`);
    return {
      database: new URL(databaseUrl).pathname.slice(1),
      months: months.length,
      asks: {
        count: ASKS,
        concurrency: CONCURRENCY,
        seconds: round(askSeconds, 2),
        perSecond: round(ASKS / askSeconds, 0),
        p50: round(percentile(askTimes, 0.5), 1),
        p99: round(percentile(askTimes, 0.99), 1),
        errors: askErrors,
      },
      monthPage: {
        connections: CONCURRENCY,
        alone: { rps: aloneStats.rps, p50: aloneStats.p50, p99: aloneStats.p99 },
        duringAsks: during,
      },
      slowdown,
    };
  } finally {
    await api.stop();
  }
}
