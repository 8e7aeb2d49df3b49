/**
 * The floor of an import: the rows an import wrote (vouchers and lines of one month), COPY'd again into identical
 * tables with no constraints, indexes or triggers. Run after `pnpm cli import …` on the same database.
 *
 *   DATABASE_URL=postgres://…/mingbai_import_x pnpm exec tsx bench/import/floor.ts --village fucun --month 2026-11
 */
import { parseArgs } from 'node:util';
import { pipeline } from 'node:stream/promises';
import postgres from 'postgres';

const { values } = parseArgs({
  options: { village: { type: 'string', default: 'fucun' }, month: { type: 'string', default: '2026-11' } },
});
const [year, month] = values.month.split('-').map(Number) as [number, number];
const url = process.env.DATABASE_URL;
if (!url) throw new Error('DATABASE_URL is required');
const read = postgres(url, { max: 1, onnotice: () => {} });
const write = postgres(url, { max: 1, onnotice: () => {} });
try {
  const [v] = await read`select id from villages where slug = ${values.village}`;
  const where = `village_id = ${Number(v!.id)} and year = ${year} and month = ${month}`;
  await write.unsafe(`drop table if exists floor_vouchers, floor_voucher_lines`);
  await write.unsafe(`create unlogged table floor_vouchers as select * from vouchers with no data`);
  await write.unsafe(`create unlogged table floor_voucher_lines as select * from voucher_lines with no data`);
  await write.unsafe(`alter table floor_vouchers set logged; alter table floor_voucher_lines set logged`);
  const started = performance.now();
  await write.begin(async (tx) => {
    await pipeline(
      await read.unsafe(`copy (select * from vouchers where ${where}) to stdout`).readable(),
      await tx.unsafe(`copy floor_vouchers from stdin`).writable(),
    );
    await pipeline(
      await read
        .unsafe(
          `copy (select l.* from voucher_lines l where l.village_id = ${Number(v!.id)} and l.voucher_id in (select id from vouchers where ${where})) to stdout`,
        )
        .readable(),
      await tx.unsafe(`copy floor_voucher_lines from stdin`).writable(),
    );
  });
  const seconds = (performance.now() - started) / 1000;
  const [n] = await write`select count(*)::int as lines from floor_voucher_lines`;
  console.log(
    JSON.stringify({
      lines: n!.lines,
      seconds: Math.round(seconds * 100) / 100,
      linesPerSecond: Math.round(n!.lines / seconds),
    }),
  );
  await write.unsafe(`drop table floor_vouchers, floor_voucher_lines`);
} finally {
  await read.end();
  await write.end();
}
