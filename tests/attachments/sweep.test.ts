// Files stored for an upload whose database write then failed are named by no attachment; the sweep removes them
// (and files of attachments removed since) once older than its grace period, keeping every file a row names. The
// same sweep as `pnpm cli sweep-files`. This file keeps its files in a folder of its own.
import { mkdtempSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { sweepFiles } from '@mingbai/api/attachments/files-sweep';
import { queryRows } from '@mingbai/db/client';
import { currentFilesDir, hasFile, putFile, sha256Hex, useFilesDir } from '@mingbai/db/files/store';
import { useTestApi } from '../support/api.ts';
import { cli } from '../support/cli.ts';
import { aPhoto, aPng } from './images.ts';
import { ATTACH, anOpenMonth, type Attached } from './month.ts';

const t = useTestApi();
const previous = currentFilesDir();
const dir = mkdtempSync(join(tmpdir(), 'mingbai-sweep-'));
beforeAll(() => useFilesDir(dir));
afterAll(() => useFilesDir(previous));

/** Makes a stored file look `hours` old. */
function age(sha256: string, hours: number): void {
  const when = new Date(Date.now() - hours * 3_600_000);
  const path = join(dir, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  utimesSync(path, when, when);
}

describe('sweeping the file store', () => {
  it('removes the files of a failed database write, keeps every file an attachment names', async () => {
    const { as, attachInput, village } = await anOpenMonth(t);
    const accountant = await as('accountant');
    const kept = await accountant<{ attachFile: Attached }>(ATTACH, attachInput(await aPhoto(31), 'kept.jpg'));
    expect(kept.errors).toBeUndefined();
    const [row] = await queryRows<{ thumbnail_sha256: string }>(
      t.handle.db,
      sql`select thumbnail_sha256 from attachments where village_id = ${village.id}`,
    );
    const keptHashes = [kept.data!.attachFile.originalSha256, kept.data!.attachFile.sha256, row!.thumbnail_sha256];

    // The database refuses the row after the files were stored (a failure of the write, made by a trigger).
    const fn = `fail_attach_${village.id}`;
    // One command a statement: PGlite prepares each statement and refuses several commands in one.
    await t.handle.db.execute(
      sql.raw(`create function ${fn}() returns trigger language plpgsql as $$
                 begin raise exception 'the write failed'; end $$`),
    );
    await t.handle.db.execute(
      sql.raw(`create trigger ${fn} before insert on attachments for each row
                 when (new.village_id = ${village.id}) execute function ${fn}()`),
    );
    // A photo: its view and thumbnail differ (a small PNG's would be the same file).
    const png = await aPhoto(33);
    let failed;
    try {
      failed = await accountant(ATTACH, attachInput(png, 'lost.jpg'));
    } finally {
      await t.handle.db.execute(sql.raw(`drop trigger ${fn} on attachments`));
      await t.handle.db.execute(sql.raw(`drop function ${fn}()`));
    }
    expect(failed.errors?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    expect(hasFile(sha256Hex(png))).toBe(true); // stored before the write: the orphan
    expect(await queryRows(t.handle.db, sql`select 1 from attachments where village_id = ${village.id}`)).toHaveLength(
      1,
    );

    // Young files stay whatever names them (an upload may be between its files and its row).
    const young = await sweepFiles(t.handle.db);
    expect(young.removed).toBe(0);
    expect(young.tooYoung).toBe(3); // the orphan's original, view and thumbnail
    expect(hasFile(sha256Hex(png))).toBe(true);

    // An hour later they go; what a row names stays, however old.
    for (const h of keptHashes) age(h, 48);
    const stray = putFile(Buffer.from('not named by anything'));
    age(stray, 2);
    const dry = await sweepFiles(t.handle.db, { graceMs: 0, dryRun: true });
    expect(dry.removed).toBe(4);
    expect(hasFile(sha256Hex(png))).toBe(true);
    const swept = await sweepFiles(t.handle.db, { graceMs: 0 });
    expect(swept).toMatchObject({ removed: 4, kept: 3 });
    expect(hasFile(sha256Hex(png))).toBe(false);
    expect(hasFile(stray)).toBe(false);
    for (const h of keptHashes) expect(hasFile(h)).toBe(true);

    // The file of the failed upload can be attached again: stored anew.
    const again = await accountant<{ attachFile: Attached }>(ATTACH, attachInput(png, 'lost.jpg'));
    expect(again.errors).toBeUndefined();
    expect(hasFile(sha256Hex(png))).toBe(true);
  });

  it('keeps a file an upload is storing again while its old copy waits to be swept', async () => {
    const png = await aPng();
    const sha = putFile(png);
    age(sha, 5);
    putFile(png); // the same bytes uploaded again: its time is refreshed
    const r = await sweepFiles(t.handle.db);
    expect(hasFile(sha)).toBe(true);
    expect(r.tooYoung).toBeGreaterThanOrEqual(1);
  });

  it.skipIf(!inject('databaseUrl'))('runs as pnpm cli sweep-files', async () => {
    const stray = putFile(Buffer.from(`stray ${Date.now()}`));
    age(stray, 3);
    process.env.MINGBAI_FILES_DIR = dir;
    try {
      const dry = await cli('sweep-files', '--dry-run');
      expect(dry.failed).toBe(false);
      expect(dry.report).toMatchObject({ ok: true, dryRun: true });
      expect(dry.report.removed).toBeGreaterThanOrEqual(1);
      expect(hasFile(stray)).toBe(true);
      const done = await cli('sweep-files');
      expect(done.report).toMatchObject({ ok: true, dryRun: false });
      expect(hasFile(stray)).toBe(false);
    } finally {
      delete process.env.MINGBAI_FILES_DIR;
    }
  });
});
