// An uploaded file into the ledger: kept byte for byte, then its vouchers posted into the month's open revision, all
// in one transaction under the village's ledger lock. The caller (the API's import service, for the API and the CLI)
// reads and checks the file; everything written is written here. On PostgreSQL the file and the vouchers go in by
// COPY, and the file is stored while it is read; on PGlite by INSERT (see `importWritesByCopy`).
import { and, eq, sql } from 'drizzle-orm';
import {
  engineOf,
  queryRows,
  transactionWithConnection,
  type Db,
  type DbOrTx,
  type PgConnection,
  type Tx,
} from '../client.ts';
import { vouchers } from '../schema/ledger.ts';
import { importedFiles } from '../schema/records.ts';
import { appendAudit } from './audit.ts';
import { latestRevision, lockVillageLedger, openPeriod, type PeriodKey } from './periods.ts';
import { copyImportedFile, copyVoucherSpool, postVouchers } from './post.ts';
import type { SpooledVouchers } from './spool.ts';
import type { VoucherInput } from './voucher-input.ts';

/** The uploaded file as it is kept: who uploaded it, and its bytes, readable as often as needed. */
export interface UploadedFile {
  villageId: number;
  sha256: string;
  sizeBytes: number;
  filename: string;
  mediaType: string;
  uploadedBy: string;
  chunks(): AsyncIterable<Uint8Array>;
}

/** What a checked file writes into a month. */
export interface ImportWrite {
  key: PeriodKey;
  /** replace: the file is the whole month (the open revision's vouchers go first); append: added to them. */
  mode: 'replace' | 'append';
  /** Spooled on disk (when `importWritesByCopy`), or held in memory, numbered by ordinal with `numberOf`. */
  vouchers: { spool: SpooledVouchers } | { held: VoucherInput[] };
  numberOf(ordinal: number): number;
  /** What the audit log's `import.commit` entry says of the file, beside what the ledger adds. */
  details: Record<string, unknown>;
}

/** The caller's verdict on a read file: a report alone (nothing is written), or a report and what to write. */
export type ImportCheck<R> = { report: R; write?: ImportWrite | undefined };

export type ImportResult<R> =
  /** The file was refused, previewed or found already imported by `check`: nothing was written. */
  | { status: 'checked'; report: R }
  /** The same bytes were imported into the month's latest revision meanwhile (a concurrent upload): nothing changed. */
  | { status: 'already_imported'; report: R; importId: number }
  | { status: 'committed'; report: R; revision: number; importId: number };

/**
 * Whether an import on this database writes by COPY (PostgreSQL: the vouchers are spooled to disk while the file is
 * read, and the file is stored while it is parsed) or by INSERT (PGlite: the vouchers are held in memory). PGlite can
 * COPY only from a whole in-memory Blob (`/dev/blob`), which for a large file costs more memory than the INSERT
 * chunks, and its FROM STDIN does not stream; so the path is chosen by the engine the handle says.
 */
export function importWritesByCopy(db: Db): boolean {
  return engineOf(db) === 'postgres';
}

/**
 * Reads, checks and writes one uploaded file. `read` parses it (on PostgreSQL while the file is being stored, in the
 * transaction); `check` judges what was read against the database as the import sees it (the same transaction on
 * PostgreSQL, before it on PGlite) and says what to write, if anything. A check that writes nothing rolls the stored
 * file back: nothing of a refused file stays.
 */
export async function importFile<P, R>(
  db: Db,
  input: {
    file: UploadedFile;
    read: () => Promise<P>;
    check: (db: DbOrTx, read: P) => Promise<ImportCheck<R>>;
    onPhase?: ((phase: string) => void) | undefined;
  },
): Promise<ImportResult<R>> {
  const { file } = input;
  const phase = input.onPhase ?? (() => {});
  if (!importWritesByCopy(db)) {
    const { report, write } = await input.check(db, await input.read());
    if (!write) return { status: 'checked', report };
    return db.transaction(async (tx) => {
      await lockVillageLedger(tx, file.villageId);
      const again = await importedIntoLatest(tx, write.key, file.sha256);
      if (again !== undefined) return { status: 'already_imported', report, importId: again };
      // The same bytes may be kept already (imported into an earlier revision, or replaced since): kept once.
      let importId = await storedFile(tx, file.villageId, file.sha256);
      if (importId === undefined) {
        const { chunks, ...row } = file;
        const parts: Uint8Array[] = [];
        for await (const chunk of chunks()) parts.push(chunk);
        const [inserted] = await tx
          .insert(importedFiles)
          .values({ ...row, content: Buffer.concat(parts) })
          .returning({ id: importedFiles.id });
        importId = Number(inserted!.id);
      }
      phase('file');
      return { status: 'committed', report, ...(await writeVouchers(tx, undefined, write, file, importId, phase)) };
    });
  }

  // PostgreSQL: the file is kept (COPY, by PostgreSQL) while it is read (by the caller), in the transaction that then
  // writes the vouchers; a file with problems rolls it back, so nothing of it stays.
  try {
    return await transactionWithConnection(db, async (tx, connection) => {
      await lockVillageLedger(tx, file.villageId);
      const kept = await storedFile(tx, file.villageId, file.sha256);
      const stored = kept === undefined ? copyImportedFile(connection, file) : Promise.resolve(kept);
      stored.catch(() => {});
      let read: P;
      try {
        read = await input.read();
      } finally {
        await stored.catch(() => {});
      }
      const importId = await stored;
      phase('file');
      const { report, write } = await input.check(tx, read);
      if (!write) throw new RolledBack(report);
      return { status: 'committed', report, ...(await writeVouchers(tx, connection, write, file, importId, phase)) };
    });
  } catch (error) {
    if (error instanceof RolledBack) return { status: 'checked', report: error.report as R };
    throw error;
  }
}

