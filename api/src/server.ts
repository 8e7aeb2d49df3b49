import {
  closeImagePool,
  configureImagePool,
  startImagePool,
  type ImagePoolSettings,
} from './attachments/process-in-worker.ts';
import { usePreviewSecret } from './attachments/preview.ts';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import type { Db } from '@mingbai/db/client';
import { formatError } from './graphql/execution/format-error.ts';
import { jitGateway } from './graphql/execution/jit-executor.ts';
import { sqlStatsPlugin, type RequestContext } from './graphql/execution/sql-stats.plugin.ts';
import { buildApiSchema } from './graphql/schema.ts';
import { callerIdentifier } from './http/caller.ts';
import { graphqlEndpoint } from './http/graphql-endpoint.ts';
import { openDataEndpoint } from './http/open-data-endpoint.ts';
import { uploadEndpoint } from './http/upload-endpoint.ts';
import { router } from './http/router.ts';
import { LIMITS } from './limits/limits.ts';
import { limitsPlugin } from './limits/limits.plugin.ts';
import { DEFAULT_TRUSTED_PROXIES, RateLimiter } from './limits/rate-limit.ts';
import { LOGIN_THROTTLE, LoginThrottle, MemoryThrottleStore } from './auth/login-throttle.ts';
import { CountedKeyValueCache, MemoryKeyValueCache, RedisKeyValueCache } from './shared/apq-cache.ts';
import { RedisThrottleStore } from './shared/login-throttle-store.ts';
import { PublicationMark } from './shared/publication-mark.ts';
import { openSharedRedis, type SharedRedis } from './shared/redis.ts';
import { hitRate, MemoryAnswerStore, RedisAnswerStore, ResponseCache } from './shared/response-cache.ts';
import { useOpenDataFolder } from './opendata/cache.ts';
import { readQuestionSettings, SHARED_STATE_DEFAULTS, type OpenDataFolder, type QuestionSettings } from './config.ts';
import { DEFAULT_REQUEST_SETTINGS } from './graphql/context.ts';
import type { OpenDataDeadlines } from './opendata/opendata.http.ts';

export interface ApiServerOptions {
  db: Db;
  /**
   * The read handle (DATABASE_READ_URL, DbHandle.readDb): the public's GraphQL queries, /data and /healthz read it;
   * default `db`.
   */
  readDb?: Db;
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
  /** Where the open-data files are kept and how large that folder may grow (see ApiConfig.openData). */
  openData?: OpenDataFolder;
  /** Peers whose X-Forwarded-For is believed (default: loopback, where the portal runs). */
  trustedProxies?: readonly string[];
  /** The portal's public origin (MINGBAI_PUBLIC_URL): absolute links in responses are built on it, never on Host. */
  publicUrl?: string;
  /** Shared with the portal (MINGBAI_PORTAL_SECRET): its page reads are not charged to visitors (see isPortal). */
  portalSecret?: string;
  /** How long a client may take to send a request's headers before it is closed (default 66 s; tests shorten it). */
  headersTimeoutMs?: number;
  /** Villagers' questions: days to answer, limits on asking, the asker-key secret (default: the built-in defaults). */
  questions?: Partial<QuestionSettings>;
  /** Signs the committee's attachment preview URLs (default: random per process; see ApiConfig.previewSecret). */
  previewSecret?: string;
  /** The image workers (default DEFAULT_IMAGE_POOL); started at once so the first photo does not wait for them. */
  imagePool?: Partial<ImagePoolSettings>;
  /**
   * State shared by every API process (api/src/shared/, ApiConfig.shared). Without `redisUrl` rate limits, login
   * throttles and persisted queries stay in this process. `responseCache` keeps anonymous public answers keyed by the
   * publication mark; never with exposeSqlStats. Defaults: SHARED_STATE_DEFAULTS (config.ts), as `pnpm start` has them.
   */
  shared?: { redisUrl?: string; redisPrefix?: string; responseCache?: boolean };
}

export interface RunningApi {
  url: string;
  server: Server;
  /** The response cache and its hit and miss counts, when it is on. */
  responseCache: ResponseCache | undefined;
  /** This server's login throttle (its requests' `Context.settings.loginThrottle`). */
  loginThrottle: LoginThrottle;
  close(): Promise<void>;
}

