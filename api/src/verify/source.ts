/**
 * Where the public files come from: a site's `/data/` over HTTP, or a folder laid out the same way (a mirror, or what
 * `--save` wrote). Reads never throw: a file is there, missing (404, no such file) or unreadable, and the caller says
 * which village and month that touches.
 */
import { isUtf8 } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

export type Fetched = { ok: true; text: string; bytes: number } | { ok: false; missing: boolean; why: string };

/** Strict UTF-8: a file cut in the middle of a character is damaged, not silently repaired. */
function decoded(bytes: Buffer, where: string): Fetched {
  if (!isUtf8(bytes)) return { ok: false, missing: false, why: `${where} 不是有效的 UTF-8（文件损坏或不完整）` };
  return { ok: true, text: bytes.toString('utf8'), bytes: bytes.length };
}

export interface Source {
  /** What to print: the URL or folder. */
  readonly label: string;
  /** `path` relative to the data root: `catalog.json`, `v/fucun/2025-08/r1/lines.jsonl`. */
  read(path: string): Promise<Fetched>;
}

const TIMEOUT_MS = 60_000;

export function openSource(from: string, saveTo?: string): Source {
  const source = /^https?:\/\//i.test(from) ? httpSource(from) : folderSource(from);
  return saveTo ? savingSource(source, saveTo) : source;
}

function httpSource(base: string): Source {
  const root = base.endsWith('/') ? base : `${base}/`;
  return {
    label: root,
    async read(path) {
      const url = new URL(path, root);
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS), redirect: 'follow' });
        if (res.status === 404) return { ok: false, missing: true, why: `${url} 不存在（404）` };
        if (!res.ok) return { ok: false, missing: false, why: `${url} 返回 HTTP ${res.status}` };
        return decoded(Buffer.from(await res.arrayBuffer()), url.href);
      } catch (error) {
        return { ok: false, missing: false, why: `${url} 读取失败：${(error as Error).message}` };
      }
    },
  };
}

function folderSource(dir: string): Source {
  const root = resolve(dir);
  return {
    label: root,
    async read(path) {
      const file = join(root, ...path.split('/'));
      try {
        // Synchronous: files of a village month are small and many, and the thread pool's round trips cost more.
        return decoded(readFileSync(file), file);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') return { ok: false, missing: true, why: `${file} 不存在` };
        return { ok: false, missing: false, why: `${file} 读取失败：${(error as Error).message}` };
      }
    },
  };
}

/** Keeps a copy of every file read under `dir`, in the same layout: a mirror to verify again later, offline. */
function savingSource(source: Source, dir: string): Source {
  return {
    label: source.label,
    async read(path) {
      const got = await source.read(path);
      if (got.ok) {
        const file = join(resolve(dir), ...path.split('/'));
        await mkdir(dirname(file), { recursive: true });
        await writeFile(file, got.text);
      }
      return got;
    },
  };
}
