import type { APIRoute } from 'astro';
import { API_URL, forwardedFor } from '../../../../lib/api';
import { sessionToken } from '../../../../lib/session';

/**
 * The committee's and supervisors' look at an attachment's view or thumbnail before the month is public: what the
 * supervisor confirms must be what they saw. Signed in only; never cached by anyone but the browser.
 *
 * The API's signed-in preview (`GET /committee/files/{sha256}.webp` with the session's bearer token, requested in
 * /work/notes/ISSUE16.md) is asked first; until it exists, or for a published month, the public file. When neither
 * has it, a drawn stand-in of the right shape says so in Chinese (the page still shows where the rectangles are).
 */
const FILE = /^([0-9a-f]{64})\.(webp|jpg)$/;

export const GET: APIRoute = async ({ params, cookies }) => {
  const token = sessionToken(cookies);
  const m = FILE.exec(params.file ?? '');
  if (!token) return new Response('请先登录', { status: 401, headers: { 'cache-control': 'no-store' } });
  if (!m) return new Response('没有这个文件', { status: 404, headers: { 'cache-control': 'no-store' } });
  const [, sha256, ext] = m;
  const signedIn = { authorization: `Bearer ${token}`, ...forwardedFor() };
  for (const [path, headers] of [
    [`/committee/files/${sha256}.${ext}`, signedIn],
    [`/data/files/${sha256}.${ext}`, forwardedFor()],
  ] as const) {
    let upstream: Response;
    try {
      upstream = await fetch(new URL(path, API_URL), { headers, signal: AbortSignal.timeout(15_000) });
    } catch {
      return new Response('数据接口暂时连不上', {
        status: 503,
        headers: { 'cache-control': 'no-store', 'retry-after': '10' },
      });
    }
    const type = upstream.headers.get('content-type') ?? '';
    if (upstream.ok && type.startsWith('image/')) {
      return new Response(upstream.body, {
        status: 200,
        headers: { 'content-type': type, 'cache-control': 'private, no-store', 'x-content-type-options': 'nosniff' },
      });
    }
    await upstream.body?.cancel();
  }
  return new Response(STAND_IN, {
    status: 200,
    headers: {
      'content-type': 'image/svg+xml; charset=utf-8',
      'cache-control': 'private, no-store',
      'x-mingbai-preview': 'unavailable',
    },
  });
};

/** Shown in place of a view the API does not serve yet: stretched to the attachment's box by the page. */
const STAND_IN = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 300"><rect width="400" height="300" fill="#e8e6e1"/><text x="200" y="140" font-size="22" text-anchor="middle" fill="#555">公开前的预览暂时看不到</text><text x="200" y="175" font-size="16" text-anchor="middle" fill="#777">公开后这里显示遮盖后的图片</text></svg>`;
