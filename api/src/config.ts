import { tmpdir } from 'node:os';
import { defaultImageWorkers, type ImagePoolSettings } from './attachments/process-in-worker.ts';
import { join } from 'node:path';
import { PLAN_CACHE_MODES, type PlanCacheMode } from '@mingbai/db/client';

/**
 * Runtime settings, read from the environment once at start. Nothing else in the API reads process.env.
 */
export interface ApiConfig {
  /** postgres://… for a PostgreSQL server; unset → embedded PGlite. */
  databaseUrl: string | undefined;
  // ── Topology (docs/SCALING.md, "Out of one machine") ──
  /**
   * DATABASE_READ_URL: postgres://… of a streaming replica (hot standby) of DATABASE_URL. The public's GraphQL queries,
   * /data downloads and /healthz read there; mutations, signed-in users' queries (they must see their own writes, and
   * the committee's preview writes in a rolled-back transaction) and every write go to DATABASE_URL. Unset: everything
   * on DATABASE_URL. Needs DATABASE_URL.
   */
  databaseReadUrl: string | undefined;
  /** PGlite data folder (default .data/pglite in the repository). */
  pgliteDir: string | undefined;
  /** HTTP port of the GraphQL API (default 4000). */
  port: number;
  /** Host to bind (default 127.0.0.1; set 0.0.0.0 behind a load balancer). */
  host: string;
  /** Load the demo villages when the database has no village yet (default true). */
  seedDemo: boolean;
  /**
   * Run queries compiled by graphql-jit (default true); MINGBAI_GRAPHQL_JIT=false runs them on graphql-js, the
   * reference executor, to compare or to rule the compiler out when chasing a wrong answer.
   */
  compiledQueries: boolean;
  /** Report the SQL statements of each request in `extensions.sql` (default false; tests and benchmarks turn it on). */
  exposeSqlStats: boolean;
  /** Query points per hour for the public, per IP address (default LIMITS.anonymousPointsPerHour). */
  anonymousPointsPerHour: number | undefined;
  /** Query points per hour per API key, unless the key has its own (default LIMITS.apiKeyPointsPerHour). */
  apiKeyPointsPerHour: number | undefined;
  /** Addresses of reverse proxies whose X-Forwarded-For is believed, comma-separated (default loopback). */
  trustedProxies: string[] | undefined;
  /**
   * The portal's public origin (MINGBAI_PUBLIC_URL, default http://localhost:{PORTAL_PORT, 4321}): every absolute URL
   * the API emits (the open-data packages' sources) is built on it, never on a request's Host or X-Forwarded-* headers.
   */
  publicUrl: string;
  /**
   * Shared with the portal (MINGBAI_PORTAL_SECRET, at least 24 characters): requests that present it in
   * x-mingbai-portal are the portal's own page reads, which cache and are not charged to any visitor's points.
   */
  portalSecret: string | undefined;
  /** Bytes of /data downloads per hour for the public, per IP address (default LIMITS.anonymousDataBytesPerHour). */
  anonymousDataBytesPerHour: number | undefined;
  /** Bytes of /data downloads per hour per API key or signed-in user (default LIMITS.apiKeyDataBytesPerHour). */
  apiKeyDataBytesPerHour: number | undefined;
  /** PostgreSQL's statement_timeout on every connection, ms (MINGBAI_STATEMENT_TIMEOUT_MS; 0 off; default 120 s). */
  statementTimeoutMs: number | undefined;
  /** idle_in_transaction_session_timeout, ms (MINGBAI_IDLE_IN_TRANSACTION_TIMEOUT_MS; 0 off; default 60 s). */
  idleInTransactionTimeoutMs: number | undefined;
  /**
   * PostgreSQL's plan_cache_mode on the API's connections (MINGBAI_PG_PLAN_CACHE_MODE: force_generic_plan, the
   * default (DEFAULT_PLAN_CACHE_MODE says why), auto or force_custom_plan).
   */
  planCacheMode: PlanCacheMode | undefined;
  /** A backend of ours active longer than this is logged and stopped, ms (MINGBAI_QUERY_WATCHDOG_MS; 0 off; 60 s). */
  queryWatchdogMs: number | undefined;
  /** The open-data folder and its size limit. */
  openData: OpenDataFolder;
  /**
   * MINGBAI_FILES_DIR, default .data/files in the repository: attachments' private originals and published views, by
   * SHA-256. Back it up with the database; never serve it as a folder (only /data/files/ answers, for published views).
   */
  filesDir: string | undefined;
  /**
   * MINGBAI_PREVIEW_SECRET (at least 24 characters; default MINGBAI_PORTAL_SECRET, else random per process): signs the
   * committee's short-lived preview URLs of unpublished attachments. Every API process behind one portal must share it.
   */
  previewSecret: string | undefined;
  /** The image workers (api/src/attachments/process-in-worker.ts). */
  imagePool: ImagePoolSettings;
  /**
   * MINGBAI_CHECKPOINT_KEY_FILE, default .data/checkpoint-ed25519.pem in the repository: the Ed25519 key that signs
   * checkpoints (PKCS#8 PEM), made with mode 0600 on first start. Back it up with the database.
   */
  checkpointKeyFile: string | undefined;
  /** MINGBAI_FILES_SWEEP_HOURS, default 24 (0 off): how often the API removes stored files no attachment names. */
  filesSweepHours: number;
  /** When a month counts as overdue in the township's review (`townReview`). */
  reviewDeadlines: ReviewDeadlines;
  /** Villagers' questions: the clock and the limits on asking (api/src/questions/). */
  questions: QuestionSettings;
  /** State shared by every API process (api/src/shared/). */
  shared: SharedStateSettings;
}

