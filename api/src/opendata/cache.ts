/**
 * The open-data folder (MINGBAI_OPENDATA_DIR) and its size limit. It holds two kinds of entries, both named by the
 * exact published content they hold, so none ever goes stale:
 *
 * - whole files, `{key:2}/{key}.{file}` with `{key}.{file}.meta.json` (size and SHA-256), see opendata.service.ts;
 * - fragments, `fragments/{format}/{yyyy-mm}/{village id}-r{revision}-{digest}.{csv|jsonl}`: one village month's
 *   lines as they appear inside any file that holds it, see fragments.ts.
 *
 * Both are pruned together, least recently used first, once the folder outgrows MINGBAI_OPENDATA_MAX_BYTES.
 */
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { readOpenDataFolder, type OpenDataFolder } from '../config.ts';

export const FRAGMENTS_FOLDER = 'fragments';

let folder: OpenDataFolder | undefined;

/**
 * The folder and its limit, as the API's config read them at start (startApiServer sets them). A process that never
 * sets them (the CLI's publish, which warms fragments) reads them from the environment once, at first use.
 */
export function openDataFolder(): OpenDataFolder {
  return (folder ??= readOpenDataFolder());
}

export function useOpenDataFolder(settings: OpenDataFolder): void {
  folder = settings;
}

export function cacheDir(): string {
  return openDataFolder().dir;
}

/** Bytes known to be in each cache folder since it was last scanned, so most writes need no scan. */
const knownCacheBytes = new Map<string, number>();
let pruning: Promise<void> | undefined;
/** A temporary file this old belongs to a process that died mid-write. */
const STALE_TEMP_MS = 6 * 60 * 60 * 1000;

/**
 * Every new publication makes new national and regional file keys, and superseded files and fragments are never asked
 * for again: once the folder outgrows its limit, the least recently used go (a use touches its entry) until it fits.
 */
export function notePruning(addedBytes: number): void {
  const dir = cacheDir();
  const known = knownCacheBytes.get(dir);
  if (known !== undefined && known + addedBytes <= openDataFolder().maxBytes) {
    knownCacheBytes.set(dir, known + addedBytes);
    return;
  }
  if (pruning) return;
  pruning = pruneCache(dir, openDataFolder().maxBytes)
    .catch((error: unknown) => console.error('open data cache pruning failed', error))
    .finally(() => (pruning = undefined));
}

interface Entry {
  /** Removed first: a whole file's metadata, so a request that reads it never finds the file missing afterwards. */
  meta?: string;
  data: string;
  bytes: number;
  usedMs: number;
}

/** The regular files of a folder with their size and last use; stale temporary files are removed on the way. */
async function scanFolder(folder: string, wholeFiles: boolean, now: number, entries: Entry[]): Promise<number> {
  let total = 0;
  const names = await readdir(folder).catch(() => [] as string[]);
  const infos = await Promise.all(names.map((name) => stat(join(folder, name)).catch(() => undefined)));
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    const info = infos[i];
    if (!info?.isFile() || name.endsWith('.meta.json')) continue;
    const path = join(folder, name);
    if (name.endsWith('.tmp') || name.endsWith('.meta')) {
      if (now - info.mtimeMs > STALE_TEMP_MS) await rm(path, { force: true });
      continue;
    }
    entries.push({
      ...(wholeFiles ? { meta: `${path}.meta.json` } : {}),
      data: path,
      bytes: info.size,
      usedMs: info.mtimeMs,
    });
    total += info.size;
  }
  return total;
}

/** Removes the least recently used files and fragments until the folder holds at most `limitBytes`. */
export async function pruneCache(dir = cacheDir(), limitBytes = openDataFolder().maxBytes): Promise<void> {
  const entries: Entry[] = [];
  let total = 0;
  const now = Date.now();
  for (const sub of await readdir(dir).catch(() => [] as string[])) {
    if (sub !== FRAGMENTS_FOLDER) {
      total += await scanFolder(join(dir, sub), true, now, entries);
      continue;
    }
    const fragments = join(dir, sub);
    for (const format of await readdir(fragments).catch(() => [] as string[])) {
      for (const month of await readdir(join(fragments, format)).catch(() => [] as string[])) {
        total += await scanFolder(join(fragments, format, month), false, now, entries);
      }
    }
  }
  entries.sort((a, b) => a.usedMs - b.usedMs);
  for (const entry of entries) {
    if (total <= limitBytes) break;
    if (entry.meta) await rm(entry.meta, { force: true });
    await rm(entry.data, { force: true });
    total -= entry.bytes;
  }
  knownCacheBytes.set(dir, total);
}
