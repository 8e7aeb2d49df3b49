import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { config } from './config';

/**
 * The token of the anonymous ask form (`/v/{slug}/ask`). The form sits on the month and voucher pages, which every
 * visitor shares through the page cache, so the token cannot be per visitor (a per-visitor token needs a cookie, and a
 * page that sets one is never cached). It is per page instead: an HMAC of what the form asks about (village, month,
 * voucher) and the hour it was issued, with a key only this portal holds. A page elsewhere cannot make one without
 * reading ours, and the Origin/Referer check (sameOrigin in session.ts) keeps other sites' pages from posting a token
 * they fetched. Every visitor of the same page in the same hour gets the same token: nothing of a visitor is in it, so
 * nothing leaks between visitors through the cache.
 */
const HOUR_MS = 3_600_000;
/** A page left open over a weekend still posts; older tokens ask the visitor to send again (the text is kept). */
const VALID_HOURS = 72;

/**
 * The key: derived from MINGBAI_PORTAL_SECRET when it is set (several portal processes behind one address accept each
 * other's tokens; the API's secret itself never appears in a page), else random for this process.
 */
const KEY: Buffer = config.portalSecret
  ? createHmac('sha256', config.portalSecret).update('mingbai ask-form token v1').digest()
  : randomBytes(32);

/** What a form asks about: the village, and the month and voucher when it is on their page. */
export interface AskTarget {
  slug: string;
  year?: number | undefined;
  month?: number | undefined;
  voucherNumber?: number | undefined;
}

function mac(target: AskTarget, hour: number): string {
  const about = `${target.slug}|${target.year ?? ''}|${target.month ?? ''}|${target.voucherNumber ?? ''}|${hour}`;
  return createHmac('sha256', KEY).update(about).digest('base64url').slice(0, 32);
}

/** The hour the token is issued in: part of the month page's ETag, so a cached copy never holds an expired token. */
export function tokenHour(now = Date.now()): number {
  return Math.floor(now / HOUR_MS);
}

/** The form's token for this target, the same for every visitor this hour. */
export function askToken(target: AskTarget, now = Date.now()): string {
  const hour = tokenHour(now);
  return `${hour.toString(36)}.${mac(target, hour)}`;
}

/** Why a posted token is refused, or undefined when it is good for this target. */
export function askTokenProblem(
  token: string,
  target: AskTarget,
  now = Date.now(),
): 'missing' | 'expired' | 'forged' | undefined {
  const match = /^([0-9a-z]{1,10})\.([A-Za-z0-9_-]{32})$/.exec(token);
  if (!match) return token ? 'forged' : 'missing';
  const hour = parseInt(match[1]!, 36);
  const given = Buffer.from(match[2]!);
  const expected = Buffer.from(mac(target, hour));
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'forged';
  const age = tokenHour(now) - hour;
  if (age < 0 || age > VALID_HOURS) return 'expired';
  return undefined;
}