/** State shared by every API process: rate limits, login throttles, persisted queries, the response cache. */
export interface SharedStateSettings {
  /**
   * MINGBAI_REDIS_URL (redis://host:port[/db], rediss:// for TLS): every API process behind one balancer keeps its rate
   * limits, login throttles, persisted queries and cached answers there, so they share one budget and one cache.
   * Unset (a single process, `pnpm start` on PGlite): all of that stays in the process's memory.
   */
  redisUrl: string | undefined;
  /** MINGBAI_REDIS_PREFIX, default "mingbai:": put before every key, so deployments (or tests) can share a Redis. */
  redisPrefix: string;
  /**
   * MINGBAI_RESPONSE_CACHE, default true: keep the answers of anonymous reads of public data, keyed by the
   * publication mark (in Redis when MINGBAI_REDIS_URL is set, else in memory). Off while MINGBAI_SQL_STATS is on,
   * since a cached answer runs no statements to count.
   */
  responseCache: boolean;
}

/**
 * The shared state's defaults, the one place they are written: `pnpm start` (MINGBAI_* unset) and `startApiServer`
 * without `shared` (tests) alike keep their state in memory with the response cache on. Tests that count SQL statements
 * (exposeSqlStats) have it off anyway; a test that needs it off otherwise says so.
 */
export const SHARED_STATE_DEFAULTS = { redisPrefix: 'mingbai:', responseCache: true } as const;

