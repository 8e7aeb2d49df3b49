import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { AstroCookies } from 'astro';
import { ApiError } from './api';

/**
 * Committee sessions: the API's bearer token lives in an HttpOnly, SameSite cookie, never in a page. Forms carry a
 * CSRF token that must match a second cookie (double submit), and a cross-site Origin is refused outright.
 */
export const SESSION_COOKIE = 'mingbai_session';
const CSRF_COOKIE = 'mingbai_csrf';
const API_URL = process.env.MINGBAI_API_URL ?? `http://127.0.0.1:${process.env.API_PORT ?? '4000'}/graphql`;

function secure(url: URL): boolean {
  return url.protocol === 'https:' || process.env.MINGBAI_SECURE_COOKIES === 'true';
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

export function endSession(cookies: AstroCookies): void {
  cookies.delete(SESSION_COOKIE, { path: '/' });
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
 * Where the browser thinks it is: MINGBAI_PUBLIC_URL when set (behind a proxy that rewrites Host), otherwise the
 * request's own Host. Astro's `url.origin` drops the port unless hosts are configured at build time.
 */
export function publicOrigin(request: Request, url: URL): string {
  if (process.env.MINGBAI_PUBLIC_URL) return process.env.MINGBAI_PUBLIC_URL.replace(/\/$/, '');
  const host = request.headers.get('x-forwarded-host') ?? request.headers.get('host') ?? url.host;
  const proto = request.headers.get('x-forwarded-proto') ?? url.protocol.replace(':', '');
  return `${proto}://${host}`;
}

/** True when a POST came from our own form: same origin, and the form's token matches the cookie. */
export function csrfOk(request: Request, cookies: AstroCookies, url: URL, form: FormData): boolean {
  const origin = request.headers.get('origin');
  if (origin && new URL(origin).host !== new URL(publicOrigin(request, url)).host) return false;
  const cookie = cookies.get(CSRF_COOKIE)?.value ?? '';
  const field = String(form.get('csrf') ?? '');
  if (cookie.length < 32 || cookie.length !== field.length) return false;
  return timingSafeEqual(Buffer.from(cookie), Buffer.from(field));
}

/** A GraphQL call as the signed-in user. */
export async function graphqlAs<T>(
  token: string | undefined,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<{ data?: T; errors?: { message: string; extensions?: { code?: string } }[] }> {
  try {
    const response = await fetch(API_URL, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(60_000),
    });
    return (await response.json()) as { data?: T; errors?: { message: string; extensions?: { code?: string } }[] };
  } catch {
    throw new ApiError('数据接口暂时连不上，请稍后再试');
  }
}
