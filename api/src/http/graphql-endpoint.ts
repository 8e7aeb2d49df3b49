// /graphql: who asks, their budget, the body, the query's shape, then Apollo Server; then the status, rate and cache
// headers of the answer. Refusals before Apollo come out as transport errors (transport-errors.ts).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer } from '@apollo/server';
import type { GraphQLSchema } from 'graphql';
import { QueryScope, withQueryScope, withStatementLog, type Db } from '@mingbai/db/client';
import type { ApiErrorCode } from '../errors.ts';
import { admitUpload, LARGE_BODY_BYTES } from '../attachments/process-in-worker.ts';
import { createContext, type RequestSettings } from '../graphql/context.ts';
import type { RequestContext } from '../graphql/execution/sql-stats.plugin.ts';
import { LIMITS } from '../limits/limits.ts';
import { checkQueryShape } from '../limits/query-limits.ts';
import type { RateLimiter } from '../limits/rate-limit.ts';
import type { RequestLimits } from '../limits/request-limits.ts';
import { answerRequestOf, type ResponseCache } from '../shared/response-cache.ts';
import { readBody, TOO_LARGE } from './body.ts';
import { operationKind, persistedHashOf } from './read-routing.ts';
import { hasErrors, sendCacheable, sendPrivate } from './cache-headers.ts';
import { INVALID_KEY, type Caller } from './caller.ts';
import { answerPreflight, exposeHeaders } from './cors.ts';
import { setRateLimitHeaders, setRetryAfter } from './rate-limit-headers.ts';
import { reportsDatabaseUnavailable, sendError } from './transport-errors.ts';

export interface GraphQLEndpointSettings {
  db: Db;
  /** The read handle (DATABASE_READ_URL): the public's queries run there (read-routing.ts); default `db`. */
  readDb?: Db;
  apollo: ApolloServer<RequestContext>;
  schema: GraphQLSchema;
  identify: (req: IncomingMessage) => Promise<Caller | typeof INVALID_KEY>;
  rateLimiter: RateLimiter;
  timeoutMs: number;
  settings: RequestSettings;
  /** Answers of anonymous public reads, keyed by the publication mark (api/src/shared/); none when off. */
  responseCache?: ResponseCache;
}

