import { AsyncLocalStorage } from 'node:async_hooks';
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
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

/** One error of a GraphQL answer, as the API sends it: a Chinese message and a stable `extensions.code`. */
export interface GraphQLErrorItem {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string } & Record<string, unknown>;
}

/** A GraphQL answer: data, errors beside it, or both. */
export interface GraphQLAnswer<T> {
  data?: T;
  errors?: GraphQLErrorItem[];
}

export class ApiError extends Error {
  override name = 'ApiError';
  /** The first error's code (api/src/errors.ts API_ERROR_CODES), for pages to choose a status by; none when the API was not reached. */
  readonly code: string | undefined;
  /** The first error's extensions: `argument`, `limit`, `resetAt`, … */
  readonly extensions: Record<string, unknown>;
  /**
   * True when trying again shortly may work: the API could not be reached, did not answer in time, or answered
   * 503 (database restarting) or 429 (too busy). The error page then says 503 with Retry-After instead of 500.
   */
  readonly temporary: boolean;
  constructor(message: string, options: { temporary?: boolean; errors?: GraphQLErrorItem[] } = {}) {
    super(message);
    this.temporary = options.temporary ?? false;
    this.extensions = options.errors?.[0]?.extensions ?? {};
    this.code = typeof this.extensions.code === 'string' ? this.extensions.code : undefined;
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

const UNREACHABLE = '数据接口暂时连不上，请稍后再试';

/**
 * Page reads go over node:http with kept-alive connections, not fetch(): undici's Request, Response, streams and
 * AbortSignal cost the portal about 1 ms of CPU per page (issue 19's profile, bench/README.md), more than the
 * bytes themselves. The API answers loopback JSON uncompressed, so nothing is asked to be gzipped and unzipped here.
 */
const API_TARGET = new URL(API_URL);
const SECURE = API_TARGET.protocol === 'https:';
const AGENT = SECURE ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });

/** One POST over a kept-alive connection: the status and the body's bytes, or a rejection when no answer came. */
function postOnce(
  headers: Record<string, string>,
  body: Buffer,
  timeoutMs: number,
): Promise<{ status: number; bytes: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = (SECURE ? httpsRequest : httpRequest)(
      API_TARGET,
      { method: 'POST', agent: AGENT, headers: { ...headers, 'content-length': String(body.length) } },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, bytes: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks) });
        });
        res.on('error', fail);
        res.on('aborted', () => fail(new Error('aborted')));
      },
    );
    function fail(error: unknown): void {
      clearTimeout(timer);
      // A kept-alive connection the API closed as we reused it: no request reached it, so asking again is safe.
      const code = (error as { code?: string }).code;
      reject(
        Object.assign(new Error('post failed'), { cause: error, retry: req.reusedSocket && code === 'ECONNRESET' }),
      );
    }
    const timer = setTimeout(() => req.destroy(new Error('timeout')), timeoutMs);
    req.on('error', fail);
    req.end(body);
  });
}

/** One POST to the API; the answer's status and body, or an ApiError when the API cannot be reached. */
async function post<T>(
  headers: Record<string, string>,
  query: string,
  variables: unknown,
  timeoutMs: number,
): Promise<{ status: number; body: GraphQLAnswer<T> | undefined }> {
  const sent = Buffer.from(JSON.stringify({ query, variables }));
  const all = { 'content-type': 'application/json', ...forwardedFor(), ...headers };
  let answer: { status: number; bytes: Buffer };
  try {
    answer = await postOnce(all, sent, timeoutMs).catch((error: { retry?: boolean }) => {
      if (error.retry) return postOnce(all, sent, timeoutMs);
      throw error;
    });
  } catch {
    throw new ApiError(UNREACHABLE, { temporary: true });
  }
  let body: GraphQLAnswer<T> | undefined;
  try {
    body = JSON.parse(answer.bytes.toString('utf8')) as GraphQLAnswer<T>;
  } catch {
    body = undefined;
  }
  return { status: answer.status, body };
}

/** A public read for a page: its data, or an ApiError that keeps the API's codes (the page picks its status by code). */
export async function graphql<T, V = Record<string, unknown>>(
  query: TypedQuery<T, V> | string,
  variables: V | Record<string, unknown> = {},
): Promise<T> {
  const { status, body } = await post<T>(PORTAL_READ, query, variables, 15_000);
  const temporary = status === 503 || status === 429;
  if (body?.errors?.length)
    throw new ApiError(body.errors.map((e) => e.message).join('；'), { temporary, errors: body.errors });
  if (!body?.data) throw new ApiError(`数据接口没有返回数据（HTTP ${status}）`, { temporary });
  return body.data;
}

/**
 * A call as the signed-in user (a committee page, signing in or out), on behalf of the visitor's address: the whole
 * answer, errors with their codes beside any data, for the page to show and to choose its status by.
 */
export async function graphqlAs<T>(
  token: string | undefined,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<GraphQLAnswer<T>> {
  const { body } = await post<T>(token ? { authorization: `Bearer ${token}` } : {}, query, variables, 60_000);
  // Not JSON: whatever answered is not the API (a proxy's error page), as good as unreachable.
  if (body === undefined) throw new ApiError(UNREACHABLE, { temporary: true });
  return body;
}

/** What the API's upload route takes, by the file name's extension; anything else is left to the API to refuse. */
const UPLOAD_TYPES: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  pdf: 'application/pdf',
};

/**
 * A file attached as the signed-in user through the API's binary upload route (`POST /attachments/{village}/{yyyy-mm}`,
 * the raw bytes; api/src/http/upload-endpoint.ts), not as Base64 inside a GraphQL body: the API streams it to disk. The
 * answer is `attachFile`'s: `{ data: { attachFile } }` or `{ errors }`.
 */
export async function uploadAs<T>(
  token: string,
  target: { villageSlug: string; year: number; month: number },
  fields: { filename: string; voucherNumber: number | null; kind: string; redactions: unknown[] },
  file: Blob,
): Promise<GraphQLAnswer<T>> {
  const ext = /\.([A-Za-z0-9]{1,8})$/.exec(fields.filename)?.[1]?.toLowerCase() ?? '';
  const url = new URL(
    // Beside /graphql, wherever the API is mounted.
    `attachments/${encodeURIComponent(target.villageSlug)}/${target.year}-${String(target.month).padStart(2, '0')}`,
    API_URL,
  );
  url.searchParams.set('filename', fields.filename);
  url.searchParams.set('kind', fields.kind);
  if (fields.voucherNumber !== null) url.searchParams.set('voucher', String(fields.voucherNumber));
  if (fields.redactions.length > 0) url.searchParams.set('redactions', JSON.stringify(fields.redactions));
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': UPLOAD_TYPES[ext] ?? 'application/octet-stream',
        authorization: `Bearer ${token}`,
        ...forwardedFor(),
      },
      body: file,
      signal: AbortSignal.timeout(60_000),
    });
  } catch {
    throw new ApiError(UNREACHABLE, { temporary: true });
  }
  const body = (await response.json().catch(() => undefined)) as GraphQLAnswer<T> | undefined;
  if (body === undefined) throw new ApiError(UNREACHABLE, { temporary: true });
  return body;
}

export function forwardedFor(): Record<string, string> {
  const address = visitor.getStore();
  return address ? { 'x-forwarded-for': address } : {};
}
