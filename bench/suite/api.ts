// 1–3: the portal's month and village queries over HTTP against the API child, beside the SQL floor; statements per
// request and read cost at the smallest and the largest month.
import type { Sql } from 'postgres';
import { monthPageFloor, villagePageFloor } from './floor.ts';
import { load, type LoadResult } from './load.ts';
import { closedLoop, percentile, round } from './stats.ts';
import { isGraphQLError, monthPageBody, villagePageBody, ym, type MonthRef } from './workload.ts';

const JSON_POST = { 'content-type': 'application/json' };

export interface ConcurrencyPoint {
  query: 'month page' | 'village page';
  concurrency: number;
  api: LoadResult;
  floor: { requests: number; rps: number; p50: number; p99: number };
  /** API cost per request over the floor's: floor req/s ÷ API req/s. */
  ratio: number;
}

export async function concurrencyRuns(options: {
  apiUrl: string;
  floorSql: Sql;
  months: MonthRef[];
  villages: string[];
  levels: number[];
  seconds: number;
  log: (s: string) => void;
}): Promise<ConcurrencyPoint[]> {
  const { months, villages } = options;
  const points: ConcurrencyPoint[] = [];
  for (const query of ['month page', 'village page'] as const) {
    for (const c of options.levels) {
      const body = (i: number) =>
        query === 'month page'
          ? monthPageBody(months[i % months.length]!)
          : villagePageBody(villages[i % villages.length]!);
      const api = await load({
        url: `${options.apiUrl}/graphql`,
        connections: c,
        seconds: options.seconds,
        request: (i) => ({ method: 'POST', path: '/graphql', headers: JSON_POST, body: body(i) }),
        isError: isGraphQLError,
      });
      // The floor starts over at the same list, so both read the same months in the same order.
      const floor = await closedLoop(c, options.seconds, async (i) => {
        if (query === 'month page') await monthPageFloor(options.floorSql, months[i % months.length]!);
        else await villagePageFloor(options.floorSql, villages[i % villages.length]!);
      });
      const ratio = round(floor.rps / Math.max(1, api.rps), 2);
      points.push({ query, concurrency: c, api, floor, ratio });
      options.log(
        `  ${query} c=${c}: API ${api.rps} req/s p50 ${api.p50} ms p99 ${api.p99} ms (${api.errors} errors); ` +
          `floor ${floor.rps} req/s p50 ${floor.p50} ms; ratio ${ratio}×`,
      );
      if (api.errors > 0) throw new Error(`${query} at c=${c}: ${api.errors} failed responses`);
    }
  }
  return points;
}

interface Sequential {
  p50: number;
  p99: number;
  requests: number;
  /** From the last successful response; -1 if none succeeded. */
  statements: number;
  /** Failed responses (e.g. the API's 10 s QUERY_TIMEOUT); their time counts in the percentiles. */
  errors: number;
  firstError?: string;
}

async function sequential(url: string, body: string, seconds: number): Promise<Sequential> {
  const times: number[] = [];
  let statements = -1;
  let errors = 0;
  let firstError: string | undefined;
  const until = performance.now() + seconds * 1000;
  while (performance.now() < until || times.length < 5) {
    const t = performance.now();
    const res = await fetch(url, { method: 'POST', headers: JSON_POST, body });
    const text = await res.text();
    times.push(performance.now() - t);
    if (isGraphQLError(text)) {
      errors++;
      firstError ??= `${res.status}: ${text.slice(0, 300)}`;
      continue;
    }
    statements =
      (JSON.parse(text) as { extensions?: { sql?: { statements: number } } }).extensions?.sql?.statements ?? -1;
  }
  return {
    p50: round(percentile(times, 0.5), 2),
    p99: round(percentile(times, 0.99), 2),
    requests: times.length,
    statements,
    errors,
    ...(firstError ? { firstError } : {}),
  };
}

export interface MonthSize {
  month: string;
  lines: number;
  monthPage: Sequential;
  floorP50: number;
  villagePageStatements: number;
}

/**
 * One client, one request at a time, on the smallest and the largest month: what a single month page costs and
 * how many statements it runs. The statement header (totals, categories, comparisons) comes from rollups, so its cost
 * must not grow with the month; the lines page is a window of 50 whatever the month's size.
 */
export async function monthSizes(options: {
  apiUrl: string;
  floorSql: Sql;
  months: { small: MonthRef; large: MonthRef };
  seconds: number;
}): Promise<MonthSize[]> {
  const out: MonthSize[] = [];
  for (const m of [options.months.small, options.months.large]) {
    const monthPage = await sequential(`${options.apiUrl}/graphql`, monthPageBody(m), options.seconds);
    const village = await sequential(`${options.apiUrl}/graphql`, villagePageBody(m.slug), 0);
    const floor = await closedLoop(1, options.seconds, () => monthPageFloor(options.floorSql, m).then(() => {}));
    out.push({
      month: `/v/${m.slug}/${ym(m)}`,
      lines: m.lineCount,
      monthPage,
      floorP50: floor.p50,
      villagePageStatements: village.statements,
    });
  }
  return out;
}

/**
 * Statement read cost alone: the statement header without its lines (totals, categories, last month, year to date,
 * revisions), one request at a time, for the smallest and the largest month.
 */
export async function statementReadCost(apiUrl: string, months: MonthRef[], seconds: number) {
  const query = `query S($slug: String!, $year: Int!, $month: Int!) { village(slug: $slug) { statement(year: $year,
    month: $month) { revision digest openingBalance { yuan } closingBalance { yuan } income { yuan } spending { yuan }
    byCategory { code name kind amount { yuan } } previousMonth { income { yuan } spending { yuan } }
    yearToDate { income { yuan } spending { yuan } } revisions { revision reason publishedAt } } } }`;
  const out = [];
  for (const m of months) {
    const body = JSON.stringify({ query, variables: { slug: m.slug, year: m.year, month: m.month } });
    const r = await sequential(`${apiUrl}/graphql`, body, seconds);
    out.push({ month: `/v/${m.slug}/${ym(m)}`, lines: m.lineCount, ...r });
  }
  return out;
}
