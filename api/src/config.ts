/**
 * Runtime settings, read from the environment once at start. Nothing else in the API reads process.env.
 */
export interface ApiConfig {
  /** postgres://… for a PostgreSQL server; unset → embedded PGlite. */
  databaseUrl: string | undefined;
  /** PGlite data folder (default .data/pglite in the repository). */
  pgliteDir: string | undefined;
  /** HTTP port of the GraphQL API (default 4000). */
  port: number;
  /** Host to bind (default 127.0.0.1; set 0.0.0.0 behind a load balancer). */
  host: string;
  /** Load the demo villages when the database has no village yet (default true). */
  seedDemo: boolean;
  /** Report the SQL statements of each request in `extensions.sql` (default false; tests and benchmarks turn it on). */
  exposeSqlStats: boolean;
  /** Query points per hour for the public, per IP address (default LIMITS.anonymousPointsPerHour). */
  anonymousPointsPerHour: number | undefined;
  /** Query points per hour per API key, unless the key has its own (default LIMITS.apiKeyPointsPerHour). */
  apiKeyPointsPerHour: number | undefined;
  /** Addresses of reverse proxies whose X-Forwarded-For is believed, comma-separated (default loopback). */
  trustedProxies: string[] | undefined;
}

export class ConfigError extends Error {}

export function readConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  return {
    databaseUrl: env.DATABASE_URL?.trim() || undefined,
    pgliteDir: env.PGLITE_DIR?.trim() || undefined,
    port: port(env.API_PORT, 4000, 'API_PORT'),
    host: env.API_HOST?.trim() || '127.0.0.1',
    seedDemo: flag(env.MINGBAI_SEED_DEMO, true, 'MINGBAI_SEED_DEMO'),
    exposeSqlStats: flag(env.MINGBAI_SQL_STATS, false, 'MINGBAI_SQL_STATS'),
    anonymousPointsPerHour: positive(env.MINGBAI_RATE_LIMIT_ANONYMOUS, 'MINGBAI_RATE_LIMIT_ANONYMOUS'),
    apiKeyPointsPerHour: positive(env.MINGBAI_RATE_LIMIT_API_KEY, 'MINGBAI_RATE_LIMIT_API_KEY'),
    trustedProxies: env.MINGBAI_TRUSTED_PROXIES?.trim()
      ? env.MINGBAI_TRUSTED_PROXIES.split(',')
          .map((a) => a.trim())
          .filter(Boolean)
      : undefined,
  };
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
