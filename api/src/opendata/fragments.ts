/**
 * Per-village-month fragments of the line files. A published village month's lines are the same bytes in every file
 * that holds them (its own, its town's, its district's, the country's), so they are made once, by the same COPY (or
 * PGlite pages) as before, and kept on disk named by (village, year, month, revision, digest): a correction is a new
 * revision with a new name, and nothing ever goes stale. A national month is then its header followed by some
 * thousands of small file reads, several times faster than PostgreSQL can run the query.
 *
 * A fragment file is a 30-byte header (`MBF1 <length> <crc32>`) and the lines. The CRC is checked on every read, so a
 * damaged or truncated fragment is made again rather than served; it costs a tenth of the SHA-256 the whole file
 * gets anyway.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, rm, utimes, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { sql } from 'drizzle-orm';
import { queryRows, withStatementLog, type Db } from '@mingbai/db/client';
import { cacheDir, FRAGMENTS_FOLDER, notePruning } from './cache.ts';
import { FILE_FORMAT, type LineFormat, type SelectedPeriod, type Selection } from './export-sql.ts';
import { lineRows } from './sources.ts';

const HEADER_BYTES = 30;
const MAGIC = 'MBF1';
/** Lines per generating query: a national month's missing fragments go as a few dozen consecutive batches. */
const RUN_LINES = 25_000;
/** Generating queries running at once (the machine's cores are shared with PostgreSQL). */
const RUNS_AT_ONCE = 2;
/** Batches started but not yet sent: their fragments wait in memory, so this bounds the memory of a cold export. */
const RUNS_AHEAD = 3;
/** Fragment reads in flight ahead of the one being sent. */
const READS_AHEAD = 32;
/** A fragment larger than this is never held in memory whole: it is written and read in pieces. */
const FRAGMENT_MEMORY_BYTES = 1 << 20;
/** What the file stream is given at a time: fragments gathered, so the hash, file and socket see few writes. */
const OUTPUT_CHUNK_BYTES = 1 << 20;
/** A fragment read is recorded as a use (for pruning) at most this often. */
const TOUCH_AFTER_MS = 10 * 60 * 1000;

const ym = (year: number, month: number) => `${year}-${String(month).padStart(2, '0')}`;

function monthFolder(year: number, month: number): string {
  return join(cacheDir(), FRAGMENTS_FOLDER, FILE_FORMAT, ym(year, month));
}

/** Digests are hex; anything else is kept out of file names. */
function fragmentName(period: SelectedPeriod, format: LineFormat): string {
  const digest = /^[0-9a-f]{1,128}$/.test(period.digest) ? period.digest : Buffer.from(period.digest).toString('hex');
  return `${period.villageId}-r${period.revision}-${digest.slice(0, 128)}.${format}`;
}

function header(bytes: number, crc: number): Buffer {
  const text = `${MAGIC} ${String(bytes).padStart(15, '0')} ${crc.toString(16).padStart(8, '0')}\n`;
  return Buffer.from(text, 'latin1');
}

function parseHeader(buf: Buffer): { bytes: number; crc: number } | undefined {
  const m = /^MBF1 (\d{15}) ([0-9a-f]{8})\n$/.exec(buf.subarray(0, HEADER_BYTES).toString('latin1'));
  return m ? { bytes: Number(m[1]), crc: parseInt(m[2]!, 16) } : undefined;
}

/** A fragment too large to hold: sent from its file in pieces. */
const LARGE = Symbol('large');
type Piece = Buffer | typeof LARGE | undefined;

/** A small fragment's lines, checked; LARGE for a big one; undefined when missing or damaged. */
async function readFragment(path: string): Promise<Piece> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch {
    return undefined;
  }
  try {
    const info = await handle.stat();
    if (info.size > HEADER_BYTES + FRAGMENT_MEMORY_BYTES) return LARGE;
    const buf = Buffer.allocUnsafe(info.size);
    let read = 0;
    while (read < info.size) {
      const { bytesRead } = await handle.read(buf, read, info.size - read, read);
      if (bytesRead === 0) break;
      read += bytesRead;
    }
    const head = read >= HEADER_BYTES ? parseHeader(buf) : undefined;
    if (!head || head.bytes !== read - HEADER_BYTES) return undefined;
    const lines = buf.subarray(HEADER_BYTES, read);
    if (crc32(lines) !== head.crc) return undefined;
    touch(path, info.mtimeMs);
    return lines;
  } catch {
    return undefined;
  } finally {
    await handle.close().catch(() => {});
  }
}

