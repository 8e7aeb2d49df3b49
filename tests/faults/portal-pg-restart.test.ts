// The portal on the real API while PostgreSQL is away and restarts (not a stub that answers 503): every page says
// "try again shortly" in Chinese with 503 and Retry-After, never a 500 or a dropped connection, and pages come back
// by themselves once the database accepts connections again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, gql, sleep, startApiChild, type ApiChild } from './harness.ts';
import { startThrowawayPg, throwawayPgUnavailable, type ThrowawayPg } from '../support/throwaway-pg.ts';
import { startTestPortal, type TestPortal } from '../support/portal.ts';

const ANSWER_BOUND_MS = 20_000;
const RECOVERY_BOUND_MS = 10_000;

const unavailable = throwawayPgUnavailable();

interface Visit {
  path: string;
  status: number;
  retryAfter: string | null;
  text: string;
  failure?: string;
}

describe.skipIf(unavailable !== undefined)(
  `the portal while PostgreSQL restarts ${unavailable ? `(skipped: ${unavailable})` : ''}`,
  () => {
    let pg: ThrowawayPg;
    let db: Awaited<ReturnType<typeof freshDatabase>>;
    let api: ApiChild;
    let portal: TestPortal;
    let pages: string[];

    beforeAll(async () => {
      pg = await startThrowawayPg();
      db = await freshDatabase(pg.url(), 'portal_restart');
      api = await startApiChild(db.url);
      portal = await startTestPortal(api.url);
      const latest = await gql<{ village: { latestStatement: { year: number; month: number } } }>(
        api.url,
        '{ village(slug: "fucun") { latestStatement { year month } } }',
      );
      const { year, month } = latest.data!.village.latestStatement;
      pages = ['/', '/v/fucun', `/v/fucun/${year}-${String(month).padStart(2, '0')}`, '/r/xiqing'];
    }, 180_000);

    afterAll(async () => {
      await portal?.close();
      await api?.kill();
      await db?.drop();
      await pg?.destroy();
    });

    let n = 0;
    /** A page as a visitor opens it; a query string of its own, so the portal's page cache cannot answer for the API. */
    async function visit(path: string): Promise<Visit> {
      try {
        const res = await fetch(`${portal.url}${path}?visit=${++n}`, { signal: AbortSignal.timeout(ANSWER_BOUND_MS) });
        return { path, status: res.status, retryAfter: res.headers.get('retry-after'), text: await res.text() };
      } catch (error) {
        return { path, status: 0, retryAfter: null, text: '', failure: String(error) };
      }
    }

    /** 200, or 503 with Retry-After in Chinese: anything else is a fault of ours. */
    function problem(v: Visit): string | undefined {
      if (v.status === 200) return undefined;
      if (v.status === 503 && /^\d+$/.test(v.retryAfter ?? '') && /稍后再试/.test(v.text)) return undefined;
      return `${v.path}: ${v.failure ?? `HTTP ${v.status} retry-after ${v.retryAfter}`} ${v.text.slice(0, 200)}`;
    }

    async function recovered(): Promise<number> {
      const upAt = Date.now();
      for (;;) {
        const visits = await Promise.all(pages.map(visit));
        if (visits.every((v) => v.status === 200)) return Date.now() - upAt;
        if (Date.now() - upAt > 60_000) return Infinity;
        await sleep(200);
      }
    }

    it('answers 503 with Retry-After while the database is stopped, never a 500, and pages again after', async () => {
      for (const v of await Promise.all(pages.map(visit))) expect(v.status, problem(v)).toBe(200);

      await pg.stop('fast');
      const during: Visit[] = [];
      for (let round = 0; round < 2; round++) for (const path of pages) during.push(await visit(path));
      await pg.start();
      const recoveredMs = await recovered();

      expect(during.length).toBeGreaterThan(0);
      expect(during.map(problem).filter(Boolean)).toEqual([]);
      // The database really was away for the pages: the real API said so and the portal passed it on.
      expect(during.filter((v) => v.status === 503).length).toBeGreaterThan(0);
      expect(recoveredMs).toBeLessThan(RECOVERY_BOUND_MS);
      expect(api.alive(), api.output()).toBe(true);
    });

    it('keeps every answer clean while PostgreSQL restarts under page views (-m immediate)', async () => {
      let running = true;
      const visits: Visit[] = [];
      const visitor = async () => {
        while (running) for (const path of pages) visits.push(await visit(path));
      };
      const load = Promise.all([visitor(), visitor()]);
      await sleep(500);
      await pg.restart('immediate');
      const recoveredMs = await recovered();
      running = false;
      await load;

      expect(visits.length).toBeGreaterThan(0);
      expect(visits.map(problem).filter(Boolean)).toEqual([]);
      expect(recoveredMs).toBeLessThan(RECOVERY_BOUND_MS);
      expect(api.alive(), api.output()).toBe(true);
    });
  },
);