export function graphqlEndpoint(
  settings: GraphQLEndpointSettings,
): (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void> {
  const { db, apollo, schema, identify, rateLimiter, timeoutMs, settings: requestSettings, responseCache } = settings;
  const readDb = settings.readDb ?? db;
  return async (req, res, url) => {
    if (req.method === 'OPTIONS') {
      answerPreflight(res);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'POST') {
      res.setHeader('allow', 'GET, POST, OPTIONS');
      sendError(res, 405, 'METHOD_NOT_ALLOWED', 'GraphQL 接口只接受 GET 和 POST', {
        englishMessage: 'The GraphQL API accepts GET and POST only',
      });
      return;
    }
    exposeHeaders(res);
    // Read before any work, so whatever this request computes is at least as new as the mark; the portal keys its
    // pages by it too (portal/src/lib/page-cache.ts).
    const mark = responseCache ? await responseCache.mark.current() : undefined;
    if (mark) res.setHeader('x-mingbai-mark', mark);

    const caller = await identify(req);
    if (caller === INVALID_KEY) {
      sendError(res, 401, 'INVALID_API_KEY', 'API 密钥无效或已被吊销', {
        englishMessage: 'The API key is invalid or revoked',
      });
      return;
    }
    const { viewer, client, address } = caller;
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
    // An upload (a large signed-in body) waits at the attachments' gate before its body is read, so twenty photos
    // sent at once cost the API the memory of a few (api/src/attachments/process-in-worker.ts).
    if (viewer && req.method === 'POST' && Number(req.headers['content-length'] ?? 0) > LARGE_BODY_BYTES) {
      const release = await admitUpload();
      if (!release) {
        req.resume();
        res.setHeader('retry-after', '5');
        sendError(res, 503, 'ATTACHMENT_BUSY', '正在上传的附件太多，请过一会儿再上传', {
          englishMessage: 'Too many uploads at once; try again shortly',
        });
        return;
      }
      res.once('close', release);
    }
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
      sendError(res, 400, shapeError.extensions.code as ApiErrorCode, shapeError.message, {
        limit: shapeError.extensions.limit,
      });
      return;
    }
    // What the request will run, when certain (read-routing.ts parses each text once): the replica takes only queries,
    // and a mutation is never looked up in the response cache (nor counted as its miss).
    const operation = req.method === 'GET' ? url.searchParams : undefined;
    const kind =
      responseCache || readDb !== db
        ? operationKind({
            query: queryText,
            operationName: operation
              ? operation.get('operationName')
              : (parsedBody as { operationName?: unknown })?.operationName,
            persistedHash: persistedHashOf(
              operation ? operation.get('extensions') : (parsedBody as { extensions?: unknown })?.extensions,
            ),
          })
        : undefined;
    // A persisted hash this process never saw with its text is unknown: looked up, since only a query's answer is
    // ever kept under it.
    const cacheKey =
      responseCache && !viewer && !client.key.startsWith('key:') && (kind === undefined || kind === 'query')
        ? await responseCache.keyOf(answerRequestOf(req.method, url, parsedBody, req.headers.accept), mark)
        : undefined;
    if (cacheKey) {
      const cached = await responseCache!.get(cacheKey);
      // A hit costs what running it cost; without the points left, it runs, and is refused as it would have been.
      const spent = cached && cached.cost > 1 ? await rateLimiter.spend(client, cached.cost - 1) : undefined;
      if (cached && (!spent || spent.allowed)) {
        limits.cost = cached.cost;
        if (spent) limits.rate = spent.state;
        setRateLimitHeaders(res, limits.rate);
        res.setHeader('x-mingbai-cache', 'hit');
        if (cached.contentType) res.setHeader('content-type', cached.contentType);
        send(cached.status, cached.body);
        return;
      }
      res.setHeader('x-mingbai-cache', 'miss');
    }
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    // The public's queries read the replica; mutations and signed-in users (who must see their own writes) the primary.
    const requestDb = readDb !== db && !viewer && kind === 'query' ? readDb : db;
    const sqlLog = { statements: [] as string[] };
    const queries = new QueryScope();
    const execution = withQueryScope(queries, () =>
      withStatementLog(sqlLog, () =>
        apollo.executeHTTPGraphQLRequest({
          httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: url.search, body: parsedBody },
          context: async () => ({
            ...createContext(requestDb, viewer, limits, { settings: requestSettings, address }),
            sql: sqlLog,
          }),
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
    // one status per code is simpler for clients and caches, and the audit (tests/http/graphql-over-http.test.ts) lists
    // the three SHOULDs this departs from.
    let status = result.status ?? 200;
    // A 429 from the price check says when to come back, like the one refused on arrival.
    if (status === 429) setRetryAfter(res, limits.rate);
    if (result.body.kind === 'complete' && reportsDatabaseUnavailable(result.body.string)) {
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
    // A write here is seen at once by this process's next read; other processes see it within the mark's age.
    if (limits.isMutation) responseCache?.mark.expire();
    const keep = cacheKey && status === 200 && !limits.isMutation && !limits.readsPrivateData && limits.cost !== null;
    if (keep && !hasErrors(text)) {
      const contentType = res.getHeader('content-type');
      void responseCache!.put(cacheKey, {
        status,
        contentType: typeof contentType === 'string' ? contentType : undefined,
        cost: limits.cost!,
        body: text,
      });
    }
    send(status, text);

    function send(status: number, text: string) {
      const isPublic =
        req.method === 'GET' &&
        status === 200 &&
        !viewer &&
        !client.key.startsWith('key:') &&
        !limits.readsPrivateData &&
        limits.cost !== null &&
        !hasErrors(text);
      if (isPublic) sendCacheable(req, res, text, LIMITS.publicMaxAgeSeconds);
      else sendPrivate(res, status, text);
    }
  };
}

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