export function readSharedState(env: NodeJS.ProcessEnv = process.env): SharedStateSettings {
  const redisUrl = env.MINGBAI_REDIS_URL?.trim() || undefined;
  if (redisUrl && !/^rediss?:\/\//.test(redisUrl))
    throw new ConfigError(`MINGBAI_REDIS_URL must start with redis:// or rediss://, got "${redisUrl}"`);
  return {
    redisUrl,
    redisPrefix: env.MINGBAI_REDIS_PREFIX?.trim() || SHARED_STATE_DEFAULTS.redisPrefix,
    responseCache: flag(env.MINGBAI_RESPONSE_CACHE, SHARED_STATE_DEFAULTS.responseCache, 'MINGBAI_RESPONSE_CACHE'),
  };
}

/** Villagers' questions (api/src/questions/, db/src/ledger/questions.ts). */
export interface QuestionSettings {
  /** MINGBAI_QUESTION_DUE_DAYS, default 10 (1–60): days to answer where neither the town nor its district set theirs. */
  dueDays: number;
  /** MINGBAI_QUESTIONS_PER_ADDRESS_HOUR, default 5: asks per hour from one address, in every village together. */
  perAddressHour: number;
  /** MINGBAI_QUESTIONS_PER_VILLAGE_HOUR, default 60: asks per hour into one village, from everyone together. */
  perVillageHour: number;
  /**
   * MINGBAI_QUESTION_SECRET (at least 24 characters; default MINGBAI_PORTAL_SECRET, else a fixed development value):
   * the key of the HMAC that turns an asker's address into `questions.asker_key`. Every API process must share it, or
   * the per-address limit counts each process apart; set it in production, or anyone can test addresses against it.
   */
  secret: string;
}

/** The secret used when none is configured: fine on a laptop, never in production (see QuestionSettings.secret). */
export const DEVELOPMENT_QUESTION_SECRET = 'mingbai-development-question-secret';

export function readQuestionSettings(env: NodeJS.ProcessEnv = process.env): QuestionSettings {
  const dueDays = positive(env.MINGBAI_QUESTION_DUE_DAYS, 'MINGBAI_QUESTION_DUE_DAYS') ?? 10;
  if (dueDays > 60) throw new ConfigError(`MINGBAI_QUESTION_DUE_DAYS must be 1 to 60, got "${dueDays}"`);
  const secret = env.MINGBAI_QUESTION_SECRET?.trim();
  if (secret && secret.length < 24) throw new ConfigError('MINGBAI_QUESTION_SECRET must be at least 24 characters');
  return {
    dueDays,
    perAddressHour: positive(env.MINGBAI_QUESTIONS_PER_ADDRESS_HOUR, 'MINGBAI_QUESTIONS_PER_ADDRESS_HOUR') ?? 5,
    perVillageHour: positive(env.MINGBAI_QUESTIONS_PER_VILLAGE_HOUR, 'MINGBAI_QUESTIONS_PER_VILLAGE_HOUR') ?? 60,
    secret: secret || portalSecret(env.MINGBAI_PORTAL_SECRET) || DEVELOPMENT_QUESTION_SECRET,
  };
}

/** When the township admin sees a month as overdue (api/src/review/town-review.service.ts). */
export interface ReviewDeadlines {
  /** MINGBAI_SUBMIT_BY_DAY, default 10: a month not submitted by this day of the next month is overdue (1–28). */
  submitByDay: number;
  /** MINGBAI_REVIEW_WITHIN_DAYS, default 5: a submitted month not reviewed within this many days is overdue. */
  reviewWithinDays: number;
  /** MINGBAI_TOWN_REVIEW_MONTHS, default 12: how many ended months, newest first, the township's review lists. */
  months: number;
}

export function readReviewDeadlines(env: NodeJS.ProcessEnv = process.env): ReviewDeadlines {
  const submitByDay = positive(env.MINGBAI_SUBMIT_BY_DAY, 'MINGBAI_SUBMIT_BY_DAY') ?? 10;
  if (submitByDay > 28) throw new ConfigError(`MINGBAI_SUBMIT_BY_DAY must be 1 to 28, got "${submitByDay}"`);
  const months = positive(env.MINGBAI_TOWN_REVIEW_MONTHS, 'MINGBAI_TOWN_REVIEW_MONTHS') ?? 12;
  if (months > 120) throw new ConfigError(`MINGBAI_TOWN_REVIEW_MONTHS must be 1 to 120, got "${months}"`);
  return {
    submitByDay,
    reviewWithinDays: positive(env.MINGBAI_REVIEW_WITHIN_DAYS, 'MINGBAI_REVIEW_WITHIN_DAYS') ?? 5,
    months,
  };
}

export class ConfigError extends Error {}

/** Where the open-data files and fragments are kept (api/src/opendata/cache.ts). */
export interface OpenDataFolder {
  /** MINGBAI_OPENDATA_DIR, default <tmp>/mingbai-opendata. */
  dir: string;
  /**
   * MINGBAI_OPENDATA_MAX_BYTES, default 4 GiB: files and fragments together; the least recently used go beyond it.
   * A value that is not a positive number falls back to the default.
   */
  maxBytes: number;
}

const OPEN_DATA_DEFAULT_MAX_BYTES = 4 * 1024 ** 3;

export function readOpenDataFolder(env: NodeJS.ProcessEnv = process.env): OpenDataFolder {
  const maxBytes = Number(env.MINGBAI_OPENDATA_MAX_BYTES?.trim() || OPEN_DATA_DEFAULT_MAX_BYTES);
  return {
    dir: env.MINGBAI_OPENDATA_DIR?.trim() || join(tmpdir(), 'mingbai-opendata'),
    maxBytes: Number.isFinite(maxBytes) && maxBytes > 0 ? maxBytes : OPEN_DATA_DEFAULT_MAX_BYTES,
  };
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  return {
    databaseUrl: env.DATABASE_URL?.trim() || undefined,
    databaseReadUrl: readUrl(env),
    pgliteDir: env.PGLITE_DIR?.trim() || undefined,
    port: port(env.API_PORT, 4000, 'API_PORT'),
    host: env.API_HOST?.trim() || '127.0.0.1',
    seedDemo: flag(env.MINGBAI_SEED_DEMO, true, 'MINGBAI_SEED_DEMO'),
    compiledQueries: flag(env.MINGBAI_GRAPHQL_JIT, true, 'MINGBAI_GRAPHQL_JIT'),
    exposeSqlStats: flag(env.MINGBAI_SQL_STATS, false, 'MINGBAI_SQL_STATS'),
    anonymousPointsPerHour: positive(env.MINGBAI_RATE_LIMIT_ANONYMOUS, 'MINGBAI_RATE_LIMIT_ANONYMOUS'),
    apiKeyPointsPerHour: positive(env.MINGBAI_RATE_LIMIT_API_KEY, 'MINGBAI_RATE_LIMIT_API_KEY'),
    trustedProxies: env.MINGBAI_TRUSTED_PROXIES?.trim()
      ? env.MINGBAI_TRUSTED_PROXIES.split(',')
          .map((a) => a.trim())
          .filter(Boolean)
      : undefined,
    publicUrl: publicOrigin(
      env.MINGBAI_PUBLIC_URL?.trim() || `http://localhost:${port(env.PORTAL_PORT, 4321, 'PORTAL_PORT')}`,
    ),
    portalSecret: portalSecret(env.MINGBAI_PORTAL_SECRET),
    anonymousDataBytesPerHour: positive(env.MINGBAI_DATA_BYTES_ANONYMOUS, 'MINGBAI_DATA_BYTES_ANONYMOUS'),
    apiKeyDataBytesPerHour: positive(env.MINGBAI_DATA_BYTES_API_KEY, 'MINGBAI_DATA_BYTES_API_KEY'),
    statementTimeoutMs: nonNegative(env.MINGBAI_STATEMENT_TIMEOUT_MS, 'MINGBAI_STATEMENT_TIMEOUT_MS'),
    idleInTransactionTimeoutMs: nonNegative(
      env.MINGBAI_IDLE_IN_TRANSACTION_TIMEOUT_MS,
      'MINGBAI_IDLE_IN_TRANSACTION_TIMEOUT_MS',
    ),
    planCacheMode: planCacheMode(env.MINGBAI_PG_PLAN_CACHE_MODE),
    queryWatchdogMs: nonNegative(env.MINGBAI_QUERY_WATCHDOG_MS, 'MINGBAI_QUERY_WATCHDOG_MS'),
    openData: readOpenDataFolder(env),
    filesDir: env.MINGBAI_FILES_DIR?.trim() || undefined,
    checkpointKeyFile: env.MINGBAI_CHECKPOINT_KEY_FILE?.trim() || undefined,
    previewSecret: readPreviewSecret(env),
    imagePool: readImagePool(env),
    filesSweepHours: nonNegative(env.MINGBAI_FILES_SWEEP_HOURS, 'MINGBAI_FILES_SWEEP_HOURS') ?? 24,
    reviewDeadlines: readReviewDeadlines(env),
    questions: readQuestionSettings(env),
    shared: readSharedState(env),
  };
}

/** DATABASE_READ_URL, refused at start without DATABASE_URL (PGlite has no replica) or when not postgres://. */
function readUrl(env: NodeJS.ProcessEnv): string | undefined {
  const url = env.DATABASE_READ_URL?.trim();
  if (!url) return undefined;
  if (!env.DATABASE_URL?.trim()) throw new ConfigError('DATABASE_READ_URL needs DATABASE_URL: PGlite has no replica');
  if (!/^postgres(ql)?:\/\//.test(url))
    throw new ConfigError(`DATABASE_READ_URL must be a postgres:// URL, got "${url.replace(/:[^:@/]*@/, ':***@')}"`);
  return url;
}

/**
 * An http(s) origin with nothing after it (`https://cun.example.org`; a trailing slash is dropped). A path, query,
 * credentials or another scheme (javascript:, data:) is refused at start rather than printed on a notice board.
 */
export function publicOrigin(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`MINGBAI_PUBLIC_URL must be an absolute URL such as https://cun.example.org, got "${value}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new ConfigError(`MINGBAI_PUBLIC_URL must start with http:// or https://, got "${value}"`);
  if (url.username || url.password || url.search || url.hash || url.pathname !== '/')
    throw new ConfigError(`MINGBAI_PUBLIC_URL must be an origin only (no path, query or user), got "${value}"`);
  return url.origin;
}

function portalSecret(value: string | undefined): string | undefined {
  const secret = value?.trim();
  if (!secret) return undefined;
  if (secret.length < 24) throw new ConfigError('MINGBAI_PORTAL_SECRET must be at least 24 characters');
  return secret;
}

function nonNegative(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0)
    throw new ConfigError(`${name} must be 0 or a positive integer, got "${value}"`);
  return n;
}

function port(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65_535)
    throw new ConfigError(`${name} must be a port number, got "${value}"`);
  return n;
}

