/**
 * 大字 (elder mode), after China's app guidelines for older users (适老化): larger text, larger tap targets, the same
 * pages. The visitor's choice lives in a cookie set by a plain link (`/settings/text?size=large&back=…`), so it works
 * without JavaScript; every page reads it through `textSize`, and the page cache keys on it (middleware.ts), so one
 * mode's HTML is never served to the other.
 */
export const TEXT_SIZE_COOKIE = 'mingbai_text';

export type TextSize = 'standard' | 'large';

/** A year: a setting an older villager makes once, on the phone they always use. */
export const TEXT_SIZE_MAX_AGE_SECONDS = 365 * 24 * 60 * 60;

/** The mode a request asks for, from its Cookie header: `large` only when the cookie says exactly that. */
export function textSizeOfCookieHeader(cookie: string | null | undefined): TextSize {
  for (const part of (cookie ?? '').split(';')) {
    const [name, value] = part.split('=', 2).map((s) => s.trim());
    if (name === TEXT_SIZE_COOKIE) return value === 'large' ? 'large' : 'standard';
  }
  return 'standard';
}

export function textSize(request: Request): TextSize {
  return textSizeOfCookieHeader(request.headers.get('cookie'));
}

/** `?size=` as typed: `large` or `standard`, anything else undefined. */
export function parseTextSize(text: string | null): TextSize | undefined {
  return text === 'large' || text === 'standard' ? text : undefined;
}

/**
 * Where to go back to after the switch: a path of this site only (`/v/fucun?x=1`), never another site
 * (`//evil.example`, `/\evil.example`, `https://…`) nor a control character; else the home page.
 */
export function safeBack(back: string | null): string {
  if (!back || back.length > 2000) return '/';
  if (!back.startsWith('/') || back.startsWith('//') || back.includes('\\')) return '/';
  // eslint-disable-next-line no-control-regex -- a header value must not carry control characters
  if (/[\u0000-\u001f\u007f-\u009f]/.test(back)) return '/';
  try {
    const parsed = new URL(back, 'http://portal.invalid');
    if (parsed.origin !== 'http://portal.invalid') return '/';
    // The switch itself as the way back would loop: go home.
    if (parsed.pathname.startsWith('/settings/')) return '/';
    return parsed.pathname + parsed.search + parsed.hash;
  } catch {
    return '/';
  }
}

/** The link that switches to `size` and comes back to `here` (a path and query of this site). */
export function switchHref(size: TextSize, here: string): string {
  return `/settings/text?size=${size}&back=${encodeURIComponent(here)}`;
}
