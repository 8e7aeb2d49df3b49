import { jitGateway } from './graphql/execution/jit-executor.ts';
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { unwrapResolverError } from '@apollo/server/errors';
import type { GraphQLFormattedError } from 'graphql';
import { sql } from 'drizzle-orm';
import {
  isCancelledWork,
  isDatabaseUnavailable,
  QueryScope,
  withQueryScope,
  withStatementLog,
  type Db,
} from '@mingbai/db/client';
import { authenticateApiKey, isApiKey } from './auth/api-keys.service.ts';
import { authenticate } from './auth/auth.service.ts';
import type { Viewer } from './auth/viewer.ts';
import { createContext, type Context } from './graphql/context.ts';
import { handleOpenData, type OpenDataDeadlines } from './opendata/opendata.http.ts';
import { inChinese, persistedQueryCode } from './error-messages.ts';
import { INTERNAL_MESSAGE, toGraphQLError } from './errors.ts';
import { LIMITS } from './limits/limits.ts';
import { limitsPlugin } from './limits/limits.plugin.ts';
import { checkQueryShape } from './limits/query-limits.ts';
import {
  clientAddress,
  DEFAULT_TRUSTED_PROXIES,
  isPortal,
  RateLimiter,
  type RateClient,
  type RateLimitState,
} from './limits/rate-limit.ts';
import type { RequestLimits } from './limits/request-limits.ts';
import { buildApiSchema } from './graphql/schema.ts';

export interface ApiServerOptions {
  db: Db;
  port: number;
  host?: string;
  /** Add `extensions.sql.statements` to every response: the SQL statements the request ran. */
  exposeSqlStats?: boolean;
  /** Points per hour; defaults from LIMITS. Tests and benchmarks raise or lower them. */
  rateLimits?: {
    anonymousPointsPerHour?: number;
    apiKeyPointsPerHour?: number;
    anonymousDataBytesPerHour?: number;
    apiKeyDataBytesPerHour?: number;
    windowSeconds?: number;
  };
  /** Queries run compiled by graphql-jit (default) or, when false, on graphql-js. */
  compiledQueries?: boolean;
  /** Default LIMITS.executionTimeoutMs. */
  executionTimeoutMs?: number;
  /** Default OPEN_DATA_DEADLINES. */
  openDataDeadlines?: OpenDataDeadlines;
  /** Peers whose X-Forwarded-For is believed (default: loopback, where the portal runs). */
  trustedProxies?: readonly string[];
  /** The portal's public origin (MINGBAI_PUBLIC_URL): absolute links in responses are built on it, never on Host. */
  publicUrl?: string;
  /** Shared with the portal (MINGBAI_PORTAL_SECRET): its page reads are not charged to visitors (see isPortal). */
  portalSecret?: string;
  /** How long a client may take to send a request's headers before it is closed (default 66 s; tests shorten it). */
  headersTimeoutMs?: number;
}

export interface RunningApi {
  url: string;
  server: Server;
  close(): Promise<void>;
}

type RequestContext = Context & { sql: { statements: string[] } };

