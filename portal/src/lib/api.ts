import { AsyncLocalStorage } from 'node:async_hooks';
import { config } from './config';

/** The portal is a client of the public GraphQL API like any other. */
export const API_URL = config.apiUrl;

const visitor = new AsyncLocalStorage<string | undefined>();

/**
 * Runs a page render on behalf of a visitor, whose address (by the middleware's one rule) goes to the API as
 * X-Forwarded-For, which the API believes from the portal on loopback: the login throttle, the query explorer and /data
 * downloads count against the visitor, never the portal. The page's own reads are the portal's (see PORTAL_READ).
 */
export function withVisitor<T>(address: string | undefined, render: () => T): T {
  return visitor.run(address, render);
}

/**
 * The portal's page reads present the secret it shares with the API (MINGBAI_PORTAL_SECRET), so they spend no
 * visitor's hourly points: a household or village office behind one address would otherwise run out after a few
 * hundred pages. The portal caches those pages and limits each visitor's requests itself (lib/visitor-budget.ts).
 */
const PORTAL_READ: Record<string, string> = config.portalSecret ? { 'x-mingbai-portal': config.portalSecret } : {};

export class ApiError extends Error {
  override name = 'ApiError';
  /**
   * True when trying again shortly may work: the API could not be reached, did not answer in time, or answered
   * 503 (database restarting) or 429 (too busy). The error page then says 503 with Retry-After instead of 500.
   */
  constructor(
    message: string,
    readonly temporary = false,
  ) {
    super(message);
  }
}

/** How long a visitor's browser (or a proxy) should wait before retrying a page the API could not answer. */
export const RETRY_AFTER_SECONDS = 10;

export interface Money {
  fen: string;
  yuan: string;
}

/** A query text that carries its result and variables types (see queries.ts, typed by codegen). */
export type TypedQuery<Result, Variables> = string & { readonly __types?: [Result, Variables] };

export async function graphql<T, V = Record<string, unknown>>(
  query: TypedQuery<T, V> | string,
  variables: V | Record<string, unknown> = {},
): Promise<T> {
  let response: Response;
  try {
    response = await fetch(API_URL, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...forwardedFor(), ...PORTAL_READ },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(15_000),
    });
  } catch {
    throw new ApiError('数据接口暂时连不上，请稍后再试', true);
  }
  const temporary = response.status === 503 || response.status === 429;
  const body = (await response.json().catch(() => ({}))) as { data?: T; errors?: { message: string }[] };
  if (body.errors?.length) throw new ApiError(body.errors.map((e) => e.message).join('；'), temporary);
  if (!body.data) throw new ApiError(`数据接口没有返回数据（HTTP ${response.status}）`, temporary);
  return body.data;
}

export function forwardedFor(): Record<string, string> {
  const address = visitor.getStore();
  return address ? { 'x-forwarded-for': address } : {};
}
