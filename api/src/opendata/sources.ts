/**
 * The bytes of export-sql.ts's queries as the files hold them: `COPY … TO STDOUT` on PostgreSQL (the server formats
 * the CSV, the API only moves bytes), keyset pages formatted by csv.ts on PGlite (it has no streaming). Memory stays
 * flat either way.
 */
import type { Readable } from 'node:stream';
import { sql } from 'drizzle-orm';
import { driverOf, queryRows, type Db } from '@mingbai/db/client';
import { publicReviewName, publicReviewText } from '@mingbai/db/ledger/privacy';
import { ruleFlagKey, supervisorFlagKey } from '@mingbai/db/ledger/flag-keys';
import { RULES, type RuleCode } from '@mingbai/db/ledger/red-flag-rules';
import { copyCsvRow } from './csv.ts';
import {
  copyQuery,
  FLAG_FIELDS,
  flagAnswersQuery,
  flagsQuery,
  LINE_FIELDS,
  linesQuery,
  STATEMENT_FIELDS,
  statementsQuery,
  type LineFormat,
  type SelectedPeriod,
  type Selection,
} from './export-sql.ts';

interface PostgresQuery {
  readable(): Promise<Readable>;
  cancel(): void;
}
interface PostgresClient {
  unsafe(query: string): PostgresQuery;
}
interface PgliteClient {
  query<T>(query: string, params?: unknown[], options?: { rowMode?: 'array' | 'object' }): Promise<{ rows: T[] }>;
}

type Engine = { kind: 'postgres'; client: PostgresClient } | { kind: 'pglite'; client: PgliteClient };

function engineOf(db: Db): Engine {
  // The engine the database was opened with (openDb), and its driver's client.
  const driver = driverOf(db);
  return driver.engine === 'postgres'
    ? { kind: 'postgres', client: driver.client as unknown as PostgresClient }
    : { kind: 'pglite', client: driver.client as PgliteClient };
}

/**
 * How many of these queries are worth running at once: two on PostgreSQL (one formats while the other's rows are cut
 * and sent), one on PGlite, which runs one query at a time whatever it is given.
 */
export function queriesAtOnce(db: Db): number {
  return engineOf(db).kind === 'postgres' ? 2 : 1;
}

/** Every line of the selected village months, in file order, without a header. */
export function lineRows(db: Db, selection: Selection, format: LineFormat): AsyncGenerator<Buffer> {
  const engine = engineOf(db);
  return engine.kind === 'postgres'
    ? copyChunks(engine.client, copyQuery(linesQuery(selection, format), format === 'csv' ? 'csv-rows' : format))
    : pagedLines(engine.client, selection, format);
}

/** statements.csv whole, header included, after `prefix` (the BOM). */
export async function* statementRows(db: Db, selection: Selection, prefix: string): AsyncGenerator<Buffer> {
  const engine = engineOf(db);
  yield Buffer.from(prefix, 'utf8');
  if (engine.kind === 'postgres') {
    yield* copyChunks(engine.client, copyQuery(statementsQuery(selection), 'statements'));
    return;
  }
  yield Buffer.from(copyCsvRow(STATEMENT_FIELDS.map((f) => f.name)));
  for (let i = 0; i < selection.periods.length; i += STATEMENTS_PER_PAGE) {
    const part = { ...selection, periods: selection.periods.slice(i, i + STATEMENTS_PER_PAGE) };
    const { rows } = await engine.client.query<unknown[]>(statementsQuery(part), [], { rowMode: 'array' });
    yield Buffer.from(rows.map((r) => copyCsvRow(r)).join(''));
  }
}

interface FlagDbRow {
  village_code: string;
  village_slug: string;
  village_name: string;
  year: number;
  month: number;
  revision: number;
  source: 'RULE' | 'SUPERVISOR';
  rule_code: string;
  voucher_number: number | null;
  amount_fen: string | null;
  detail: string;
  raised_by: string | null;
  supervisor_id: number | null;
}

interface AnswerDbRow {
  village_code: string;
  revision: number;
  flag_key: string;
  body: string;
  author: string;
  answered_at: string;
}

/** A text cell as export-sql.ts's `neutralised` writes it: = + - @ (and tab, CR) at the start cannot start a formula. */
const neutralise = (value: string | null): string | null =>
  value !== null && /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;

const TITLES = new Map<string, string>([...RULES.map((r) => [r.code, r.title] as const), ['SUPERVISOR', '监督员存疑']]);

/**
 * flags.csv whole, header included, after `prefix` (the BOM): every red flag of the selected revisions with its
 * answer, people and their words in their public form (`publicReviewName`, `publicReviewText`, as the API shows them), so it is written here rather than by COPY. Flags are
 * few (a handful per village month): two queries per page of villages.
 */