/** Apollo Server on plain Node HTTP (api/src/http/: routes, limits, headers): assembled and listening. */
export async function startApiServer(options: ApiServerOptions): Promise<RunningApi> {
  if (options.openData) useOpenDataFolder(options.openData);
  usePreviewSecret(options.previewSecret);
  if (options.imagePool) {
    await configureImagePool(options.imagePool);
    startImagePool();
  }
  const redis: SharedRedis | undefined = options.shared?.redisUrl
    ? await openSharedRedis({
        url: options.shared.redisUrl,
        prefix: options.shared.redisPrefix ?? SHARED_STATE_DEFAULTS.redisPrefix,
      })
    : undefined;
  // This server's, handed to its requests (Context.settings): in Redis when shared, else in its own memory.
  const loginThrottle = new LoginThrottle(
    LOGIN_THROTTLE,
    Date.now,
    redis ? new RedisThrottleStore(redis, new MemoryThrottleStore(LOGIN_THROTTLE.maxEntries)) : undefined,
  );
  const rateLimiter = new RateLimiter(options.rateLimits?.windowSeconds, redis && { redis, name: 'points' });
  const responseCache =
    (options.shared?.responseCache ?? SHARED_STATE_DEFAULTS.responseCache) && !options.exposeSqlStats
      ? new ResponseCache(
          PublicationMark.of(options.readDb ?? options.db), // the mark of the database the answers are read from
          redis ? new RedisAnswerStore(redis) : new MemoryAnswerStore(),
          LIMITS.publicMaxAgeSeconds,
        )
      : undefined;
  const persistedQueries = new CountedKeyValueCache(redis ? new RedisKeyValueCache(redis) : new MemoryKeyValueCache());
  const schema = await buildApiSchema();
  const apollo = new ApolloServer<RequestContext>({
    // Queries compiled once per document (api/src/graphql/execution), unless asked to run on graphql-js.
    ...(options.compiledQueries === false ? { schema } : { gateway: jitGateway(schema) }),
    introspection: true,
    // Stack traces are for our logs, never for the public.
    includeStacktraceInErrorResponses: false,
    // Apollo's CSRF guard protects cookie-authenticated APIs; this one takes only bearer tokens (see http/caller.ts),
    // and public data must be fetchable with a plain GET by any client or cache.
    csrfPrevention: false,
    // Automatic persisted queries: in the shared Redis when there is one (a query registered through one process is
    // known to all), else a bounded in-memory store; counted either way (/metrics).
    persistedQueries: { cache: persistedQueries },
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      // Apollo's cache-control plugin hooks every field of every response; its header is replaced anyway
      // (http/cache-headers.ts).
      ApolloServerPluginCacheControlDisabled(),
      limitsPlugin(rateLimiter),
      ...(options.exposeSqlStats ? [sqlStatsPlugin] : []),
    ],
    formatError,
  });
  await apollo.start();

  const identify = callerIdentifier({
    db: options.db,
    anonymousPointsPerHour: options.rateLimits?.anonymousPointsPerHour ?? LIMITS.anonymousPointsPerHour,
    apiKeyPointsPerHour: options.rateLimits?.apiKeyPointsPerHour ?? LIMITS.apiKeyPointsPerHour,
    trustedProxies: options.trustedProxies ?? DEFAULT_TRUSTED_PROXIES,
    portalSecret: options.portalSecret,
  });
  const requestSettings = {
    publicUrl: options.publicUrl ?? DEFAULT_REQUEST_SETTINGS.publicUrl,
    questions: { ...readQuestionSettings({}), ...options.questions },
    loginThrottle,
  };
  const readDb = options.readDb ?? options.db;
  const handle = router({
    // With a replica, the API serves the public while the primary is away: it stays in the balancer's rotation.
    db: readDb,
    metrics: () => metricsOf(responseCache, persistedQueries),
    graphql: graphqlEndpoint({
      db: options.db,
      readDb,
      apollo,
      schema,
      identify,
      rateLimiter,
      timeoutMs: options.executionTimeoutMs ?? LIMITS.executionTimeoutMs,
      settings: requestSettings,
      responseCache,
    }),
    upload: uploadEndpoint({ db: options.db, identify, rateLimiter, settings: requestSettings }),
    openData: openDataEndpoint({
      db: readDb,
      identify,
      dataBytes: new RateLimiter(options.rateLimits?.windowSeconds, redis && { redis, name: 'bytes' }),
      anonymousDataBytesPerHour: options.rateLimits?.anonymousDataBytesPerHour ?? LIMITS.anonymousDataBytesPerHour,
      apiKeyDataBytesPerHour: options.rateLimits?.apiKeyDataBytesPerHour ?? LIMITS.apiKeyDataBytesPerHour,
      publicUrl: options.publicUrl,
      deadlines: options.openDataDeadlines,
    }),
  });

  const headersTimeoutMs = options.headersTimeoutMs ?? 66_000;
  // Node checks for overdue headers on this interval (30 s by default), so a short timeout needs a shorter interval.
  const connectionsCheckingInterval = Math.max(100, Math.min(30_000, Math.floor(headersTimeoutMs / 2)));
  const server = createServer({ connectionsCheckingInterval }, handle);
  // Idle keep-alive connections outlive the client's and a load balancer's own timeouts, so the client never sends a
  // request down a socket the server is closing at that instant (ECONNRESET under load).
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = headersTimeoutMs;
  await new Promise<void>((resolve) => server.listen(options.port, options.host ?? '127.0.0.1', resolve));
  const address = server.address() as AddressInfo;
  return {
    url: `http://${address.address.includes(':') ? `[${address.address}]` : address.address}:${address.port}/graphql`,
    server,
    responseCache,
    loginThrottle,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await apollo.stop();
      await closeImagePool();
      await redis?.close();
    },
  };
}

/**
 * GET /metrics: this process's cache counts since it started, for operators (issue 19's hit rate). Counts only,
 * nothing about who asked what. The portal shows its page cache's at its own /metrics.
 */
function metricsOf(responseCache: ResponseCache | undefined, persistedQueries: CountedKeyValueCache): object {
  const counts = (c: { hits: number; misses: number }) => ({ hits: c.hits, misses: c.misses, hitRate: hitRate(c) });
  return {
    responseCache: responseCache ? { on: true, ...counts(responseCache) } : { on: false },
    persistedQueries: counts(persistedQueries),
  };
}
