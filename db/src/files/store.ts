// Files kept by their SHA-256: the private originals of attachments and their published derivatives. One folder,
// two levels of fan-out (ab/cd/abcd…); a file is written once, to a temporary name renamed into place, so a reader
// never sees half a file and the same bytes twice are stored once.
import { createHash, randomBytes } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { REPO_ROOT } from '../repo-root.ts';

/** The repository's .data/files: the default when nothing is configured (MINGBAI_FILES_DIR in api/src/config.ts). */
export const DEFAULT_FILES_DIR = resolve(REPO_ROOT, '.data/files');

let filesDir = DEFAULT_FILES_DIR;

/** Where files are kept from now on in this process (the API and CLI call it once with the configured folder). */
export function useFilesDir(dir: string): void {
  filesDir = resolve(dir);
}

export function currentFilesDir(): string {
  return filesDir;
}

const SHA256 = /^[0-9a-f]{64}$/;

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function pathOf(sha256: string): string {
  if (!SHA256.test(sha256)) throw new Error(`not a SHA-256: ${sha256}`);
  return join(filesDir, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
}

/**
 * Stores the bytes under their SHA-256 (`knownSha256` when the caller's own code just computed it) unless already
 * there; returns the hash. A file already there has its time
 * refreshed, so the sweep (sweep.ts) leaves it alone while the row that will name it is being written.
 */
export function putFile(bytes: Uint8Array, knownSha256?: string): string {
  // A hash computed by our own code (the image worker) saves hashing 20 MB again on the API's thread.
  const sha256 = knownSha256 ?? sha256Hex(bytes);
  const path = pathOf(sha256);
  if (existsSync(path)) {
    try {
      const now = new Date();
      utimesSync(path, now, now);
      return sha256;
    } catch {
      // swept between the check and the touch: written again below
    }
  }
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${randomBytes(6).toString('hex')}.part`;
  writeFileSync(temporary, bytes, { mode: 0o640 });
  renameSync(temporary, path);
  return sha256;
}

/**
 * Stores a file already on disk under `sha256` (computed by our own code from its bytes): `move` renames it into
 * place (a streamed upload's temporary file, made in `uploadTemporaryPath`'s folder on the same file system),
 * otherwise it is copied (the CLI's file stays where it is). Nothing of it passes through this thread's memory.
 */
export function putFileFromPath(source: string, sha256: string, options: { move: boolean }): string {
  const path = pathOf(sha256);
  if (existsSync(path)) {
    try {
      const now = new Date();
      utimesSync(path, now, now);
      if (options.move) unlinkSync(source);
      return sha256;
    } catch {
      // swept between the check and the touch: written again below
    }
  }
  mkdirSync(dirname(path), { recursive: true });
  if (options.move) {
    renameSync(source, path);
    return sha256;
  }
  const temporary = `${path}.${randomBytes(6).toString('hex')}.part`;
  copyFileSync(source, temporary);
  renameSync(temporary, path);
  return sha256;
}

/**
 * A fresh temporary path for a streamed upload, inside the store (so `putFileFromPath` renames it into place) in
 * `uploads/`, which the sweep leaves alone: the upload route removes its own file whatever happens.
 */
export function uploadTemporaryPath(): string {
  const dir = join(filesDir, 'uploads');
  mkdirSync(dir, { recursive: true });
  return join(dir, `${randomBytes(12).toString('hex')}.upload`);
}

export function hasFile(sha256: string): boolean {
  return SHA256.test(sha256) && existsSync(pathOf(sha256));
}

/** The stored bytes; undefined when the store has no such file. */
export function readStoredFile(sha256: string): Buffer | undefined {
  if (!hasFile(sha256)) return undefined;
  return readFileSync(pathOf(sha256));
}

export function storedSize(sha256: string): number | undefined {
  return hasFile(sha256) ? statSync(pathOf(sha256)).size : undefined;
}
