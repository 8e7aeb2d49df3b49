// Committee previews: an attachment's redacted view before its month is public, over a short-lived signed path
// /data/files/preview/{expires}/{signature}/{sha256}.webp. Only derivatives are ever signed (a view, a thumbnail, a
// PDF page's view), never an original; the signature is an HMAC of the hash and the expiry with a secret of the API
// (MINGBAI_PREVIEW_SECRET, default MINGBAI_PORTAL_SECRET, else random per process). The path carries everything, so
// the portal's /data proxy passes it through unchanged. Served `private, no-store`.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** How long a preview URL works: long enough to look, short enough that a forwarded link soon dies. */
export const PREVIEW_TTL_SECONDS = 15 * 60;

let secret: Buffer = randomBytes(32);

/** The signing secret from now on (startApiServer); every API process behind one portal must share it. */
export function usePreviewSecret(value: string | undefined): void {
  secret = value ? Buffer.from(value, 'utf8') : randomBytes(32);
}

function signature(sha256: string, expires: number): string {
  return createHmac('sha256', secret).update(`preview:${sha256}:${expires}`).digest('base64url');
}

/** The path of a preview of this derivative, valid PREVIEW_TTL_SECONDS from `now` (rounded up to the minute). */
export function previewPath(sha256: string, now = Date.now()): string {
  const expires = Math.ceil((now / 1000 + PREVIEW_TTL_SECONDS) / 60) * 60;
  return `/data/files/preview/${expires}/${signature(sha256, expires)}/${sha256}.webp`;
}

const PREVIEW_PATH = /^\/data\/files\/preview\/(\d{10})\/([A-Za-z0-9_-]{43})\/([0-9a-f]{64})\.webp$/;

export function isPreviewPath(pathname: string): boolean {
  return pathname.startsWith('/data/files/preview/');
}

/** The hash a preview path signs, if its signature is ours and it has not expired; undefined otherwise. */
export function verifyPreviewPath(pathname: string, now = Date.now()): string | undefined {
  const m = PREVIEW_PATH.exec(pathname);
  if (!m) return undefined;
  const expires = Number(m[1]);
  if (expires * 1000 < now || expires * 1000 > now + (PREVIEW_TTL_SECONDS + 120) * 1000) return undefined;
  const given = Buffer.from(m[2]!, 'base64url');
  const wanted = Buffer.from(signature(m[3]!, expires), 'base64url');
  return given.length === wanted.length && timingSafeEqual(given, wanted) ? m[3] : undefined;
}