/** Apollo Server on plain Node HTTP: /graphql for queries, /healthz for load balancers. */
export async function startApiServer(options: ApiServerOptions): Promise<RunningApi> {
  const rateLimiter = new RateLimiter(options.rateLimits?.windowSeconds);
  const timeoutMs = options.executionTimeoutMs ?? LIMITS.executionTimeoutMs;
  const anonymousLimit = options.rateLimits?.anonymousPointsPerHour ?? LIMITS.anonymousPointsPerHour;
  const apiKeyLimit = options.rateLimits?.apiKeyPointsPerHour ?? LIMITS.apiKeyPointsPerHour;
  const trustedProxies = options.trustedProxies ?? DEFAULT_TRUSTED_PROXIES;
  const dataBytes = new RateLimiter(options.rateLimits?.windowSeconds);
  const anonymousDataBytes = options.rateLimits?.anonymousDataBytesPerHour ?? LIMITS.anonymousDataBytesPerHour;
  const apiKeyDataBytes = options.rateLimits?.apiKeyDataBytesPerHour ?? LIMITS.apiKeyDataBytesPerHour;
  const schema = await buildApiSchema();
  const apollo = new ApolloServer<RequestContext>({
    // Queries compiled once per document (api/src/graphql/execution), unless asked to run on graphql-js.
    ...(options.compiledQueries === false ? { schema } : { gateway: jitGateway(schema) }),
    introspection: true,
    // Stack traces are for our logs, never for the public.
    includeStacktraceInErrorResponses: false,
    // Apollo's CSRF guard protects cookie-authenticated APIs; this one takes only bearer tokens (see bearerToken),
    // and public data must be fetchable with a plain GET by any client or cache.
    csrfPrevention: false,
    // Automatic persisted queries use Apollo's default bounded in-memory cache.
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      // Apollo's cache-control plugin hooks every field of every response; its header is replaced below anyway.
      ApolloServerPluginCacheControlDisabled(),
      limitsPlugin(rateLimiter),
      ...(options.exposeSqlStats ? [sqlStatsPlugin] : []),
    ],
    formatError: formatError,
  });
  await apollo.start();

  const headersTimeoutMs = options.headersTimeoutMs ?? 66_000;
  // Node checks for overdue headers on this interval (30 s by default), so a short timeout needs a shorter interval.
  const connectionsCheckingInterval = Math.max(100, Math.min(30_000, Math.floor(headersTimeoutMs / 2)));
  const server = createServer({ connectionsCheckingInterval }, (req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (isDatabaseUnavailable(error)) {
        // Signing in and rate limiting read the database before GraphQL runs: a restart is not an internal error.
        console.error('database unavailable:', (error as Error).message);
        if (!res.headersSent) sendDatabaseUnavailable(res);
        else res.end();
        return;
      }
      console.error('request failed', error);
      if (!res.headersSent) sendError(res, 500, 'INTERNAL_SERVER_ERROR', INTERNAL_MESSAGE);
      else res.end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    res.setHeader('access-control-allow-origin', '*');
    if (url.pathname === '/healthz') {
      await options.db.execute(sql`select 1`);
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('ok');
      return;
    }
    if (url.pathname === '/data' || url.pathname.startsWith('/data/')) return serveOpenData(req, res, url);
    if (url.pathname !== '/graphql') {
      sendError(res, 404, 'NOT_FOUND', '没有这个地址；GraphQL 接口在 /graphql', {
        englishMessage: 'No such path; the GraphQL API is at /graphql',
      });
      return;
    }
    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        'access-control-allow-methods': 'GET, POST, OPTIONS',
        'access-control-allow-headers': 'content-type, authorization, apollo-require-preflight',
        'access-control-expose-headers': EXPOSED_HEADERS,
        'access-control-max-age': '86400',
      });
      res.end();
      return;
    }
    if (req.method !== 'GET' && req.method !== 'POST') {
      res.setHeader('allow', 'GET, POST, OPTIONS');
      sendError(res, 405, 'METHOD_NOT_ALLOWED', 'GraphQL 接口只接受 GET 和 POST', {
        englishMessage: 'The GraphQL API accepts GET and POST only',
      });
      return;
    }
    res.setHeader('access-control-expose-headers', EXPOSED_HEADERS);

    const caller = await identify(req);
    if (caller === INVALID_KEY) {
      sendError(res, 401, 'INVALID_API_KEY', 'API 密钥无效或已被吊销', {
        englishMessage: 'The API key is invalid or revoked',
      });
      return;
    }
    const { viewer, client } = caller;
    // Every request spends a point on arrival, even one that never parses; its query's cost is spent once known.
    const arrival = await rateLimiter.spend(client, 1);
    const limits: RequestLimits = {
      client,
      cost: null,
      rate: arrival.state,
      readsPrivateData: false,
      isMutation: false,
    };
    if (!arrival.allowed) {
      setRateLimitHeaders(res, limits.rate);
      setRetryAfter(res, limits.rate);
      sendError(res, 429, 'RATE_LIMITED', `本小时的查询点数已用完，${limits.rate.resetAt.toISOString()} 重置`, {
        resetAt: limits.rate.resetAt.toISOString(),
        englishMessage: `No points left this hour; the budget resets at ${limits.rate.resetAt.toISOString()}`,
      });
      return;
    }

    const bodyLimit = viewer ? LIMITS.maxAuthenticatedBodyBytes : LIMITS.maxBodyBytes;
    const body = req.method === 'POST' ? await readBody(req, bodyLimit) : undefined;
    if (body === TOO_LARGE) {
      // The rest of the upload is read and dropped (readBody) while this answer goes out, so the connection is not
      // reset under a client still sending: on a real network a reset can destroy the answer before it is read.
      sendError(res, 413, 'PAYLOAD_TOO_LARGE', `请求体超过 ${bodyLimit} 字节`, {
        limit: bodyLimit,
        englishMessage: `Request body over ${bodyLimit} bytes`,
      });
      return;
    }
    let parsedBody: unknown;
    if (body !== undefined && body.length > 0) {
      try {
        parsedBody = (req.headers['content-type'] ?? '').includes('json') ? JSON.parse(body) : body;
      } catch {
        sendError(res, 400, 'BAD_REQUEST', '请求体不是有效的 JSON', { englishMessage: 'The body is not valid JSON' });
        return;
      }
    }
    const queryText = req.method === 'GET' ? url.searchParams.get('query') : (parsedBody as { query?: unknown })?.query;
    const shapeError = typeof queryText === 'string' ? checkQueryShape(schema, queryText) : undefined;
    if (shapeError) {
      setRateLimitHeaders(res, limits.rate);
      sendError(res, 400, String(shapeError.extensions.code), shapeError.message, {
        limit: shapeError.extensions.limit,
      });
      return;
    }
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    const sqlLog = { statements: [] as string[] };
    const queries = new QueryScope();
    const execution = withQueryScope(queries, () =>
      withStatementLog(sqlLog, () =>
        apollo.executeHTTPGraphQLRequest({
          httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: url.search, body: parsedBody },
          context: async () => ({ ...createContext(options.db, viewer, limits), sql: sqlLog }),
        }),
      ),
    );
    // Reads are cut off; a mutation (an upload, a publication) is waited for, since answering before its transaction
    // ends would tell the client it failed when it may still commit.
    const result = await withTimeout(execution, timeoutMs, () => !limits.isMutation);
    setRateLimitHeaders(res, limits.rate);
    if (result === TIMED_OUT) {
      // The answer is given up on, so is its SQL: nothing keeps running for a client that has had its answer.
      queries.cancel();
      sendError(res, 503, 'QUERY_TIMEOUT', `查询超过 ${timeoutMs / 1000} 秒未完成，请缩小范围后重试`, {
        limit: LIMITS.executionTimeoutMs,
      });
      return;
    }
    for (const [key, value] of result.headers) res.setHeader(key, value);
    // Parse and validation errors keep Apollo's 400 for every media type, as the docs' error table says. The
    // GraphQL-over-HTTP spec prefers 200 for application/json (a 4xx could come from a proxy) but allows 4xx for it;
    // one status per code is simpler for clients and caches, and the audit (tests/http/graphql-over-http.test.ts)
    // lists the three SHOULDs this departs from.
    let status = result.status ?? 200;
    // A 429 from the price check says when to come back, like the one refused on arrival.
    if (status === 429) setRetryAfter(res, limits.rate);
    if (result.body.kind === 'complete' && result.body.string.includes(`"code":"${DATABASE_UNAVAILABLE}"`)) {
      status = 503;
      res.setHeader('retry-after', '1');
    }
    if (result.body.kind !== 'complete') {
      res.statusCode = status;
      for await (const chunk of result.body.asyncIterator) res.write(chunk);
      res.end();
      return;
    }
    const text = result.body.string;
    const isPublic =
      req.method === 'GET' &&
      status === 200 &&
      !viewer &&
      !client.key.startsWith('key:') &&
      !limits.readsPrivateData &&
      limits.cost !== null &&
      !hasErrors(text);
    if (!isPublic) {
      res.setHeader('cache-control', 'private, no-store');
      res.statusCode = status;
      res.end(text);
      return;
    }
    sendCacheable(req, res, text, LIMITS.publicMaxAgeSeconds);
  }

  /**
   * /data downloads spend bytes per hour, per address or key (x-ratelimit-* count bytes here). A download is charged
   * what was sent when it ends, so the last one may overdraw the budget; the next is refused until the window resets.
   */
  async function serveOpenData(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const publicUrl = options.publicUrl;
    if (req.method === 'OPTIONS')
      return handleOpenData(req, res, options.db, url, publicUrl, options.openDataDeadlines);
    res.setHeader(
      'access-control-expose-headers',
      'etag, retry-after, x-ratelimit-limit, x-ratelimit-remaining, x-ratelimit-reset',
    );
    const caller = await identify(req);
    if (caller === INVALID_KEY) {
      sendError(res, 401, 'INVALID_API_KEY', 'API 密钥无效或已被吊销');
      return;
    }
    const { key, unmetered } = caller.client;
    const budget: RateClient = {
      key,
      limit: key.startsWith('ip:') ? anonymousDataBytes : apiKeyDataBytes,
      ...(unmetered ? { unmetered } : {}),
    };
    const state = await dataBytes.peek(budget);
    setRateLimitHeaders(res, state);
    if (state.remaining <= 0) {
      res.setHeader('retry-after', String(Math.max(1, Math.ceil((state.resetAt.getTime() - Date.now()) / 1000))));
      sendError(res, 429, 'RATE_LIMITED', `本小时的下载量已用完，${state.resetAt.toISOString()} 重置`, {
        resetAt: state.resetAt.toISOString(),
      });
      return;
    }
    const socket = req.socket;
    const sentBefore = socket.bytesWritten;
    res.once('close', () => {
      dataBytes.charge(budget, socket.bytesWritten - sentBefore).catch((error: unknown) => {
        console.error('could not count a download', error);
      });
    });
    return handleOpenData(req, res, options.db, url, publicUrl, options.openDataDeadlines);
  }

  /** Who is asking: a committee member (session token), an API key's holder, or the public by address. */
  async function identify(
    req: IncomingMessage,
  ): Promise<{ viewer: Viewer | null; client: RateClient } | typeof INVALID_KEY> {
    const token = bearerToken(req);
    if (token && isApiKey(token)) {
      const key = await authenticateApiKey(options.db, token);
      if (!key) return INVALID_KEY;
      return { viewer: null, client: { key: `key:${key.keyId}`, limit: key.pointsPerHour ?? apiKeyLimit } };
    }
    const viewer = token ? await authenticate(options.db, token) : null;
    if (viewer) return { viewer, client: { key: `user:${viewer.userId}`, limit: apiKeyLimit } };
    if (!token && isPortal(req, options.portalSecret))
      return { viewer: null, client: { key: 'portal', limit: anonymousLimit, unmetered: true } };
    return { viewer: null, client: { key: `ip:${clientAddress(req, trustedProxies)}`, limit: anonymousLimit } };
  }

  // Idle keep-alive connections outlive the client's and a load balancer's own timeouts, so the client never sends a
  // request down a socket the server is closing at that instant (ECONNRESET under load).
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = headersTimeoutMs;
  await new Promise<void>((resolve) => server.listen(options.port, options.host ?? '127.0.0.1', resolve));
  const address = server.address() as AddressInfo;
  return {
    url: `http://${address.address.includes(':') ? `[${address.address}]` : address.address}:${address.port}/graphql`,
    server,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await apollo.stop();
    },
  };
}

