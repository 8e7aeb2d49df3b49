// verifyChain looks cheap (a boolean, a number, a list) and recomputes every published revision of a village: the
// issue's 8 anonymous requests of 30 aliases each cost 240 of 200,000 points and slowed every light query from 5 ms to
// 0.5–2 s for half a minute. Its price now grows with the chain it recomputes, and its answer, which cannot change
// until something it reads changes (a publish), is computed once for every alias and request that asks.
import { describe, expect, it } from 'vitest';
import { VERIFY_CHAIN_COST_PER_REVISION } from '@mingbai/api/statements/chain.service';
import { useTestApi } from '../support/api.ts';
import { aMonth, aVillage, aVoucher, credit, debit } from '../support/builders.ts';

const t = useTestApi();

interface Verified {
  data?: Record<string, { ok: boolean; checked: number }>;
  errors?: unknown[];
  extensions?: { cost?: { requested: number }; sql?: { statements: number } };
}

const aliases = (n: number) =>
  `query ($v: String!) { ${Array.from({ length: n }, (_, i) => `a${i}: verifyChain(villageSlug: $v) { ok checked }`).join(' ')} }`;

async function publishMonths(villageId: number, months: number[]) {
  for (const month of months) {
    await aMonth(t.handle.db, villageId, 2025, month, [
      aVoucher(1, `2025-${String(month).padStart(2, '0')}-05`, '电费', debit('513', 10_000), credit('102', 10_000)),
    ]);
  }
}

describe('verifyChain', () => {
  it('costs more the longer the chain it recomputes', async () => {
    const village = await aVillage(t.handle.db);
    await publishMonths(village.id, [1]);
    const short = (await t.api.query(aliases(1), { v: village.slug })) as Verified;
    await publishMonths(village.id, [2, 3, 4]);
    const long = (await t.api.query(aliases(1), { v: village.slug })) as Verified;

    expect(short.data?.a0).toEqual({ ok: true, checked: 1 });
    expect(long.data?.a0).toEqual({ ok: true, checked: 4 });
    expect(long.extensions!.cost!.requested - short.extensions!.cost!.requested).toBe(
      3 * VERIFY_CHAIN_COST_PER_REVISION,
    );
  });

  it('is computed once for 30 aliases and for the next request, and again after a publish', async () => {
    const village = await aVillage(t.handle.db);
    await publishMonths(village.id, [1, 2, 3, 4, 5, 6]);
    // A v3 revision is six statements: its vouchers and lines, its frozen flags, supervisors' flags and answers (the
    // review), its attachments; six revisions, 36 statements per verification.
    const one = (await t.api.query(aliases(1), { v: village.slug })) as Verified;
    await publishMonths(village.id, [7]);
    const thirty = (await t.api.query(aliases(30), { v: village.slug })) as Verified;
    const again = (await t.api.query(aliases(30), { v: village.slug })) as Verified;

    expect(thirty.errors).toBeUndefined();
    expect(Object.values(thirty.data!)).toHaveLength(30);
    for (const answer of Object.values(thirty.data!)) expect(answer).toEqual({ ok: true, checked: 7 });
    const verification = one.extensions!.sql!.statements;
    // The thirty share one verification (six statements more for the revision published since); each alias adds
    // only its one look at the chain's state.
    expect(thirty.extensions!.sql!.statements).toBe(verification + 6 + 29);
    // The next request computes nothing: the 30 looks at the state, at most the village's own row.
    expect(again.extensions!.sql!.statements).toBeLessThanOrEqual(31);
    expect(again.data).toEqual(thirty.data);
  });

  it('prices 30 aliases of a 12-month chain by the work they name, not at 1 point each', async () => {
    const village = await aVillage(t.handle.db);
    await publishMonths(village.id, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    const res = (await t.api.query(aliases(30), { v: village.slug })) as Verified;
    expect(res.errors).toBeUndefined();
    // Up front: 30 × (20 declared + 1 for the object); while running: 30 × 12 revisions.
    expect(res.extensions!.cost!.requested).toBe(30 * (20 + 1) + 30 * 12 * VERIFY_CHAIN_COST_PER_REVISION);
  });
});
