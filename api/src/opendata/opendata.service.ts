import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { open, readdir, rm, stat, utimes, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { sql } from 'drizzle-orm';
import { queryRows, type Db } from '@mingbai/db/client';
import { copyCsvRow, UTF8_BOM } from './csv.ts';
import {
  copyQuery,
  LINE_FIELDS,
  linesQuery,
  STATEMENT_FIELDS,
  statementsQuery,
  type SelectedPeriod,
  type Selection,
} from './export-sql.ts';

export const OPEN_DATA_FILES = ['lines.csv', 'lines.jsonl', 'statements.csv'] as const;
export type OpenDataFile = (typeof OPEN_DATA_FILES)[number];

/** Bumped whenever the bytes of a file would change for the same data, so old cache entries are never served. */
const FILE_FORMAT = 'mingbai-opendata-v1';

export type Scope =
  | { kind: 'village'; slug: string; year: number; month: number; revision?: number | undefined }
  | { kind: 'national'; year: number; month: number }
  | { kind: 'region'; slug: string; year: number; month: number };

export interface ResolvedScope {
  selection: Selection;
  /** Names the file set in URLs and the data package: fucun-2025-01-r2, all-2025-01, xiqing-2025-01. */
  name: string;
  title: string;
  /** A village's revision: it never changes once published. */
  village?: {
    slug: string;
    name: string;
    code: string;
    revision: number;
    previousDigest: string | null;
    chainSeq: number;
    publishedAt: string;
  };
}

export interface FileMeta {
  bytes: number;
  sha256: string;
}

interface PeriodDbRow {
  village_id: number;
  revision: number;
  digest: string;
  line_count: number | null;
}

const toSelected = (r: PeriodDbRow): SelectedPeriod => ({
  villageId: r.village_id,
  revision: r.revision,
  digest: r.digest,
  lineCount: r.line_count ?? 0,
});
const ym = (year: number, month: number) => `${year}-${String(month).padStart(2, '0')}`;

/** What a URL names, as published rows; undefined when nothing published matches. Never an open revision. */
export async function resolveScope(db: Db, scope: Scope): Promise<ResolvedScope | undefined> {
  const { year, month } = scope;
  if (scope.kind === 'village') {
    const [row] = await queryRows<
      PeriodDbRow & {
        slug: string;
        name: string;
        code: string;
        previous_digest: string | null;
        chain_seq: number;
        published_at: string;
      }
    >(
      db,
      sql`select p.village_id, p.revision, p.digest, p.line_count, vi.slug, vi.name, vi.code, p.previous_digest,
                 p.chain_seq,
                 to_char(p.published_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as published_at
            from periods p join villages vi on vi.id = p.village_id
           where vi.slug = ${scope.slug} and p.year = ${year} and p.month = ${month} and p.status = 'published'
             ${scope.revision === undefined ? sql`` : sql`and p.revision = ${scope.revision}`}
           order by p.revision desc
           limit 1`,
    );
    if (!row) return undefined;
    return {
      selection: { year, month, periods: [toSelected(row)] },
      name: `${row.slug}-${ym(year, month)}-r${row.revision}`,
      title: `${row.name} ${year}年${month}月账目明细（第${row.revision}版）`,
      village: {
        slug: row.slug,
        name: row.name,
        code: row.code,
        revision: row.revision,
        previousDigest: row.previous_digest,
        chainSeq: row.chain_seq,
        publishedAt: row.published_at,
      },
    };
  }
  let region: { id: number; name: string; slug: string } | undefined;
  if (scope.kind === 'region') {
    [region] = await queryRows<{ id: number; name: string; slug: string }>(
      db,
      sql`select id, name, slug from regions where slug = ${scope.slug}`,
    );
    if (!region) return undefined;
  }
  const rows = await queryRows<PeriodDbRow>(
    db,
    sql`select p.village_id, p.revision, p.digest, p.line_count
          from periods p
          join villages vi on vi.id = p.village_id
          join regions t on t.id = vi.town_id
          left join regions d on d.id = t.parent_id
         where p.status = 'published' and p.year = ${year} and p.month = ${month}
           and not exists (select 1 from periods q
                            where q.village_id = p.village_id and q.year = p.year and q.month = p.month
                              and q.status = 'published' and q.revision > p.revision)
           ${region ? sql`and ${region.id} in (t.id, d.id, d.parent_id)` : sql``}
         order by vi.code`,
  );
  if (rows.length === 0) return undefined;
  return {
    selection: { year, month, periods: rows.map(toSelected) },
    name: `${region ? region.slug : 'all'}-${ym(year, month)}`,
    title: `${region ? region.name : '全部村'} ${year}年${month}月账目明细`,
  };
}

/**
 * Whether a national or regional month has anything published: what `Query.openData` needs, without listing the
 * villages. Stops at the first published village month.
 */
export async function hasPublished(db: Db, scope: Extract<Scope, { kind: 'national' | 'region' }>): Promise<boolean> {
  const { year, month } = scope;
  const rows =
    scope.kind === 'national'
      ? await queryRows<{ found: number }>(
          db,
          sql`select 1 as found from periods p
               where p.status = 'published' and p.year = ${year} and p.month = ${month}
               limit 1`,
        )
      : await queryRows<{ found: number }>(
          db,
          sql`select 1 as found
                from villages vi
                join regions t on t.id = vi.town_id
                left join regions d on d.id = t.parent_id
                join periods p on p.village_id = vi.id and p.year = ${year} and p.month = ${month}
                              and p.status = 'published'
               where (select r.id from regions r where r.slug = ${scope.slug}) in (t.id, d.id, d.parent_id)
               limit 1`,
        );
  return rows.length > 0;
}

/** The cache key: the exact (village, revision, digest) set a file holds, so a published file never goes stale. */
export function fileKey(selection: Selection, file: OpenDataFile): string {
  const hash = createHash('sha256');
  hash.update(`${FILE_FORMAT}\n${file}\n${selection.year}-${selection.month}\n`);
  for (const p of selection.periods) hash.update(`${p.villageId}:${p.revision}:${p.digest}\n`);
  return hash.digest('hex');
}

/**
 * Where generated files are kept. MINGBAI_OPENDATA_DIR is read here rather than in config.ts because the HTTP hook
 * receives only the database; it is read on each use so tests can point it at a folder of their own.
 */
function cacheDir(): string {
  return process.env.MINGBAI_OPENDATA_DIR?.trim() || join(tmpdir(), 'mingbai-opendata');
}

function cachePath(key: string, file: OpenDataFile): string {
  return join(cacheDir(), key.slice(0, 2), `${key}.${file}`);
}

export function cachedMeta(key: string, file: OpenDataFile): FileMeta | undefined {
  try {
    return JSON.parse(readFileSync(`${cachePath(key, file)}.meta.json`, 'utf8')) as FileMeta;
  } catch {
    return undefined;
  }
}

const generating = new Map<string, Promise<FileMeta>>();

/**
 * Sends a file into `sink`: from the cache when it is there, else straight from the database, writing the cache on
 * the way unless another request already is. Memory stays flat either way: bytes flow with backpressure.
 */
export async function streamFile(db: Db, selection: Selection, file: OpenDataFile, sink: Writable): Promise<void> {
  const key = fileKey(selection, file);
  if (cachedMeta(key, file)) {
    const cached = await openCached(key, file);
    if (cached) {
      await pipeline(cached.createReadStream({ highWaterMark: 1 << 20 }), sink);
      return;
    }
  }
  if (generating.has(key)) {
    await pipeline(databaseSource(db, selection, file), sink);
    return;
  }
  const tee = cacheWriter(key, file);
  await pipeline(databaseSource(db, selection, file), tee, sink);
}

/** The cached file, open, and marked as just used; undefined when it was pruned since its metadata was read. */
async function openCached(key: string, file: OpenDataFile): Promise<FileHandle | undefined> {
  const path = cachePath(key, file);
  try {
    const handle = await open(path, 'r');
    const now = new Date();
    utimes(path, now, now).catch(() => {});
    return handle;
  } catch {
    return undefined;
  }
}

/** Makes sure the file is in the cache (for the data package, which must state every file's size and hash). */
export async function ensureCached(db: Db, selection: Selection, file: OpenDataFile): Promise<FileMeta> {
  const key = fileKey(selection, file);
  const cached = cachedMeta(key, file);
  if (cached) return cached;
  const running = generating.get(key);
  if (running) {
    try {
      return await running;
    } catch {
      // that request's client hung up before the end: make the file here
    }
  }
  const tee = cacheWriter(key, file);
  await pipeline(
    databaseSource(db, selection, file),
    tee,
    new Writable({
      write: (_chunk, _encoding, callback) => callback(),
    }),
  );
  return tee.done;
}

/** Passes bytes through while writing them to a temporary file, hashed; renamed into the cache only when complete. */
function cacheWriter(key: string, file: OpenDataFile): Transform & { done: Promise<FileMeta> } {
  const final = cachePath(key, file);
  mkdirSync(join(final, '..'), { recursive: true });
  const temp = `${final}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const out = createWriteStream(temp);
  const hash = createHash('sha256');
  let bytes = 0;
  let complete = false;
  let settle!: { resolve: (meta: FileMeta) => void; reject: (error: unknown) => void };
  const done = new Promise<FileMeta>((resolve, reject) => (settle = { resolve, reject }));
  done.catch(() => {}); // awaited by whoever needs it; an abandoned download is not an error
  generating.set(key, done);
  const forget = () => {
    if (generating.get(key) === done) generating.delete(key);
  };
  const tee = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      bytes += chunk.length;
      if (out.write(chunk)) callback(null, chunk);
      else out.once('drain', () => callback(null, chunk));
    },
    flush(callback) {
      out.end(() => {
        try {
          const meta: FileMeta = { bytes, sha256: hash.digest('hex') };
          renameSync(temp, final);
          writeFileSync(`${temp}.meta`, JSON.stringify(meta));
          renameSync(`${temp}.meta`, `${final}.meta.json`);
          complete = true;
          forget();
          settle.resolve(meta);
          notePruning(meta.bytes);
          callback();
        } catch (error) {
          callback(error as Error);
        }
      });
    },
    destroy(error, callback) {
      if (!complete) {
        out.destroy();
        rmSync(temp, { force: true });
        forget();
        settle.reject(error ?? new Error('download abandoned'));
      }
      callback(error);
    },
  });
  // A client hanging up destroys `out` with a write in flight; that error, or a full disk, ends the download here
  // rather than as an unhandled 'error' event that would stop the process.
  out.on('error', (error) => tee.destroy(error));
  return Object.assign(tee, { done });
}

/** The cache's size limit: MINGBAI_OPENDATA_MAX_BYTES, 4 GiB by default. Read on each use, like cacheDir(). */
function cacheLimitBytes(): number {
  const limit = Number(process.env.MINGBAI_OPENDATA_MAX_BYTES?.trim() || 4 * 1024 ** 3);
  return Number.isFinite(limit) && limit > 0 ? limit : 4 * 1024 ** 3;
}

/** Bytes known to be in each cache folder since it was last scanned, so most writes need no scan. */
const knownCacheBytes = new Map<string, number>();
let pruning: Promise<void> | undefined;
/** A temporary file this old belongs to a process that died mid-write. */
const STALE_TEMP_MS = 6 * 60 * 60 * 1000;

/**
 * Every new publication makes new national and regional file keys, and superseded files are never asked for again:
 * once the folder outgrows its limit, the least recently used files go (a cache hit touches its file) until it fits.
 */
function notePruning(addedBytes: number): void {
  const dir = cacheDir();
  const known = knownCacheBytes.get(dir);
  if (known !== undefined && known + addedBytes <= cacheLimitBytes()) {
    knownCacheBytes.set(dir, known + addedBytes);
    return;
  }
  if (pruning) return;
  pruning = pruneCache(dir, cacheLimitBytes())
    .catch((error: unknown) => console.error('open data cache pruning failed', error))
    .finally(() => (pruning = undefined));
}

/** Removes the least recently used files until the folder holds at most `limitBytes`; resolves when done. */
export async function pruneCache(dir = cacheDir(), limitBytes = cacheLimitBytes()): Promise<void> {
  interface Entry {
    data: string;
    meta: string;
    bytes: number;
    usedMs: number;
  }
  const entries: Entry[] = [];
  let total = 0;
  const now = Date.now();
  for (const sub of await readdir(dir).catch(() => [] as string[])) {
    const folder = join(dir, sub);
    for (const name of await readdir(folder).catch(() => [] as string[])) {
      const path = join(folder, name);
      if (name.endsWith('.meta.json')) continue;
      const info = await stat(path).catch(() => undefined);
      if (!info?.isFile()) continue;
      if (name.endsWith('.tmp') || name.endsWith('.meta')) {
        if (now - info.mtimeMs > STALE_TEMP_MS) await rm(path, { force: true });
        continue;
      }
      entries.push({ data: path, meta: `${path}.meta.json`, bytes: info.size, usedMs: info.mtimeMs });
      total += info.size;
    }
  }
  entries.sort((a, b) => a.usedMs - b.usedMs);
  for (const entry of entries) {
    if (total <= limitBytes) break;
    // Metadata first: a request that already read it and finds the file gone makes the file again.
    await rm(entry.meta, { force: true });
    await rm(entry.data, { force: true });
    total -= entry.bytes;
  }
  knownCacheBytes.set(dir, total);
}

/** The file's bytes from the database: COPY on PostgreSQL, keyset pages on PGlite (it has no streaming). */
function databaseSource(db: Db, selection: Selection, file: OpenDataFile): Readable {
  const client = (db as unknown as { $client: unknown }).$client;
  const bom = file.endsWith('.csv') ? UTF8_BOM : '';
  if (typeof client === 'function') {
    let queries: string[];
    if (file === 'statements.csv') {
      queries = [copyQuery(statementsQuery(selection), 'statements')];
    } else {
      const format = file === 'lines.csv' ? 'csv' : 'jsonl';
      queries = copyParts(selection).map((part, i) =>
        copyQuery(linesQuery(part, format), format === 'csv' && i > 0 ? 'csv-rows' : format),
      );
    }
    return Readable.from(orderedCopies(client as unknown as PostgresClient, queries, bom), {
      objectMode: false,
      highWaterMark: 1 << 20,
    });
  }
  return Readable.from(pagedRows(client as PgliteClient, selection, file, bom), { objectMode: false });
}

/** Lines per COPY: a national month goes as a few dozen consecutive village ranges, so two can run at once. */
const COPY_PART_LINES = 25_000;
/** COPY statements running at once: the next range is read into memory while the current one is sent. */
const COPY_STREAMS = 2;
/** How far a range read ahead may run before its COPY waits for its turn. */
const COPY_AHEAD_BYTES = 32 << 20;
/** COPY sends one message per row: gathered into large chunks, the hash, file and socket see few writes. */
const COPY_CHUNK_BYTES = 256 * 1024;

/** The selection cut into consecutive village ranges of about COPY_PART_LINES lines, in file order. */
function copyParts(selection: Selection): Selection[] {
  const parts: Selection[] = [];
  let periods: SelectedPeriod[] = [];
  let lines = 0;
  for (const period of selection.periods) {
    if (periods.length > 0 && lines + period.lineCount > COPY_PART_LINES) {
      parts.push({ ...selection, periods });
      periods = [];
      lines = 0;
    }
    periods.push(period);
    lines += period.lineCount;
  }
  if (periods.length > 0 || parts.length === 0) parts.push({ ...selection, periods });
  return parts;
}

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

/**
 * The output of several COPY … TO STDOUT, one after another, COPY_STREAMS of them running at once. Pulled with
 * backpressure; a consumer that stops (a client hanging up) must not leave pooled connections paused mid-COPY
 * (postgres.js pauses its socket when the stream is full), so every running query is cancelled and drained.
 */
async function* orderedCopies(client: PostgresClient, queries: string[], prefix: string): AsyncGenerator<Buffer> {
  if (prefix) yield Buffer.from(prefix, 'utf8');
  const running: CopyReader[] = [];
  let next = 0;
  const startNext = () => {
    if (next < queries.length) running.push(new CopyReader(client, queries[next++]!));
  };
  try {
    for (let i = 0; i < COPY_STREAMS; i++) startNext();
    while (running.length > 0) {
      yield* running[0]!.chunks();
      running.shift();
      startNext();
    }
  } finally {
    for (const reader of running) reader.abandon();
  }
}

/** One COPY, read as soon as it starts into chunks of COPY_CHUNK_BYTES, up to COPY_AHEAD_BYTES ahead of its reader. */
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

async function* pagedRows(
  client: PgliteClient,
  selection: Selection,
  file: OpenDataFile,
  bom: string,
): AsyncGenerator<Buffer> {
  const array = { rowMode: 'array' as const };
  if (file === 'statements.csv') {
    yield Buffer.from(bom + copyCsvRow(STATEMENT_FIELDS.map((f) => f.name)));
    for (let i = 0; i < selection.periods.length; i += STATEMENTS_PER_PAGE) {
      const part = { ...selection, periods: selection.periods.slice(i, i + STATEMENTS_PER_PAGE) };
      const { rows } = await client.query<unknown[]>(statementsQuery(part), [], array);
      yield Buffer.from(rows.map((r) => copyCsvRow(r)).join(''));
    }
    return;
  }
  const format = file === 'lines.csv' ? 'csv' : 'jsonl';
  const write = (rows: unknown[][]) =>
    Buffer.from(
      format === 'csv'
        ? rows.map((r) => copyCsvRow(r.slice(0, LINE_FIELDS.length))).join('')
        : rows.map((r) => `${String(r[0])}\n`).join(''),
    );
  if (format === 'csv') yield Buffer.from(bom + copyCsvRow(LINE_FIELDS.map((f) => f.name)));
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

export interface CatalogMonth {
  year: number;
  month: number;
  villages: number;
  lines: number;
}

/** Every month some village has published, with how many villages and lines its national files hold. */
export async function catalogMonths(db: Db): Promise<CatalogMonth[]> {
  const rows = await queryRows<{ year: number; month: number; villages: number; lines: string }>(
    db,
    sql`select p.year, p.month, count(*)::int as villages, coalesce(sum(p.line_count), 0)::text as lines
          from periods p
         where p.status = 'published'
           and not exists (select 1 from periods q
                            where q.village_id = p.village_id and q.year = p.year and q.month = p.month
                              and q.status = 'published' and q.revision > p.revision)
         group by p.year, p.month
         order by p.year, p.month`,
  );
  return rows.map((r) => ({ year: r.year, month: r.month, villages: r.villages, lines: Number(r.lines) }));
}

export async function catalogRegions(
  db: Db,
): Promise<{ slug: string; name: string; level: string; code: string; parentSlug: string | null }[]> {
  return queryRows(
    db,
    sql`select r.slug, r.name, r.level, r.code, p.slug as "parentSlug"
          from regions r left join regions p on p.id = r.parent_id order by r.code`,
  );
}