const INVALID_KEY = Symbol('invalid api key');
const TIMED_OUT = Symbol('timed out');

function withTimeout<T>(work: Promise<T>, ms: number, mayGiveUp: () => boolean): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => {
      if (mayGiveUp()) resolve(TIMED_OUT);
    }, ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** Headers a browser script may read from a cross-origin answer: its validator and when it may ask again. */
const EXPOSED_HEADERS = 'etag, retry-after, x-ratelimit-limit, x-ratelimit-remaining, x-ratelimit-reset';

function setRetryAfter(res: ServerResponse, rate: RateLimitState): void {
  res.setHeader('retry-after', String(Math.max(1, Math.ceil((rate.resetAt.getTime() - Date.now()) / 1000))));
}

function setRateLimitHeaders(res: ServerResponse, rate: RateLimitState): void {
  res.setHeader('x-ratelimit-limit', String(rate.limit));
  res.setHeader('x-ratelimit-remaining', String(rate.remaining));
  res.setHeader('x-ratelimit-reset', String(Math.floor(rate.resetAt.getTime() / 1000)));
}

/** `{"errors":` leads every response that carries errors (Apollo writes errors before data). */
function hasErrors(text: string): boolean {
  return text.includes('"errors":');
}

/**
 * A public, anonymous GET of published data: cacheable by browsers and CDNs for a short while (a correction can
 * publish a new revision at any time), with a strong ETag so a revalidation costs no body.
 */
