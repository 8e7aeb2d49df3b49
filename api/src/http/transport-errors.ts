// Errors answered by the HTTP layer itself, before or around GraphQL: the same JSON shape as a GraphQL error
// (`{"errors":[{"message","extensions":{"code",…}}]}`), so a client reads every failure one way.
import type { ServerResponse } from 'node:http';
import { isDatabaseUnavailable } from '@mingbai/db/client';
import { DATABASE_UNAVAILABLE_MESSAGE, INTERNAL_MESSAGE, type ApiErrorCode } from '../errors.ts';

export function sendError(
  res: ServerResponse,
  status: number,
  code: ApiErrorCode,
  message: string,
  details: Record<string, unknown> = {},
): void {
  res.setHeader('cache-control', 'no-store');
  res
    .writeHead(status, { 'content-type': 'application/json; charset=utf-8' })
    .end(JSON.stringify({ errors: [{ message, extensions: { code, ...details } }] }));
}

const DATABASE_UNAVAILABLE: ApiErrorCode = 'DATABASE_UNAVAILABLE';

/** A GraphQL answer that carries this code is sent as 503 with Retry-After (see graphql-endpoint.ts). */
export function reportsDatabaseUnavailable(responseText: string): boolean {
  return responseText.includes(`"code":"${DATABASE_UNAVAILABLE}"`);
}

/**
 * The last word on a request whose handler threw. Signing in and rate limiting read the database before GraphQL runs:
 * a database restart is answered 503, not as an internal error; anything else is logged and answered 500.
 */
export function answerFailure(res: ServerResponse, error: unknown): void {
  if (isDatabaseUnavailable(error)) {
    console.error('database unavailable:', (error as Error).message);
    if (!res.headersSent) {
      res.setHeader('retry-after', '1');
      sendError(res, 503, DATABASE_UNAVAILABLE, DATABASE_UNAVAILABLE_MESSAGE);
    } else res.end();
    return;
  }
  console.error('request failed', error);
  if (!res.headersSent) sendError(res, 500, 'INTERNAL_SERVER_ERROR', INTERNAL_MESSAGE);
  else res.end();
}