function positive(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new ConfigError(`${name} must be a positive integer, got "${value}"`);
  return n;
}

function flag(value: string | undefined, fallback: boolean, name: string): boolean {
  if (value === undefined || value === '') return fallback;
  if (['1', 'true', 'yes'].includes(value.toLowerCase())) return true;
  if (['0', 'false', 'no'].includes(value.toLowerCase())) return false;
  throw new ConfigError(`${name} must be true or false, got "${value}"`);
}

function planCacheMode(value: string | undefined): PlanCacheMode | undefined {
  const mode = value?.trim();
  if (!mode) return undefined;
  if ((PLAN_CACHE_MODES as readonly string[]).includes(mode)) return mode as PlanCacheMode;
  throw new ConfigError(`MINGBAI_PG_PLAN_CACHE_MODE must be one of ${PLAN_CACHE_MODES.join(', ')}, got "${mode}"`);
}

function readPreviewSecret(env: NodeJS.ProcessEnv): string | undefined {
  const secret = env.MINGBAI_PREVIEW_SECRET?.trim();
  if (secret && secret.length < 24) throw new ConfigError('MINGBAI_PREVIEW_SECRET must be at least 24 characters');
  return secret || portalSecret(env.MINGBAI_PORTAL_SECRET) || undefined;
}