function touch(path: string, mtimeMs: number): void {
  const now = Date.now();
  if (now - mtimeMs > TOUCH_AFTER_MS) utimes(path, now / 1000, now / 1000).catch(() => {});
}

/** A big fragment, checked in a first pass, then read again in pieces; undefined when missing or damaged. */
async function openLarge(path: string): Promise<{ handle: FileHandle; bytes: number } | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch {
    return undefined;
  }
  try {
    const info = await handle.stat();
    const head = Buffer.alloc(HEADER_BYTES);
    await handle.read(head, 0, HEADER_BYTES, 0);
    const parsed = parseHeader(head);
    if (!parsed || parsed.bytes !== info.size - HEADER_BYTES) throw new Error('damaged');
    let crc = 0;
    for await (const piece of pieces(handle, parsed.bytes)) crc = crc32(piece, crc);
    if (crc !== parsed.crc) throw new Error('damaged');
    touch(path, info.mtimeMs);
    return { handle, bytes: parsed.bytes };
  } catch {
    await handle.close().catch(() => {});
    return undefined;
  }
}

async function* pieces(handle: FileHandle, bytes: number): AsyncGenerator<Buffer> {
  let position = HEADER_BYTES;
  const end = HEADER_BYTES + bytes;
  while (position < end) {
    const buf = Buffer.allocUnsafe(Math.min(OUTPUT_CHUNK_BYTES, end - position));
    const { bytesRead } = await handle.read(buf, 0, buf.length, position);
    if (bytesRead === 0) throw new Error('open data fragment shrank while read');
    position += bytesRead;
    yield bytesRead === buf.length ? buf : buf.subarray(0, bytesRead);
  }
}

/**
 * Cuts the lines of consecutive village months into one piece per village month. Each line starts with its village's
 * code (12 digits, never quoted), so a line belongs to the first village at or after the current one whose code it
 * starts with; a line ends at a newline outside quotes (CSV quotes a cell with a newline; JSON has none).
 */
export class LineSplitter {
  private readonly prefixes: Buffer[];
  private readonly prefixBytes: number;
  private readonly quote: number;
  /** The village month of the line being read; -1 before the first line. */
  private index = -1;
  private atLineStart = true;
  private inQuote = false;
  private carry: Buffer | undefined;

  constructor(codes: readonly string[], format: LineFormat) {
    this.prefixes = codes.map((c) => Buffer.from(format === 'csv' ? `${c},` : `{"village_code":"${c}",`, 'utf8'));
    this.prefixBytes = Math.max(0, ...this.prefixes.map((p) => p.length));
    this.quote = format === 'csv' ? 0x22 : -1;
  }

  private startsWith(buf: Buffer, pos: number, index: number): boolean {
    const prefix = this.prefixes[index]!;
    return prefix.compare(buf, pos, pos + prefix.length) === 0;
  }

  /** The pieces of `chunk`, in order, each with the position of its village month; an index never decreases. */
  split(chunk: Buffer): [number, Buffer][] {
    const out: [number, Buffer][] = [];
    const buf = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
    this.carry = undefined;
    const len = buf.length;
    let pos = 0;
    let pieceStart = 0;
    let nextQuote = -2; // -2: not looked for yet; -1: none left in buf
    const quoteAt = (from: number) => {
      if (nextQuote !== -1 && nextQuote < from) nextQuote = buf.indexOf(this.quote, from);
      return nextQuote;
    };
    while (pos < len) {
      if (this.atLineStart) {
        if (len - pos < this.prefixBytes) {
          // Too few bytes to tell whose line this is: kept for the next chunk.
          this.carry = Buffer.from(buf.subarray(pos));
          break;
        }
        if (this.index < 0 || !this.startsWith(buf, pos, this.index)) {
          if (pos > pieceStart) out.push([this.index, buf.subarray(pieceStart, pos)]);
          pieceStart = pos;
          let next = this.index + 1;
          while (next < this.prefixes.length && !this.startsWith(buf, pos, next)) next++;
          if (next === this.prefixes.length) {
            throw new Error(`open data: a line of no selected village month: ${buf.subarray(pos, pos + 40)}`);
          }
          this.index = next;
        }
        this.atLineStart = false;
      }
      if (this.inQuote) {
        const close = quoteAt(pos);
        if (close < 0) break; // the cell goes on in the next chunk
        pos = close + 1;
        this.inQuote = false;
        continue;
      }
      const newline = buf.indexOf(0x0a, pos);
      const open = this.quote < 0 ? -1 : quoteAt(pos);
      if (open >= 0 && (newline < 0 || open < newline)) {
        pos = open + 1;
        this.inQuote = true;
        continue;
      }
      if (newline < 0) break; // the line goes on in the next chunk
      pos = newline + 1;
      this.atLineStart = true;
    }
    const end = this.carry ? len - this.carry.length : len;
    if (end > pieceStart) out.push([this.index, buf.subarray(pieceStart, end)]);
    return out;
  }

