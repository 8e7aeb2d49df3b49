// The demo load of a first start (db/src/demo/seed.ts): stopped between two months, it leaves whole months only, and
// the next load goes on from the first month missing to the same ledger a load in one go writes, its audit chain
// whole; a database holding a village that is not the demo's is never written into. On a database of its own.
import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '@mingbai/db/client';
import { planVillage } from '@mingbai/db/demo/plan';
import { DEMO_VILLAGES } from '@mingbai/db/demo/regions';
import { beginDemo, demoToLoad } from '@mingbai/db/demo/seed';
import { verifyVillageChain } from '@mingbai/db/ledger/verify';
import { periods, vouchers } from '@mingbai/db/schema/ledger';
import { villages } from '@mingbai/db/schema/regions';
import { aVillage } from '../support/builders.ts';
import { openEmptyDb } from '../support/db.ts';

const SLUG = 'baitansi';
const STOP_AFTER = 10;

let handle: DbHandle;

beforeAll(async () => {
  handle = await openEmptyDb('demo-load', 2);
}, 120_000);

afterAll(async () => {
  await handle?.close();
});

describe('loading the demo', () => {
  it('stopped after a month, goes on from the next one to the whole ledger, its chain whole', async () => {
    const db = handle.db;
    const stop = new AbortController();
    const first = await beginDemo(db, {
      villages: [SLUG],
      signal: stop.signal,
      onMonth: (written) => written === STOP_AFTER && stop.abort(),
    });
    await expect(first.finish()).rejects.toThrow();
    const villageId = first.ids.get(SLUG)!;
    const months = async () =>
      (await db.select({ n: count() }).from(periods).where(eq(periods.villageId, villageId)))[0]!.n;
    expect(await months()).toBe(STOP_AFTER);

    // Without `resume` the village is someone else's to leave alone; with it, the load goes on.
    const untouched = await beginDemo(db, { villages: [SLUG] });
    expect(untouched.skipped).toEqual([SLUG]);
    expect((await untouched.finish()).periods).toBe(0);
    const rest = await (await beginDemo(db, { villages: [SLUG], resume: true })).finish();

    const plan = planVillage(DEMO_VILLAGES.find((v) => v.slug === SLUG)!);
    expect(rest.periods).toBe(plan.months.length - STOP_AFTER);
    expect(await months()).toBe(plan.months.length);
    const [written] = await db.select({ n: count() }).from(vouchers).where(eq(vouchers.villageId, villageId));
    expect(written!.n).toBe(plan.months.reduce((n, m) => n + m.vouchers.length, 0));
    const chain = await verifyVillageChain(db, villageId);
    expect(chain, JSON.stringify(chain)).toMatchObject({ ok: true, checked: plan.months.length });
  }, 180_000);

  it('leaves a database with a village that is not the demo’s alone', async () => {
    await aVillage(handle.db, '别人村');
    expect(await demoToLoad(handle.db)).toBeUndefined();
    const present = await handle.db.select({ slug: villages.slug }).from(villages);
    expect(present.map((v) => v.slug)).toContain(SLUG);
    expect(present).toHaveLength(2);
  });
});
