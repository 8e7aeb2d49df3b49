import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { AstroCookies } from 'astro';
import { config } from './config';

/**
 * Committee sessions: the API's bearer token lives in an HttpOnly, SameSite cookie, never in a page. Forms carry a
 * CSRF token that must match a second cookie (double submit), and a cross-site Origin is refused outright.
 */
export const SESSION_COOKIE = 'mingbai_session';
const CSRF_COOKIE = 'mingbai_csrf';

/**
 * Whether the browser reached us over TLS: the public address is https
 * (MINGBAI_PUBLIC_URL), MINGBAI_SECURE_COOKIES=true says so, or a trusted proxy says `X-Forwarded-Proto: https`.
 * A forwarded header from anyone else is ignored.
 */
export function behindTls(request: Request, _url: URL, peerAddress: string | undefined): boolean {
  // Not url.protocol: the Node adapter builds it from X-Forwarded-Proto whoever sent it. The portal itself serves
  // plain HTTP; TLS ends at a proxy.
  if (config.secureCookies) return true;
  if (config.publicUrl.startsWith('https://')) return true;
  const proto = request.headers.get('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase();
  return proto === 'https' && peerAddress !== undefined && config.trustedProxies.includes(peerAddress);
}

const tls = new AsyncLocalStorage<boolean>();

/** Renders a request knowing whether it came over TLS (see behindTls), so its cookies are Secure when it did. */
export function withTls<T>(secureRequest: boolean, render: () => T): T {
  return tls.run(secureRequest, render);
}

/** Whether cookies set while rendering this request are Secure (see withTls). */
export function secure(url: URL): boolean {
  return tls.getStore() ?? (url.protocol === 'https:' || config.secureCookies);
}

export function sessionToken(cookies: AstroCookies): string | undefined {
  return cookies.get(SESSION_COOKIE)?.value || undefined;
}

export function startSession(cookies: AstroCookies, url: URL, token: string, expiresAt: string): void {
  cookies.set(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'lax',
    secure: secure(url),
    path: '/',
    expires: new Date(expiresAt),
  });
}

export function endSession(cookies: AstroCookies, url: URL): void {
  cookies.delete(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'lax', secure: secure(url) });
}

/** The CSRF token for this browser, created on first use. Put it in every form as `csrf`. */
export function csrfToken(cookies: AstroCookies, url: URL): string {
  const existing = cookies.get(CSRF_COOKIE)?.value;
  if (existing && /^[A-Za-z0-9_-]{32,}$/.test(existing)) return existing;
  const token = randomBytes(24).toString('base64url');
  cookies.set(CSRF_COOKIE, token, { httpOnly: true, sameSite: 'strict', secure: secure(url), path: '/' });
  return token;
}

/**
 * True when a POST came from our own form: not marked cross-site by the browser, same origin (an unreadable Origin
 * such as `null` counts as foreign), and the form's token matches the cookie. Same origin means the configured public
 * origin, or the Host the browser itself addressed (a browser writes both Origin and Host; a page elsewhere cannot
 * make them agree). X-Forwarded-Host plays no part.
 */
export function csrfOk(request: Request, cookies: AstroCookies, _url: URL, form: FormData): boolean {
  if (!sameOrigin(request)) return false;
  const cookie = cookies.get(CSRF_COOKIE)?.value ?? '';
  const field = String(form.get('csrf') ?? '');
  if (cookie.length < 32 || cookie.length !== field.length) return false;
  return timingSafeEqual(Buffer.from(cookie), Buffer.from(field));
}

/**
 * False when the browser says a POST came from another site: Sec-Fetch-Site cross-site, or an Origin (else, with
 * `requireSource`, a Referer) that is not ours. Ours is the configured public origin, or the Host the browser itself
 * addressed. The anonymous ask form sets `requireSource`: it has no cookie to double-submit, so a post that names no
 * page it came from (a script, a stripped header) is refused too; every browser sends Origin with a form's POST, and
 * this portal's Referrer-Policy (same-origin) keeps the Referer on its own forms.
 */
export function sameOrigin(request: Request, options: { requireSource?: boolean } = {}): boolean {
  if (request.headers.get('sec-fetch-site') === 'cross-site') return false;
  const ours = (host: string | undefined) =>
    host !== undefined && (host === new URL(config.publicUrl).host || host === request.headers.get('host'));
  const origin = request.headers.get('origin');
  if (origin) return ours(originHost(origin));
  const referer = request.headers.get('referer');
  if (referer && options.requireSource) return ours(originHost(referer));
  return !options.requireSource;
}

function originHost(origin: string): string | undefined {
  try {
    return new URL(origin).host;
  } catch {
    return undefined;
  }
}
