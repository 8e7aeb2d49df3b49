// `pnpm restore` runs this on the restored database: every village's digest chain recomputed from its vouchers.
// DATABASE_URL (or PGLITE_DIR) names the database. Prints one JSON report; exits 1 when any chain is broken.
import { openDb } from '../db/src/client.ts';
import { verifyVillageChain } from '../db/src/ledger/verify.ts';
import { villages } from '../db/src/schema/regions.ts';

const handle = await openDb({
  databaseUrl: process.env.DATABASE_URL?.trim() || undefined,
  pgliteDir: process.env.PGLITE_DIR?.trim() || undefined,
  poolSize: 2,
});
try {
  const all = (await handle.db.select({ id: villages.id, slug: villages.slug }).from(villages)).sort(
    (a, b) => a.id - b.id,
  );
  let published = 0;
  const broken: { slug: string; breaks: unknown[] }[] = [];
  for (const village of all) {
    const report = await verifyVillageChain(handle.db, village.id);
    published += report.checked;
    if (!report.ok) broken.push({ slug: village.slug, breaks: report.breaks });
  }
  console.log(JSON.stringify({ ok: broken.length === 0, villages: all.length, publishedRevisions: published, broken }));
  if (broken.length > 0) process.exitCode = 1;
} finally {
  await handle.close();
}