/**
 * The image workers: MINGBAI_IMAGE_WORKERS (1–16, default the cores but one, 1–4: `defaultImageWorkers`), _QUEUE (default 40 files), _QUEUE_MB (default 160),
 * _TIMEOUT_MS (default 30 s), _WORKER_HEAP_MB (default 96).
 */
export function readImagePool(env: NodeJS.ProcessEnv = process.env): ImagePoolSettings {
  const workers = positive(env.MINGBAI_IMAGE_WORKERS, 'MINGBAI_IMAGE_WORKERS') ?? defaultImageWorkers();
  if (workers > 16) throw new ConfigError(`MINGBAI_IMAGE_WORKERS must be 1 to 16, got "${workers}"`);
  const heapMb = positive(env.MINGBAI_IMAGE_WORKER_HEAP_MB, 'MINGBAI_IMAGE_WORKER_HEAP_MB') ?? 96;
  if (heapMb < 32) throw new ConfigError(`MINGBAI_IMAGE_WORKER_HEAP_MB must be at least 32, got "${heapMb}"`);
  return {
    workers,
    queue: positive(env.MINGBAI_IMAGE_QUEUE, 'MINGBAI_IMAGE_QUEUE') ?? 40,
    queueMb: positive(env.MINGBAI_IMAGE_QUEUE_MB, 'MINGBAI_IMAGE_QUEUE_MB') ?? 160,
    timeoutMs: positive(env.MINGBAI_IMAGE_TIMEOUT_MS, 'MINGBAI_IMAGE_TIMEOUT_MS') ?? 30_000,
    heapMb,
  };
}