function sendCacheable(req: IncomingMessage, res: ServerResponse, text: string, maxAgeSeconds: number): void {
  const etag = `"${createHash('sha256').update(text).digest('base64url').slice(0, 32)}"`;
  res.setHeader('cache-control', `public, max-age=${maxAgeSeconds}`);
  res.setHeader('etag', etag);
  res.setHeader('vary', 'accept, authorization');
  const ifNoneMatch = req.headers['if-none-match'];
  if (ifNoneMatch && ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag)) {
    res.statusCode = 304;
    res.removeHeader('content-type');
    res.end();
    return;
  }
  res.statusCode = 200;
  res.end(text);
}

const TOO_LARGE = Symbol('too large');

/**
 * `Authorization: Bearer …` only. The API reads no cookies, so a browser never sends it credentials on its own and
 * cross-site request forgery has nothing to ride on; the portal passes its session's token server-side.
 */
function bearerToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  return header?.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() || undefined : undefined;
}

/** Of an oversized upload, at most this much more is read and dropped before the connection is cut. */
const DRAIN_BYTES = 64_000_000;
const DRAIN_MS = 10_000;

/**
 * The body as text, or TOO_LARGE once it passes `limit`. Past the limit nothing more is kept, but the bytes still
 * arriving are read and dropped (up to DRAIN_BYTES, for DRAIN_MS), so the client can finish sending and read the 413:
 * closing a socket with unread bytes sends a reset, which can destroy the answer on its way.
 */
