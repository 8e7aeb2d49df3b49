// /data/files/{sha256}.{ext}: the published view or thumbnail of an attachment of a published month, by its hash.
// Anything else, an original's hash above all, is 404: the store holds private files beside public ones.
// /data/files/preview/{expires}/{signature}/{sha256}.webp: a derivative of a month not yet public, for the committee
// and the village's supervisors, on a short-lived signed path (preview.ts); `private, no-store`.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { queryRows, type Db } from '@mingbai/db/client';
import { readStoredFile } from '@mingbai/db/files/store';
import { derivativeFileSql, publishedFileSql } from './attachment.sql.ts';
import { isPreviewPath, verifyPreviewPath } from './preview.ts';

const FILE_PATH = /^\/data\/files\/([0-9a-f]{64})\.(webp|jpg)$/;

/** A published file never changes (its name is its hash): a year, immutable. */
const CACHE_FOREVER = 'public, max-age=31536000, immutable';

export function isAttachmentFilePath(pathname: string): boolean {
  return pathname.startsWith('/data/files/');
}

/** Serves the file; false when there is no such published file (the caller answers 404 in its own shape). */
export async function serveAttachmentFile(
  req: IncomingMessage,
  res: ServerResponse,
  db: Db,
  pathname: string,
): Promise<boolean> {
  if (isPreviewPath(pathname)) return servePreview(req, res, db, pathname);
  const m = FILE_PATH.exec(pathname);
  if (!m) return false;
  const sha256 = m[1]!;
  const [row] = await queryRows<{ media_type: string }>(db, publishedFileSql(sha256));
  if (!row) return false;
  const expected = row.media_type === 'image/jpeg' ? 'jpg' : 'webp';
  if (m[2] !== expected) return false;
  const etag = `"${sha256}"`;
  if (req.headers['if-none-match']?.split(',').some((t) => t.trim() === etag)) {
    res.writeHead(304, { etag, 'cache-control': CACHE_FOREVER }).end();
    return true;
  }
  const bytes = readStoredFile(sha256);
  if (!bytes) return false;
  res.writeHead(200, {
    'content-type': row.media_type,
    'content-length': String(bytes.length),
    'cache-control': CACHE_FOREVER,
    etag,
    'x-content-type-options': 'nosniff',
    'content-security-policy': "default-src 'none'",
  });
  res.end(req.method === 'HEAD' ? undefined : bytes);
  return true;
}

async function servePreview(req: IncomingMessage, res: ServerResponse, db: Db, pathname: string): Promise<boolean> {
  const sha256 = verifyPreviewPath(pathname);
  if (!sha256) return false;
  const [row] = await queryRows<{ media_type: string }>(db, derivativeFileSql(sha256));
  if (!row) return false;
  const bytes = readStoredFile(sha256);
  if (!bytes) return false;
  res.writeHead(200, {
    'content-type': row.media_type,
    'content-length': String(bytes.length),
    'cache-control': 'private, no-store',
    'x-content-type-options': 'nosniff',
    'content-security-policy': "default-src 'none'",
    'referrer-policy': 'no-referrer',
    'x-robots-tag': 'noindex',
  });
  res.end(req.method === 'HEAD' ? undefined : bytes);
  return true;
}
