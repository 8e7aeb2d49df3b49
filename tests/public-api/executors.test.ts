import { isDeepStrictEqual } from 'node:util';
// The API runs queries compiled by graphql-jit; graphql-js is the reference executor. Every query the portal sends,
// the public feed and node lookups, and the bad inputs a client may send must answer byte for byte the same on both.
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '@mingbai/db/client';
import { startApiServer, type RunningApi } from '@mingbai/api/server';
import { COMPILED_QUERY_CHANNEL } from '@mingbai/api/graphql/execution/jit-executor';
import * as Q from '../../portal/src/lib/queries.ts';
import { RegionYearPage } from '../../portal/src/lib/queries-compare.ts';
import { openTestDb } from '../support/db.ts';

interface Case {
  name: string;
  query: string;
  variables?: Record<string, unknown>;
}

describe('compiled queries answer exactly as graphql-js does', () => {
  let handle: DbHandle;
  let compiled: RunningApi;
  let reference: RunningApi;

  beforeAll(async () => {
    handle = await openTestDb();
    compiled = await startApiServer({ db: handle.db, port: 0, host: '127.0.0.1' });
    reference = await startApiServer({ db: handle.db, port: 0, host: '127.0.0.1', compiledQueries: false });
  });
  afterAll(async () => {
    await compiled?.close();
    await reference?.close();
    await handle?.close();
  });

  const ask = async (api: RunningApi, c: Case) => {
    const response = await fetch(api.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify({ query: c.query, variables: c.variables ?? {} }),
    });
    const body = (await response.json()) as Record<string, unknown>;
    delete body.extensions; // the cost is the same; timings are not
    return { status: response.status, body: JSON.stringify(body) };
  };

  it('on every portal query, the feed, node lookups and bad input', async () => {
    const listing = await ask(compiled, {
      name: 'villages',
      query: `{ villages(first: 100) { nodes { id slug town { slug } district { slug }
                 latestStatement { id year month revision } } } }`,
    });
    const villages = (
      JSON.parse(listing.body) as {
        data: {
          villages: {
            nodes: {
              id: string;
              slug: string;
              town: { slug: string };
              district: { slug: string };
              latestStatement: { id: string; year: number; month: number } | null;
            }[];
          };
        };
      }
    ).data.villages.nodes;
    const published = villages.filter((v) => v.latestStatement).slice(0, 4);
    expect(published.length).toBeGreaterThan(0);

    const cases: Case[] = [
      { name: 'home', query: Q.HomeRegions },
      { name: 'search', query: Q.FindVillages, variables: { q: '村' } },
      { name: 'search, nothing', query: Q.FindVillages, variables: { q: '%_\\' } },
      { name: 'unknown village', query: Q.VillagePage, variables: { slug: 'no-such-village' } },
      { name: 'bad variable', query: Q.MonthPage, variables: { slug: 'x', year: 'abc', month: 1 } },
      { name: 'missing variable', query: Q.MonthPage, variables: { year: 2025, month: 1 } },
      { name: 'bad month', query: Q.MonthPage, variables: { slug: published[0]!.slug, year: 2025, month: 13 } },
      { name: 'bad node id', query: `{ node(id: "!!!") { id } }` },
      {
        name: 'feed',
        query: `{ statements(first: 30) { totalCount pageInfo { hasNextPage endCursor }
                  nodes { id year month revision isCurrent publishedAt village { slug } } } }`,
      },
      { name: 'first over 100', query: `{ villages(first: 1000) { totalCount } }` },
    ];
    for (const v of published) {
      const { year, month } = v.latestStatement!;
      cases.push(
        { name: `village ${v.slug}`, query: Q.VillagePage, variables: { slug: v.slug } },
        { name: `region ${v.district.slug}`, query: RegionYearPage, variables: { slug: v.district.slug, year } },
        { name: `town ${v.town.slug}`, query: RegionYearPage, variables: { slug: v.town.slug, year } },
        {
          name: `month ${v.slug}`,
          query: Q.MonthPage,
          variables: { slug: v.slug, year, month, orderBy: 'DATE_ASC', first: 50 },
        },
        { name: `whole month ${v.slug}`, query: Q.WholeMonth, variables: { slug: v.slug, year, month } },
        {
          name: `voucher ${v.slug}`,
          query: Q.VoucherPage,
          variables: { slug: v.slug, year, month, number: 1 },
        },
        { name: `chain ${v.slug}`, query: Q.VerifyChain, variables: { slug: v.slug } },
        {
          name: `nodes ${v.slug}`,
          query: `query ($ids: [ID!]!) { nodes(ids: $ids) { __typename id ... on Village { slug }
                    ... on MonthlyStatement { year month digest } } }`,
          variables: { ids: [v.id, v.latestStatement!.id] },
        },
      );
    }

    // A document runs on graphql-js the first time and compiled from the second: both must match the reference.
    let compiledCount = 0;
    const onCompiled = () => void compiledCount++;
    subscribe(COMPILED_QUERY_CHANNEL, onCompiled);
    try {
      for (const c of cases) {
        // Other files publish into the same database meanwhile (the feed's count moves): when the reference's own
        // answer changed during the three compiled runs, the case is asked again (three times at most).
        for (let attempt = 1; ; attempt++) {
          const expected = await ask(reference, c);
          const runs = [await ask(compiled, c), await ask(compiled, c), await ask(compiled, c)];
          if (attempt < 3 && !isDeepStrictEqual(await ask(reference, c), expected)) continue;
          expect(runs[0], `${c.name}, first run`).toEqual(expected);
          expect(runs[1], `${c.name}, compiled`).toEqual(expected);
          expect(runs[2], `${c.name}, compiled again`).toEqual(expected);
          break;
        }
      }
    } finally {
      unsubscribe(COMPILED_QUERY_CHANNEL, onCompiled);
    }
    // Every distinct query document that ran (bad variables are refused before) was compiled exactly once.
    expect(compiledCount).toBeGreaterThanOrEqual(8);
  });
});
