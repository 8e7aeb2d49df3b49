import type { APIRoute } from 'astro';
import { secure } from '../../lib/session';
import { parseTextSize, safeBack, TEXT_SIZE_COOKIE, TEXT_SIZE_MAX_AGE_SECONDS } from '../../lib/text-size';

/**
 * The 大字 switch: a plain link (no JavaScript, no form) that remembers the text size in a cookie and goes back to the
 * page it came from (a path of this site only). `size=standard` goes back to the standard size.
 */
export const GET: APIRoute = ({ url, cookies }) => {
  const size = parseTextSize(url.searchParams.get('size'));
  const back = safeBack(url.searchParams.get('back'));
  if (size === 'large') {
    cookies.set(TEXT_SIZE_COOKIE, 'large', {
      path: '/',
      sameSite: 'lax',
      httpOnly: true,
      secure: secure(url),
      maxAge: TEXT_SIZE_MAX_AGE_SECONDS,
    });
  } else if (size === 'standard') {
    cookies.delete(TEXT_SIZE_COOKIE, { path: '/', sameSite: 'lax', httpOnly: true, secure: secure(url) });
  }
  return new Response(null, { status: 303, headers: { location: back, 'cache-control': 'no-store' } });
};