  /** Throws unless the lines ended whole. */
  end(): void {
    if (this.carry || this.inQuote || !this.atLineStart) throw new Error('open data: the lines ended mid-line');
  }
}

/** One village month's lines on their way to disk: held in memory while small, else written as they come. */
class FragmentWriter {
  private parts: Buffer[] = [];
  private bytes = 0;
  private crc = 0;
  private spill: { handle: FileHandle; temp: string } | undefined;

  constructor(private readonly final: string) {}

  private tempPath(): string {
    return `${this.final}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  }

  async add(piece: Buffer): Promise<void> {
    this.crc = crc32(piece, this.crc);
    this.bytes += piece.length;
    if (this.spill) {
      await this.spill.handle.write(piece, 0, piece.length, HEADER_BYTES + this.bytes - piece.length);
      return;
    }
    this.parts.push(piece);
    if (this.bytes <= FRAGMENT_MEMORY_BYTES) return;
    const temp = this.tempPath();
    const handle = await open(temp, 'w');
    this.spill = { handle, temp };
    await handle.write(Buffer.concat([Buffer.alloc(HEADER_BYTES, 0x20), ...this.parts]), 0, undefined, 0);
    this.parts = [];
  }

  /**
   * The lines when small (their file is written in the background, `written` settles when it is in place), or
   * LARGE once the file is in place.
   */
  async finish(): Promise<{ lines: Buffer | typeof LARGE; written: Promise<void> }> {
    const head = header(this.bytes, this.crc);
    if (this.spill) {
      const { handle, temp } = this.spill;
      try {
        await handle.write(head, 0, HEADER_BYTES, 0);
      } finally {
        await handle.close();
      }
      await rename(temp, this.final);
      notePruning(HEADER_BYTES + this.bytes);
      return { lines: LARGE, written: Promise.resolve() };
    }
    const file = Buffer.concat([head, ...this.parts], HEADER_BYTES + this.bytes);
    const temp = this.tempPath();
    const written = writeFile(temp, file)
      .then(() => rename(temp, this.final))
      .then(() => notePruning(file.length))
      .catch(async (error: unknown) => {
        await rm(temp, { force: true });
        throw error;
      });
    written.catch(() => {}); // reported by whoever awaits it; never an unhandled rejection
    return { lines: file.subarray(HEADER_BYTES), written };
  }

  async abandon(): Promise<void> {
    if (!this.spill) return;
    await this.spill.handle.close().catch(() => {});
    await rm(this.spill.temp, { force: true });
  }
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
}

function deferred<T>(): Deferred<T> {
  let settle!: Pick<Deferred<T>, 'resolve' | 'reject'>;
  const promise = new Promise<T>((resolve, reject) => (settle = { resolve, reject }));
  promise.catch(() => {}); // awaited by whoever reaches it; an abandoned export leaves some unread
  return { promise, ...settle };
}

/**
 * A batch of village months with no fragment yet, made by one query, consecutive in the file. Each one's lines are
 * there for the reader as soon as that village month ends; the fragment files are written meanwhile.
 */
class Run {
  readonly periods: SelectedPeriod[] = [];
  readonly positions: number[] = [];
  readonly results: Deferred<Piece>[] = [];
  readonly written: Promise<void>[] = [];
  lines = 0;

  constructor(
    private readonly folder: string,
    private readonly format: LineFormat,
  ) {}

  add(position: number, period: SelectedPeriod): void {
    this.periods.push(period);
    this.positions.push(position);
    this.results.push(deferred());
    this.lines += period.lineCount;
  }

  async run(db: Db, year: number, month: number): Promise<void> {
    const splitter = new LineSplitter(
      this.periods.map((p) => p.code),
      this.format,
    );
    let index = 0;
    let writer = new FragmentWriter(join(this.folder, fragmentName(this.periods[0]!, this.format)));
    const finish = async () => {
      const { lines, written } = await writer.finish();
      this.written.push(written);
      this.results[index]!.resolve(lines);
      index++;
      if (index < this.periods.length) {
        writer = new FragmentWriter(join(this.folder, fragmentName(this.periods[index]!, this.format)));
      }
    };
    try {
      await mkdir(this.folder, { recursive: true });
      for await (const chunk of lineRows(db, { year, month, periods: this.periods }, this.format)) {
        for (const [at, piece] of splitter.split(chunk)) {
          while (index < at) await finish();
          await writer.add(piece);
        }
      }
      splitter.end();
      while (index < this.periods.length) await finish();
    } catch (error) {
      await writer.abandon();
      for (const result of this.results.slice(index)) result.reject(error);
      throw error;
    }
  }
}

/** Starts the runs in file order, RUNS_AT_ONCE at a time and at most RUNS_AHEAD ahead of the reader. */
class RunQueue {
  private started = 0;
  private running = 0;
  private unread = 0;
  private stopped = false;
  private failure: unknown;
  private readonly remaining: number[];

  constructor(
    private readonly runs: Run[],
    private readonly start: (run: Run) => Promise<void>,
  ) {
    this.remaining = runs.map((r) => r.periods.length);
    this.pump();
  }

  private pump(): void {
    while (
      !this.stopped &&
      this.started < this.runs.length &&
      this.running < RUNS_AT_ONCE &&
      this.unread < RUNS_AHEAD
    ) {
      const run = this.runs[this.started++]!;
      this.running++;
      this.unread++;
      this.start(run)
        .catch((error: unknown) => (this.failure ??= error))
        .finally(() => {
          this.running--;
          this.pump();
        });
    }
  }

  /** The reader has taken one village month of `run`. */
  taken(run: number): void {
    if (--this.remaining[run]! === 0) {
      this.unread--;
      this.pump();
    }
  }

  /** No more runs start; the running ones finish, so their fragments are not lost. */
  stop(): void {
    this.stopped = true;
  }

  get error(): unknown {
    return this.failure;
  }
}

/**
 * The lines of a selection, without a header, in file order: each village month from its fragment, the missing ones
 * made in batches as the reader approaches them, a damaged or vanished one made again on its own.
 */
export async function* fragmentedLines(db: Db, selection: Selection, format: LineFormat): AsyncGenerator<Buffer> {
  const { year, month, periods } = selection;
  const folder = monthFolder(year, month);
  const present = new Set(await readdir(folder).catch(() => [] as string[]));
  const names = periods.map((p) => fragmentName(p, format));

  const runs: Run[] = [];
  const runOf: number[] = new Array<number>(periods.length).fill(-1);
  let current: Run | undefined;
  for (let i = 0; i < periods.length; i++) {
    if (present.has(names[i]!)) continue;
    if (!current || (current.periods.length > 0 && current.lines + periods[i]!.lineCount > RUN_LINES)) {
      current = new Run(folder, format);
      runs.push(current);
    }
    current.add(i, periods[i]!);
    runOf[i] = runs.length - 1;
  }
  const positionInRun = new Map<number, number>();
  for (const run of runs) run.positions.forEach((position, k) => positionInRun.set(position, k));

  let writeFailed = false;
  const noteWrites = (run: Run) => {
    for (const written of run.written) {
      written.catch((error: unknown) => {
        if (writeFailed) return;
        writeFailed = true; // once per file: a full disk would say the same thousands of times
        console.error('open data fragment not written', error);
      });
    }
  };
  const queue = new RunQueue(runs, async (run) => {
    try {
      await run.run(db, year, month);
    } finally {
      noteWrites(run);
    }
  });

  const pieceAt = (i: number): Promise<Piece> => {
    const r = runOf[i]!;
    return r < 0 ? readFragment(join(folder, names[i]!)) : runs[r]!.results[positionInRun.get(i)!]!.promise;
  };
  const remade: Run[] = [];
  const ahead = new Map<number, Promise<Piece>>();
  let out: Buffer[] = [];
  let outBytes = 0;
  const flush = () => {
    const chunk = out.length === 1 ? out[0]! : Buffer.concat(out, outBytes);
    out = [];
    outBytes = 0;
    return chunk;
  };
  try {
    for (let i = 0; i < periods.length; i++) {
      for (let k = i; k < Math.min(periods.length, i + READS_AHEAD); k++) if (!ahead.has(k)) ahead.set(k, pieceAt(k));
      let piece = await ahead.get(i)!;
      ahead.delete(i);
      if (runOf[i]! >= 0) queue.taken(runOf[i]!);
      for (let attempt = 0; ; attempt++) {
        if (piece === LARGE) {
          const large = await openLarge(join(folder, names[i]!));
          if (large) {
            if (outBytes > 0) yield flush();
            try {
              yield* pieces(large.handle, large.bytes);
            } finally {
              await large.handle.close().catch(() => {});
            }
            break;
          }
          piece = undefined;
        }
        if (piece instanceof Buffer) {
          out.push(piece);
          outBytes += piece.length;
          if (outBytes >= OUTPUT_CHUNK_BYTES) yield flush();
          break;
        }
        if (attempt > 0) throw new Error(`open data fragment ${names[i]} vanished as soon as it was made`);
        // Missing (pruned since the folder was listed) or damaged: made again on its own.
        const run = new Run(folder, format);
        run.add(i, periods[i]!);
        remade.push(run);
        await run.run(db, year, month);
        noteWrites(run);
        piece = await run.results[0]!.promise;
      }
    }
    if (queue.error !== undefined) throw queue.error;
    // The file ends once its new fragments are in place: whoever downloaded it finds them there afterwards.
    // (A run records each fragment's write before handing over its lines, so every write is listed by now.)
    await Promise.allSettled([...runs, ...remade].flatMap((run) => run.written));
    if (outBytes > 0) yield flush();
  } finally {
    queue.stop();
  }
}

/** The fragments of the village months in `selection` that have none yet, made and written; resolves when on disk. */
export async function makeFragments(db: Db, selection: Selection, format: LineFormat): Promise<number> {
  const folder = monthFolder(selection.year, selection.month);
  const present = new Set(await readdir(folder).catch(() => [] as string[]));
  const missing = selection.periods.filter((p) => !present.has(fragmentName(p, format)));
  for (let i = 0; i < missing.length;) {
    const run = new Run(folder, format);
    while (i < missing.length && (run.periods.length === 0 || run.lines + missing[i]!.lineCount <= RUN_LINES)) {
      run.add(i, missing[i]!);
      i++;
    }
    await run.run(db, selection.year, selection.month);
    await Promise.all(run.written);
  }
  return missing.length;
}

/**
 * After a village publishes a month: its fragments, made in the background so that the next national file need not
 * wait for them. Never fails the publication, which is already committed: a fragment not made now is made when first
 * needed.
 */
export function warmAfterPublish(db: Db, villageId: number, year: number, month: number): void {
  // A log of its own: these statements belong to no request, and must not count in the publishing one's.
  void withStatementLog({ statements: [] }, () => warm(db, villageId, year, month));
}

async function warm(db: Db, villageId: number, year: number, month: number): Promise<void> {
  try {
    const [row] = await queryRows<{ revision: number; digest: string; line_count: number | null; code: string }>(
      db,
      sql`select p.revision, p.digest, p.line_count, vi.code
            from periods p join villages vi on vi.id = p.village_id
           where p.village_id = ${villageId} and p.year = ${year} and p.month = ${month} and p.status = 'published'
           order by p.revision desc limit 1`,
    );
    if (!row) return;
    const period = {
      villageId,
      revision: row.revision,
      digest: row.digest,
      lineCount: row.line_count ?? 0,
      code: row.code,
    };
    for (const format of ['csv', 'jsonl'] as const) await makeFragments(db, { year, month, periods: [period] }, format);
  } catch (error) {
    console.error('open data fragments not made after publishing', error);
  }
}
