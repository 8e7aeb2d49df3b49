import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { open, utimes, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { sql } from 'drizzle-orm';
import { queryRows, type Db } from '@mingbai/db/client';
import { cacheDir, notePruning } from './cache.ts';
import { copyCsvRow, UTF8_BOM } from './csv.ts';
import { FILE_FORMAT, LINE_FIELDS, type SelectedPeriod, type Selection } from './export-sql.ts';
import { attachmentRows, digestInputRows } from './digest-inputs.ts';
import { fragmentedLines } from './fragments.ts';
import { flagRows, statementRows } from './sources.ts';

export const OPEN_DATA_FILES = [
  'lines.csv',
  'lines.jsonl',
  'statements.csv',
  'flags.csv',
  'digests.jsonl',
  'attachments.csv',
] as const;
export type OpenDataFile = (typeof OPEN_DATA_FILES)[number];

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
    digestFormat: string;
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
  code: string;
}

const toSelected = (r: PeriodDbRow): SelectedPeriod => ({
  villageId: r.village_id,
  revision: r.revision,
  digest: r.digest,
  lineCount: r.line_count ?? 0,
  code: r.code,
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
        previous_digest: string | null;
        chain_seq: number;
        published_at: string;
        digest_format: string;
      }
    >(
      db,
      sql`select p.village_id, p.revision, p.digest, p.line_count, vi.slug, vi.name, vi.code, p.previous_digest,
                 p.chain_seq,
                 coalesce(p.digest_format, case when p.approved_by is null then 'mingbai-period-v1'
                                                else 'mingbai-period-v2' end) as digest_format,
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
        digestFormat: row.digest_format,
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
  // Each village's latest published revision in one pass over the month's periods (a `not exists` read them twice).
  const rows = await queryRows<PeriodDbRow>(
    db,
    sql`select * from (
          select distinct on (p.village_id) p.village_id, p.revision, p.digest, p.line_count, vi.code
            from periods p
            join villages vi on vi.id = p.village_id
            ${
              region
                ? sql`join regions t on t.id = vi.town_id
                      left join regions d on d.id = t.parent_id`
                : sql``
            }
           where p.status = 'published' and p.year = ${year} and p.month = ${month}
             ${region ? sql`and ${region.id} in (t.id, d.id, d.parent_id)` : sql``}
           order by p.village_id, p.revision desc) latest
         order by latest.code`,
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

/**
 * The file's bytes from the database. Line files are their header and then every village month's fragment
 * (fragments.ts): made once, by COPY on PostgreSQL or keyset pages on PGlite, and reused by every later file.
 */
function databaseSource(db: Db, selection: Selection, file: OpenDataFile): Readable {
  if (file === 'statements.csv') {
    return Readable.from(statementRows(db, selection, UTF8_BOM), { objectMode: false, highWaterMark: 1 << 20 });
  }
  if (file === 'flags.csv') {
    return Readable.from(flagRows(db, selection, UTF8_BOM), { objectMode: false, highWaterMark: 1 << 20 });
  }
  if (file === 'digests.jsonl') {
    return Readable.from(digestInputRows(db, selection), { objectMode: false, highWaterMark: 1 << 20 });
  }
  if (file === 'attachments.csv') {
    return Readable.from(attachmentRows(db, selection, UTF8_BOM), { objectMode: false, highWaterMark: 1 << 20 });
  }
  const format = file === 'lines.csv' ? 'csv' : 'jsonl';
  const header = format === 'csv' ? UTF8_BOM + copyCsvRow(LINE_FIELDS.map((f) => f.name)) : '';
  async function* withHeader(): AsyncGenerator<Buffer> {
    if (header) yield Buffer.from(header, 'utf8');
    yield* fragmentedLines(db, selection, format);
  }
  return Readable.from(withHeader(), { objectMode: false, highWaterMark: 1 << 20 });
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
