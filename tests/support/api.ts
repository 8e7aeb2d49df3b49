import { afterAll, beforeAll } from 'vitest';
import type { DbHandle } from '@mingbai/db/client';
import { openTestDb } from './db.ts';
import type { Db } from '@mingbai/db/client';
import { startApiServer, type RunningApi } from '@mingbai/api/server';

export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  data?: T;
  errors?: { message: string; extensions?: { code?: string } & Record<string, unknown> }[];
  extensions?: { sql?: { statements: number } } & Record<string, unknown>;
  text: string;
}

type Query = <T = Record<string, unknown>>(
  query: string,
  variables?: Record<string, unknown>,
) => Promise<GraphQLResponse<T>>;

export interface TestApi {
  url: string;
  query: Query;
  /** The same, signed in with a bearer token. */
  as(token: string): Query;
  /** Signs in and returns the token. */
  login(username: string, password: string): Promise<string>;
  close(): Promise<void>;
}

/** The real API server on a free port of 127.0.0.1, queried over HTTP like any client would. */
export async function startTestApi(db: Db): Promise<TestApi> {
  const api: RunningApi = await startApiServer({
    db,
    port: 0,
    host: '127.0.0.1',
    exposeSqlStats: true,
    // Every request of a test file comes from 127.0.0.1 (the portal forwards that as the visitor's address), and a
    // browser test opens hundreds of pages: the hourly budget is tests/http/api-limits.test.ts's business, not theirs.
    rateLimits: { anonymousPointsPerHour: 1_000_000_000 },
  });
  const send =
    (token?: string): Query =>
    async (query, variables = {}) => {
      const response = await fetch(api.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      const text = await response.text();
      return { status: response.status, text, ...JSON.parse(text) };
    };
  return {
    url: api.url,
    query: send(),
    as: send,
    async login(username, password) {
      const res = await send()<{ login: { token: string } }>(
        `mutation ($u: String!, $p: String!) { login(username: $u, password: $p) { token } }`,
        { u: username, p: password },
      );
      if (!res.data) throw new Error(`login failed: ${res.text}`);
      return res.data.login.token;
    },
    close: () => api.close(),
  };
}

/** Registers hooks that open the test database and start the API for one test file; read the fields inside tests. */
export function useTestApi(): { readonly handle: DbHandle; readonly api: TestApi } {
  const fixture = {} as { handle: DbHandle; api: TestApi };
  beforeAll(async () => {
    fixture.handle = await openTestDb();
    fixture.api = await startTestApi(fixture.handle.db);
  });
  afterAll(async () => {
    await fixture.api?.close();
    await fixture.handle?.close();
  });
  return fixture;
}
