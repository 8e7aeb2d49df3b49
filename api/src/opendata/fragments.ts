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
import { closeSync, fstatSync, futimesSync, openSync, readSync, renameSync, rmSync, writevSync } from 'node:fs';
import { mkdir, open, readdir, rename, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { sql } from 'drizzle-orm';
import { queryRows, withStatementLog, type Db } from '@mingbai/db/client';
import { cacheDir, FRAGMENTS_FOLDER, notePruning } from './cache.ts';
import { FILE_FORMAT, type LineFormat, type SelectedPeriod, type Selection } from './export-sql.ts';
import { lineRows, queriesAtOnce } from './sources.ts';

const HEADER_BYTES = 30;
const MAGIC = 'MBF1';
/**
 * Lines per generating query: a national month's missing fragments go as a few dozen batches of about 7 MB (a JSON
 * line is over twice a CSV line's size), so the batches waiting to be sent stay within a few tens of MB.
 */
const RUN_LINES: Record<LineFormat, number> = { csv: 25_000, jsonl: 10_000 };
/** Batches started but not yet sent: their fragments wait in memory, so this bounds the memory of a cold export. */
const RUNS_AHEAD = 3;
/** A fragment larger than this is never held in memory whole: it is written and read in pieces. */
const FRAGMENT_MEMORY_BYTES = 1 << 20;
/** What the file stream is given at a time: fragments gathered, so the hash, file and socket see few writes. */
const OUTPUT_CHUNK_BYTES = 1 << 20;
/** A fragment read is recorded as a use (for pruning) at most this often: pruning needs no finer clock. */
const TOUCH_AFTER_MS = 60 * 60 * 1000;

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
type Piece = Buffer[] | typeof LARGE | undefined;

/**
 * The file's bytes in chunks of about OUTPUT_CHUNK_BYTES, fragments read straight into them: no buffer per fragment,
 * no copy to gather them, few writes for the hash, the file and the socket.
 */
class OutputChunks {
  private buf = Buffer.allocUnsafe(OUTPUT_CHUNK_BYTES);
  private used = 0;
  private ready: Buffer[] = [];

  /** Room for `bytes` more at the returned offset; what does not fit starts the next chunk. */
  reserve(bytes: number): [Buffer, number] {
    if (this.used + bytes > this.buf.length) {
      this.cut();
      if (bytes > this.buf.length) this.buf = Buffer.allocUnsafe(bytes);
    }
    return [this.buf, this.used];
  }

  commit(bytes: number): void {
    this.used += bytes;
  }

  /** Ends the current chunk, if it holds anything. */
  cut(): void {
    if (this.used === 0) return;
    this.ready.push(this.buf.subarray(0, this.used));
    this.buf = Buffer.allocUnsafe(OUTPUT_CHUNK_BYTES);
    this.used = 0;
  }

  /** The chunks completed since the last call. */
  take(): Buffer[] {
    const ready = this.ready;
    this.ready = [];
    return ready;
  }
}

const headerScratch = Buffer.alloc(HEADER_BYTES);

/**
 * Appends a small fragment's lines to `output` once its length and CRC check; LARGE for a big one (left unread);
 * undefined when missing or damaged (nothing appended). Synchronous on purpose: a fragment is a few tens of KB of a
 * file just written or read, in the page cache, and five plain system calls cost a fraction of what the promise API
 * spends on each of them; at most one fragment (≤ FRAGMENT_MEMORY_BYTES) is read per call.
 */
function readFragmentInto(path: string, output: OutputChunks): 'read' | typeof LARGE | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    const info = fstatSync(fd);
    const bytes = info.size - HEADER_BYTES;
    if (bytes < 0) return undefined;
    if (bytes > FRAGMENT_MEMORY_BYTES) return LARGE;
    if (readSync(fd, headerScratch, 0, HEADER_BYTES, 0) !== HEADER_BYTES) return undefined;
    const head = parseHeader(headerScratch);
    if (!head || head.bytes !== bytes) return undefined;
    const [buf, at] = output.reserve(bytes);
    let read = 0;
    while (read < bytes) {
      const n = readSync(fd, buf, at + read, bytes - read, HEADER_BYTES + read);
      if (n === 0) return undefined;
      read += n;
    }
    if (crc32(buf.subarray(at, at + bytes)) !== head.crc) return undefined;
    output.commit(bytes);
    // A use, for pruning; on the open descriptor, no path lookup, no thread pool queue thousands deep.
    const now = Date.now();
    if (now - info.mtimeMs > TOUCH_AFTER_MS) futimesSync(fd, now / 1000, now / 1000);
    return 'read';
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
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
    const now = Date.now();
    if (now - info.mtimeMs > TOUCH_AFTER_MS) await handle.utimes(now / 1000, now / 1000);
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

let lastWriteFailureMs = 0;

/** Once a minute at most: a full disk would otherwise say the same for every fragment of a file. */
function reportWriteFailure(error: unknown): void {
  const now = Date.now();
  if (now - lastWriteFailureMs < 60_000) return;
  lastWriteFailureMs = now;
  console.error('open data fragment not written', error);
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
   * The lines when small, as the pieces they came in (no copy; the file is written from them), or LARGE once the file
   * is in place. A fragment that cannot be written (a full disk) is still sent; it is made again next time.
   */
  async finish(): Promise<Buffer[] | typeof LARGE> {
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
      return LARGE;
    }
    const parts = this.parts;
    this.parts = [];
    // Synchronous, like the reads: tens of KB into the page cache cost less than the promise API's round trips, and
    // the fragment is in place before anyone is handed its lines.
    const temp = this.tempPath();
    try {
      const fd = openSync(temp, 'w');
      try {
        writevSync(fd, [head, ...parts]);
      } finally {
        closeSync(fd);
      }
      renameSync(temp, this.final);
      notePruning(HEADER_BYTES + this.bytes);
    } catch (error) {
      rmSync(temp, { force: true });
      reportWriteFailure(error);
    }
    return parts;
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
 * there for the reader as soon as that village month ends and its fragment is written.
 */
class Run {
  readonly periods: SelectedPeriod[] = [];
  readonly positions: number[] = [];
  /** Settles each village month's lines; holds no lines itself. */
  private readonly results: (Pick<Deferred<Piece>, 'resolve' | 'reject'> | undefined)[] = [];
  private readonly promises: (Promise<Piece> | undefined)[] = [];
  lines = 0;

  constructor(
    private readonly folder: string,
    private readonly format: LineFormat,
  ) {}

  add(position: number, period: SelectedPeriod): void {
    this.periods.push(period);
    this.positions.push(position);
    const { promise, resolve, reject } = deferred<Piece>();
    this.promises.push(promise);
    this.results.push({ resolve, reject });
    this.lines += period.lineCount;
  }

  /** The k-th village month's lines, once; the run lets go of them, so a long file never holds what it has sent. */
  take(k: number): Promise<Piece> {
    const promise = this.promises[k]!;
    this.promises[k] = undefined;
    return promise;
  }

  async run(db: Db, year: number, month: number): Promise<void> {
    const splitter = new LineSplitter(
      this.periods.map((p) => p.code),
      this.format,
    );
    let index = 0;
    let writer = new FragmentWriter(join(this.folder, fragmentName(this.periods[0]!, this.format)));
    const finish = async () => {
      const lines = await writer.finish();
      // A resolving function keeps its promise, and so the lines, alive: let go of it once used.
      const result = this.results[index]!;
      this.results[index] = undefined;
      result.resolve(lines);
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
      for (const result of this.results.slice(index)) result?.reject(error);
      throw error;
    }
  }
}

/** Starts the runs in file order, `atOnce` at a time and at most RUNS_AHEAD ahead of the reader. */
class RunQueue {
  private started = 0;
  private running = 0;
  private unread = 0;
  private stopped = false;
  private failure: unknown;
  private readonly remaining: number[];

  constructor(
    private readonly runs: Run[],
    private readonly atOnce: number,
    private readonly start: (run: Run) => Promise<void>,
  ) {
    this.remaining = runs.map((r) => r.periods.length);
    this.pump();
  }

  private pump(): void {
    while (!this.stopped && this.started < this.runs.length && this.running < this.atOnce && this.unread < RUNS_AHEAD) {
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
    if (!current || (current.periods.length > 0 && current.lines + periods[i]!.lineCount > RUN_LINES[format])) {
      current = new Run(folder, format);
      runs.push(current);
    }
    current.add(i, periods[i]!);
    runOf[i] = runs.length - 1;
  }
  const positionInRun = new Map<number, number>();
  for (const run of runs) run.positions.forEach((position, k) => positionInRun.set(position, k));

  const queue = new RunQueue(runs, queriesAtOnce(db), (run) => run.run(db, year, month));

  const output = new OutputChunks();
  try {
    for (let i = 0; i < periods.length; i++) {
      const r = runOf[i]!;
      let piece: Piece | 'read';
      if (r >= 0) {
        piece = await runs[r]!.take(positionInRun.get(i)!);
        queue.taken(r);
      } else {
        piece = readFragmentInto(join(folder, names[i]!), output);
      }
      for (let attempt = 0; piece !== 'read'; attempt++) {
        if (piece === LARGE) {
          const large = await openLarge(join(folder, names[i]!));
          if (large) {
            output.cut();
            yield* output.take();
            try {
              yield* pieces(large.handle, large.bytes);
            } finally {
              await large.handle.close().catch(() => {});
            }
            break;
          }
          piece = undefined;
        }
        if (piece) {
          // Sent as made: the file was written from these same pieces, so they are not copied again.
          output.cut();
          yield* output.take();
          yield* piece;
          break;
        }
        if (attempt > 0) throw new Error(`open data fragment ${names[i]} vanished as soon as it was made`);
        // Missing (pruned since the folder was listed) or damaged: made again on its own.
        const run = new Run(folder, format);
        run.add(i, periods[i]!);
        await run.run(db, year, month);
        piece = await run.take(0);
      }
      yield* output.take();
    }
    if (queue.error !== undefined) throw queue.error;
    output.cut();
    yield* output.take();
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
    while (i < missing.length && (run.periods.length === 0 || run.lines + missing[i]!.lineCount <= RUN_LINES[format])) {
      run.add(i, missing[i]!);
      i++;
    }
    await run.run(db, selection.year, selection.month);
  }
  return missing.length;
}

/**
 * After a village publishes a month: its fragments, made so that the next national file need not wait for them (the
 * API does not wait; the CLI does, before it closes its pool). Never rejects: the publication is already committed,
 * and a fragment not made now is made when first needed.
 */
export function warmAfterPublish(db: Db, villageId: number, year: number, month: number): Promise<void> {
  // A log of its own: these statements belong to no request, and must not count in the publishing one's.
  return withStatementLog({ statements: [] }, () => warm(db, villageId, year, month));
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
