import { defineMiddleware } from 'astro:middleware';
import { withVisitor } from './lib/api.ts';

/**
 * Security headers on every page. The portal ships no script at all, so the policy forbids every script; styles
 * are inline in each page (one small sheet, no extra request on a weak connection).
 */
const POLICY = [
  "default-src 'none'",
  "style-src 'unsafe-inline'",
  "img-src 'self' data:",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "script-src 'none'",
].join('; ');

export const onRequest = defineMiddleware(async (context, next) => {
  // The API limits queries per visitor's address; every query made while rendering this request carries it.
  const response = await withVisitor(visitorAddress(context), next);
  response.headers.set('content-security-policy', POLICY);
  response.headers.set('x-content-type-options', 'nosniff');
  response.headers.set('referrer-policy', 'same-origin');
  response.headers.set('x-frame-options', 'DENY');
  return response;
});

function visitorAddress(context: { clientAddress: string }): string | undefined {
  try {
    return context.clientAddress;
  } catch {
    return undefined; // prerendered pages have none
  }
}
