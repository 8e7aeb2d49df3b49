// The soak: the API as a child process on a fresh database, 50 readers sending the portal's MonthPage and VillagePage
// queries over varied villages and months without pause, and an import every 30 s, for SOAK_MINUTES (default 10).
// Zero errors; the API's RSS at the end within 10% of minute 1; database connections flat.
// `pnpm test:soak`, with DATABASE_URL (a database of its own is made on that server) or else a private cluster.
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MonthPage, VillagePage } from '../../portal/src/lib/queries.ts';
import {
  freshDatabase,
  gql,
  IMPORT,
  ledgerFile,
  login,
  aFaultVillage,
  seededRandom,
  sleep,
  startApiChild,
  type ApiChild,
} from '../faults/harness.ts';
import { startThrowawayPg, throwawayPgUnavailable, type ThrowawayPg } from '../support/throwaway-pg.ts';

const MINUTES = Number(process.env.SOAK_MINUTES ?? 10);
const READERS = 50;
const IMPORT_EVERY_MS = 30_000;
const IMPORT_LINES = 2_000;
const VILLAGES = ['fucun', 'liugangzhuang', 'baitansi', 'dayoudai'];
/** Imports go to a village of the soak's own, whose months are free (the demo's are published). */
const UPLOAD_VILLAGE = 'soak-test';
const MB = 1024 * 1024;

const unavailable = process.env.DATABASE_URL ? undefined : throwawayPgUnavailable();

describe.skipIf(unavailable !== undefined)(`soak ${unavailable ? `(skipped: ${unavailable})` : ''}`, () => {
  let pg: ThrowawayPg | undefined;
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let api: ApiChild;
  let monitor: postgres.Sql;

  beforeAll(async () => {
    let serverUrl: string;
    if (process.env.DATABASE_URL) {
      const url = new URL(process.env.DATABASE_URL);
      url.pathname = '/postgres';
      serverUrl = url.toString();
    } else {
      pg = await startThrowawayPg();
      serverUrl = pg.url();
    }
    db = await freshDatabase(serverUrl, 'soak', VILLAGES);
    monitor = postgres(db.url, { max: 1, onnotice: () => {} });
    api = await startApiChild(db.url);
  });

  afterAll(async () => {
    await api?.kill();
    await monitor?.end({ timeout: 5 });
    await db?.drop();
    await pg?.destroy();
  });

  it(`serves ${READERS} readers and an import every 30 s for ${MINUTES} min with no error, flat memory and connections`, async () => {
    const months = await monitor<{ slug: string; year: number; month: number }[]>`
      select distinct v.slug, p.year, p.month from periods p join villages v on v.id = p.village_id
       where p.status = 'published' order by 1, 2, 3`;
    expect(months.length).toBeGreaterThan(VILLAGES.length * 12);
    const connections = async () =>
      Number(
        (
          await monitor<{ n: number }[]>`
          select count(*)::int as n from pg_stat_activity
           where datname = current_database() and pid <> pg_backend_pid()`
        )[0]!.n,
      );
    const token = await login(api.url, 'fucun-kuaiji');
    await aFaultVillage(db.url, UPLOAD_VILLAGE);

    const started = Date.now();
    const endAt = started + MINUTES * 60_000;
    const errors: string[] = [];
    let reads = 0;
    let imports = 0;
    const latencies: number[] = [];

    const reader = async (seed: number) => {
      const random = seededRandom(seed);
      while (Date.now() < endAt) {
        const m = months[Math.floor(random() * months.length)]!;
        const t0 = Date.now();
        const page =
          random() < 0.7
            ? await gql(api.url, MonthPage, { slug: m.slug, year: m.year, month: m.month, first: 50 })
            : await gql(api.url, VillagePage, { slug: m.slug });
        latencies.push(Date.now() - t0);
        reads++;
        if (page.status !== 200 || page.errors || !page.data || page.failure)
          errors.push(
            `read ${m.slug} ${m.year}-${m.month}: ${page.status} ${page.failure ?? ''} ${page.text.slice(0, 200)}`,
          );
      }
    };
    const importer = async () => {
      let next = started + 15_000;
      for (let i = 0; ; i++) {
        await sleep(Math.max(0, next - Date.now()));
        if (Date.now() >= endAt) return;
        next += IMPORT_EVERY_MS;
        // Months that have ended (only those can be uploaded), 2024-01 … 2025-12 over and over: each new file
        // replaces the month's vouchers.
        const year = 2024 + (Math.floor(i / 12) % 2);
        const month = (i % 12) + 1;
        const file = ledgerFile(IMPORT_LINES, year, month, 1_000 + i);
        const r = await gql<{ importLedger: { status: string } }>(
          api.url,
          IMPORT,
          { v: UPLOAD_VILLAGE, f: `soak-${i}.csv`, c: file.toString('base64') },
          token,
          120_000,
        );
        imports++;
        if (r.data?.importLedger.status !== 'COMMITTED')
          errors.push(
            `${Math.round((Date.now() - started) / 1000)} s import ${i}: ${r.status} ${r.failure ?? ''} ${r.text.slice(0, 200)}`,
          );
      }
    };
    const samples: { atS: number; rssMb: number; connections: number }[] = [];
    const sampler = async () => {
      while (Date.now() < endAt) {
        await sleep(Math.min(10_000, Math.max(0, endAt - Date.now())));
        samples.push({
          atS: Math.round((Date.now() - started) / 1000),
          rssMb: Math.round(api.rssBytes() / MB),
          connections: await connections(),
        });
      }
    };

    await Promise.all([...Array.from({ length: READERS }, (_, i) => reader(i + 1)), importer(), sampler()]);
    const finalRss = api.rssBytes();
    const finalConnections = await connections();
    // Minute 1 (or, in a short run, the first sample after the first import).
    const baseline = samples.find((s) => s.atS >= Math.min(60, MINUTES * 30)) ?? samples[0]!;
    latencies.sort((a, b) => a - b);
    const summary = {
      minutes: MINUTES,
      reads,
      readsPerSecond: Math.round(reads / ((Date.now() - started) / 1000)),
      p50Ms: latencies[Math.floor(latencies.length / 2)],
      p99Ms: latencies[Math.floor(latencies.length * 0.99)],
      imports,
      errors: errors.length,
      rssMinute1Mb: baseline.rssMb,
      rssEndMb: Math.round(finalRss / MB),
      rssGrowthPercent: Math.round(((finalRss / MB - baseline.rssMb) / baseline.rssMb) * 1000) / 10,
      connectionsMinute1: baseline.connections,
      connectionsMax: Math.max(...samples.map((s) => s.connections)),
      connectionsEnd: finalConnections,
    };
    console.log(`soak: ${JSON.stringify(summary)}\nsamples: ${JSON.stringify(samples)}`);
    if (errors.length > 0) console.log(`first errors:\n${errors.slice(0, 20).join('\n')}`);

    expect(errors.slice(0, 10)).toEqual([]);
    expect(api.alive()).toBe(true);
    expect(imports).toBeGreaterThanOrEqual(Math.floor((MINUTES * 60_000 - 15_000) / IMPORT_EVERY_MS));
    expect(summary.rssGrowthPercent).toBeLessThan(10);
    // The API's pool is 8 connections: they may all be busy, never more, and none leak.
    expect(summary.connectionsMax).toBeLessThanOrEqual(8);
    expect(finalConnections).toBeLessThanOrEqual(8);
  });
});