function readBody(req: IncomingMessage, limit: number): Promise<string | typeof TOO_LARGE> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) {
        chunks.push(chunk);
        return;
      }
      req.off('data', onData);
      req.off('end', onEnd);
      chunks.length = 0;
      discardRest(req);
      resolve(TOO_LARGE);
    };
    const onEnd = () => resolve(Buffer.concat(chunks).toString('utf8'));
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', reject);
  });
}

function discardRest(req: IncomingMessage): void {
  let dropped = 0;
  const cut = () => req.socket.destroy();
  const timer = setTimeout(cut, DRAIN_MS);
  const done = () => clearTimeout(timer);
  req.on('data', (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > DRAIN_BYTES) {
      done();
      cut();
    }
  });
  req.once('end', done);
  req.once('close', done);
}

const DATABASE_UNAVAILABLE = 'DATABASE_UNAVAILABLE';
const DATABASE_UNAVAILABLE_MESSAGE = '数据库暂时无法连接，请稍后再试';

function sendDatabaseUnavailable(res: ServerResponse): void {
  res.setHeader('retry-after', '1');
  sendError(res, 503, DATABASE_UNAVAILABLE, DATABASE_UNAVAILABLE_MESSAGE);
}

function sendError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  details: Record<string, unknown> = {},
): void {
  res.setHeader('cache-control', 'no-store');
  res
    .writeHead(status, { 'content-type': 'application/json; charset=utf-8' })
    .end(JSON.stringify({ errors: [{ message, extensions: { code, ...details } }] }));
}

/** Resolver errors become coded errors; anything unexpected is logged here and shown only as a generic message. */
function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  const apqCode = persistedQueryCode(formatted.message);
  if (apqCode) return inChinese({ message: formatted.message, extensions: { code: apqCode } });
  if (formatted.extensions?.code && formatted.extensions.code !== 'INTERNAL_SERVER_ERROR') return inChinese(formatted);
  if (isDatabaseUnavailable(original)) {
    return { message: DATABASE_UNAVAILABLE_MESSAGE, path: formatted.path, extensions: { code: DATABASE_UNAVAILABLE } };
  }
  const coded = toGraphQLError(original);
  // graphql-jit's own errors (a null in a non-null field, say) carry no extensions at all.
  const code = coded.extensions?.code ?? 'INTERNAL_SERVER_ERROR';
  if (code === 'INTERNAL_SERVER_ERROR') {
    // A timed-out request's later statements are refused on purpose; its answer is long gone.
    if (!isCancelledWork(original)) console.error('unexpected error', original);
    return { message: INTERNAL_MESSAGE, path: formatted.path, extensions: { code } };
  }
  return { message: coded.message, path: formatted.path, locations: formatted.locations, extensions: coded.extensions };
}

/** Reports how many SQL statements the request ran, so N+1 regressions are visible from outside. */
const sqlStatsPlugin: ApolloServerPlugin<RequestContext> = {
  async requestDidStart() {
    return {
      async willSendResponse({ response, contextValue }) {
        if (response.body.kind === 'single') {
          response.body.singleResult.extensions = {
            ...response.body.singleResult.extensions,
            sql: { statements: contextValue.sql.statements.length },
          };
        }
      },
    };
  },
};