export async function* flagRows(db: Db, selection: Selection, prefix: string): AsyncGenerator<Buffer> {
  yield Buffer.from(prefix + copyCsvRow(FLAG_FIELDS.map((f) => f.name)), 'utf8');
  for (let i = 0; i < selection.periods.length; i += STATEMENTS_PER_PAGE) {
    const part = { ...selection, periods: selection.periods.slice(i, i + STATEMENTS_PER_PAGE) };
    const flags = await queryRows<FlagDbRow>(db, sql.raw(flagsQuery(part)));
    if (flags.length === 0) continue;
    const answers = new Map(
      (await queryRows<AnswerDbRow>(db, sql.raw(flagAnswersQuery(part)))).map((a) => [
        `${a.village_code}:${a.revision}:${a.flag_key}`,
        a,
      ]),
    );
    const rows = flags.map((f) => {
      const key =
        f.source === 'SUPERVISOR'
          ? supervisorFlagKey(f.supervisor_id!)
          : ruleFlagKey(f.rule_code as RuleCode, f.voucher_number);
      const a = answers.get(`${f.village_code}:${f.revision}:${key}`);
      return copyCsvRow([
        f.village_code,
        neutralise(f.village_slug),
        neutralise(f.village_name),
        f.year,
        f.month,
        f.revision,
        key,
        f.source,
        f.rule_code,
        TITLES.get(f.rule_code) ?? f.rule_code,
        f.voucher_number,
        f.amount_fen,
        neutralise(f.raised_by === null ? f.detail : publicReviewText(f.detail)),
        f.raised_by === null ? null : neutralise(publicReviewName(f.raised_by)),
        a ? neutralise(publicReviewText(a.body)) : null,
        a ? neutralise(publicReviewName(a.author)) : null,
        a?.answered_at ?? null,
      ]);
    });
    yield Buffer.from(rows.join(''), 'utf8');
  }
}

/** How far a COPY may read ahead of its consumer before it waits. */
const COPY_AHEAD_BYTES = 32 << 20;
/** COPY sends one message per row: gathered into large chunks, the hash, file and socket see few writes. */
const COPY_CHUNK_BYTES = 256 * 1024;

/**
 * One COPY's output in chunks of COPY_CHUNK_BYTES. A consumer that stops (a client hanging up) must not leave a
 * pooled connection paused mid-COPY (postgres.js pauses its socket when the stream is full): the query is cancelled
 * and drained.
 */
async function* copyChunks(client: PostgresClient, query: string): AsyncGenerator<Buffer> {
  const reader = new CopyReader(client, query);
  try {
    yield* reader.chunks();
  } finally {
    reader.abandon();
  }
}

/** One COPY, read as soon as it starts, up to COPY_AHEAD_BYTES ahead of its reader. */
class CopyReader {
  private readonly query: PostgresQuery;
  private stream: Readable | undefined;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private ended = false;
  private abandoned = false;
  private error: unknown;
  private wake: (() => void) | undefined;

  constructor(client: PostgresClient, query: string) {
    this.query = client.unsafe(query);
    this.query
      .readable()
      .then((stream) => {
        this.stream = stream;
        if (this.abandoned) {
          this.drain();
          return;
        }
        stream.on('data', (row: Buffer) => {
          this.pending.push(row);
          this.pendingBytes += row.length;
          if (this.pendingBytes >= COPY_AHEAD_BYTES) stream.pause();
          if (this.pendingBytes >= COPY_CHUNK_BYTES) this.signal();
        });
        stream.once('end', () => {
          this.ended = true;
          this.signal();
        });
        stream.once('error', (error) => this.fail(error));
      })
      .catch((error: unknown) => this.fail(error));
  }

  private fail(error: unknown) {
    this.ended = true;
    this.error = error ?? new Error('COPY failed');
    this.signal();
  }

  private signal() {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private take(): Buffer {
    const chunk = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    if (this.stream?.isPaused() && !this.ended) this.stream.resume();
    return chunk;
  }

  async *chunks(): AsyncGenerator<Buffer> {
    for (;;) {
      if (this.error !== undefined) throw this.error;
      if (this.pendingBytes >= COPY_CHUNK_BYTES || (this.ended && this.pendingBytes > 0)) {
        yield this.take();
        continue;
      }
      if (this.ended) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  abandon() {
    if (this.abandoned || this.ended) return;
    this.abandoned = true;
    this.query.cancel();
    if (this.stream) this.drain();
  }

  private drain() {
    const stream = this.stream!;
    stream.removeAllListeners('data');
    stream.on('data', () => {});
    stream.on('error', () => {});
    stream.resume();
  }
}

/** Lines per query on PGlite: a page's rows are all in memory at once, so they are few. */
const PAGE_LINES = 5_000;
const PAGE_VOUCHERS = 500;
const STATEMENTS_PER_PAGE = 1_000;

async function* pagedLines(client: PgliteClient, selection: Selection, format: LineFormat): AsyncGenerator<Buffer> {
  const array = { rowMode: 'array' as const };
  const write = (rows: unknown[][]) =>
    Buffer.from(
      format === 'csv'
        ? rows.map((r) => copyCsvRow(r.slice(0, LINE_FIELDS.length))).join('')
        : rows.map((r) => `${String(r[0])}\n`).join(''),
    );
  // Small village months go several to a query; a big one alone, a few thousand vouchers at a time.
  let batch: SelectedPeriod[] = [];
  let batchLines = 0;
  const flush = async () => {
    const { rows } = await client.query<unknown[]>(linesQuery({ ...selection, periods: batch }, format), [], array);
    batch = [];
    batchLines = 0;
    return write(rows);
  };
  for (const period of selection.periods) {
    if (period.lineCount > PAGE_LINES) {
      if (batch.length > 0) yield await flush();
      let afterNumber = 0;
      for (;;) {
        const page = { afterNumber, vouchers: PAGE_VOUCHERS };
        const { rows } = await client.query<unknown[]>(
          linesQuery({ ...selection, periods: [period] }, format, page),
          [],
          array,
        );
        if (rows.length === 0) break;
        yield write(rows);
        afterNumber = Number(rows[rows.length - 1]![rows[0]!.length - 1]);
      }
      continue;
    }
    if (batchLines + period.lineCount > PAGE_LINES && batch.length > 0) yield await flush();
    batch.push(period);
    batchLines += period.lineCount;
  }
  if (batch.length > 0) yield await flush();
}
