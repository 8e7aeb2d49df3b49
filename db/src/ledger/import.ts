// An uploaded file into the ledger: kept byte for byte, then its vouchers posted into the month's open revision, all
// in one transaction under the village's ledger lock. The caller (the API's import service, for the API and the CLI)
// reads and checks the file; everything written is written here, by COPY on both engines (FROM STDIN on PostgreSQL,
// streamed; FROM '/dev/blob' on PGlite), the file stored while it is read.
import { and, eq, sql } from 'drizzle-orm';
import {
  engineOf,
  queryRows,
  transactionWithConnection,
  type BulkConnection,
  type Db,
  type DbOrTx,
  type Tx,
} from '../client.ts';
import { vouchers } from '../schema/ledger.ts';
import { appendAudit } from './audit.ts';
import { latestRevision, lockVillageLedger, openPeriod, type PeriodKey } from './periods.ts';
import { copyImportedFile, copyVoucherSpool } from './post.ts';
import type { SpooledVouchers } from './spool.ts';
import { PaymentBook } from './red-flag-engine.ts';

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
  /** Spooled on disk as the file was read, numbered by ordinal with `numberOf`. */
  spool: SpooledVouchers;
  numberOf(ordinal: number): number;
  /** What the audit log's `import.commit` entry says of the file, beside what the ledger adds. */
  details: Record<string, unknown>;
}

/** The caller's verdict on a read file: a report alone (nothing is written), or a report and what to write. */
export type ImportCheck<R> = { report: R; write?: ImportWrite | undefined };

export type ImportResult<R> =
  /** The file was refused, previewed or found already imported by `check`: nothing was written. */
  | { status: 'checked'; report: R }
  | { status: 'committed'; report: R; revision: number; importId: number; payments: PaymentBook | undefined };

/**
 * Reads, checks and writes one uploaded file, in one transaction under the village's ledger lock. `read` parses it
 * (while the file is being stored, on PostgreSQL); `check` judges what was read against the database as the transaction sees it (so
 * two uploads of the same file cannot both pass) and says what to write, if anything. A check that writes nothing
 * rolls the stored file back: nothing of a refused file stays.
 */
export async function importFile<P, R>(
  db: Db,
  input: {
    file: UploadedFile;
    read: () => Promise<P>;
    check: (db: DbOrTx, read: P) => Promise<ImportCheck<R>>;
    /**
     * A rehearsal (a dry run that shows what the month would be): everything is written, then `rehearse` reads what it
     * needs in the same transaction (the red flags) and the transaction is rolled back; the result is 'checked'.
     */
    rehearse?:
      | ((tx: DbOrTx, report: R, written: { revision: number; payments: PaymentBook | undefined }) => Promise<R>)
      | undefined;
    onPhase?: ((phase: string) => void) | undefined;
  },
): Promise<ImportResult<R>> {
  const { file } = input;
  const phase = input.onPhase ?? (() => {});
  // On PostgreSQL the file is kept (COPY, by the server) while it is read (by the caller), in the transaction that
  // then writes the vouchers. PGlite runs one transaction at a time and every other query waits for it, and nothing
  // would overlap there anyway: the file is read before the transaction, checked first in it, and kept (read into
  // memory, for /dev/blob) only once it is known good. A file with problems rolls the transaction back, so nothing of
  // it stays.
  const readFirst = engineOf(db) === 'pglite' ? { value: await input.read() } : undefined;
  try {
    return await transactionWithConnection(db, async (tx, connection) => {
      await lockVillageLedger(tx, file.villageId);
      // The same bytes may be kept already (imported into an earlier revision, or replaced since): kept once.
      const kept = await storedFile(tx, file.villageId, file.sha256);
      const store = () => (kept === undefined ? copyImportedFile(connection, file) : Promise.resolve(kept));
      let checked: ImportCheck<R>;
      let importId: number;
      if (readFirst) {
        checked = await input.check(tx, readFirst.value);
        if (!checked.write) throw new RolledBack(checked.report);
        importId = await store();
        phase('file');
      } else {
        const stored = store();
        stored.catch(() => {});
        let read: P;
        try {
          read = await input.read();
        } finally {
          await stored.catch(() => {});
        }
        importId = await stored;
        phase('file');
        checked = await input.check(tx, read);
      }
      const { report, write } = checked;
      if (!write) throw new RolledBack(report);
      const written = await writeVouchers(tx, connection, write, file, importId, phase);
      if (input.rehearse) throw new RolledBack(await input.rehearse(tx, report, written));
      return { status: 'committed', report, ...written };
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
  connection: BulkConnection,
  write: ImportWrite,
  file: UploadedFile,
  importId: number,
  phase: (phase: string) => void,
): Promise<{ revision: number; importId: number; payments: PaymentBook | undefined }> {
  const { key } = write;
  // The red-flag rules judge the month from payments collected as the vouchers are copied, so judging an upload reads
  // nothing back. Not for an append (the month holds other vouchers too): that month is judged from the database.
  // Whatever the file's size: reading a million lines back held them all in memory at once (the import ran out of its
  // heap), where the collected payments are a few small objects per voucher (red-flag-engine.ts).
  const payments = write.mode === 'replace' ? new PaymentBook() : undefined;
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
  await copyVoucherSpool(tx, connection, {
    ...key,
    revision,
    actor,
    importId,
    spool: write.spool,
    numberOf: write.numberOf,
    onPhase: phase,
    collect: payments,
  });
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
  return { revision, importId, payments };
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