/** Ends the import's transaction without writing anything, with the report to give. */
class RolledBack extends Error {
  constructor(readonly report: unknown) {
    super('import rolled back');
  }
}

/** The vouchers and the audit entry, in the transaction that holds the village's ledger lock. */
async function writeVouchers(
  tx: Tx,
  connection: PgConnection | undefined,
  write: ImportWrite,
  file: UploadedFile,
  importId: number,
  phase: (phase: string) => void,
): Promise<{ revision: number; importId: number }> {
  const { key } = write;
  const actor = file.uploadedBy;
  const latest = await latestRevision(tx, key);
  const revision = latest?.status === 'open' ? latest.revision : (await openPeriod(tx, { ...key, actor })).revision;
  if (write.mode === 'replace') {
    await tx
      .delete(vouchers)
      .where(
        and(
          eq(vouchers.villageId, key.villageId),
          eq(vouchers.year, key.year),
          eq(vouchers.month, key.month),
          eq(vouchers.revision, revision),
        ),
      );
  }
  phase('replace');
  const target = { ...key, revision, actor, importId };
  if ('spool' in write.vouchers) {
    if (!connection) throw new Error('spooled vouchers are written by COPY, on PostgreSQL');
    await copyVoucherSpool(tx, connection, {
      ...target,
      spool: write.vouchers.spool,
      numberOf: write.numberOf,
      onPhase: phase,
    });
  } else {
    const list = write.vouchers.held.map((v, i) => ({ ...v, number: write.numberOf(i) }));
    await postVouchers(tx, { ...target, vouchers: list });
  }
  phase('vouchers');
  await appendAudit(tx, {
    villageId: key.villageId,
    actor,
    action: 'import.commit',
    entity: 'period',
    entityKey: `${key.year}-${key.month}#${revision}`,
    importId,
    details: { sha256: file.sha256, filename: file.filename, ...write.details, mode: write.mode },
  });
  return { revision, importId };
}

/** The id under which these exact bytes are kept for the village, if they are. */
async function storedFile(db: DbOrTx, villageId: number, sha256: string): Promise<number | undefined> {
  const [row] = await queryRows<{ id: number }>(
    db,
    sql`select id from imported_files where village_id = ${villageId} and sha256 = ${sha256}`,
  );
  return row ? Number(row.id) : undefined;
}

/**
 * The file's id when these exact bytes were imported into the month's latest revision and its vouchers from them are
 * still there: then the same file again changes nothing. Into a correction (a new revision, whose vouchers are copies
 * of the last one's, import ids and all) the same file imports again; so it does after another file replaced it.
 */
export async function importedIntoLatest(db: DbOrTx, key: PeriodKey, sha256: string): Promise<number | undefined> {
  const [row] = await queryRows<{ id: number }>(
    db,
    sql`with latest as (
          select p.revision from periods p
           where p.village_id = ${key.villageId} and p.year = ${key.year} and p.month = ${key.month}
           order by p.revision desc limit 1)
        select f.id from imported_files f, latest
         where f.village_id = ${key.villageId} and f.sha256 = ${sha256}
           and exists (select 1 from audit_log a
                        where a.village_id = f.village_id and a.action = 'import.commit' and a.import_id = f.id
                          and a.entity = 'period'
                          and a.entity_key = ${`${key.year}-${key.month}#`} || latest.revision::text)
           and exists (select 1 from vouchers v
                        where v.village_id = f.village_id and v.year = ${key.year} and v.month = ${key.month}
                          and v.revision = latest.revision and v.import_id = f.id)`,
  );
  return row ? Number(row.id) : undefined;
}
