/**
 * The portal's runtime settings, read from the environment once. Nothing else in the portal reads process.env.
 * A value that does not parse stops the portal with a message naming the setting, rather than serving wrong links.
 */
export interface PortalConfig {
  /**
   * The one public origin every absolute URL the portal prints is built on (QR codes and addresses on the notice
   * sheet, the docs' examples): MINGBAI_PUBLIC_URL, default http://localhost:{PORT or PORTAL_PORT, 4321}. Never taken
   * from a request's Host or X-Forwarded-* headers, which any client can write.
   */
  publicUrl: string;
  /** The GraphQL API the portal reads (MINGBAI_API_URL, default http://127.0.0.1:{API_PORT, 4000}/graphql). */
  apiUrl: string;
  /** A proxy in front sets X-Forwarded-For, and its last value is the visitor (MINGBAI_PORTAL_BEHIND_PROXY). */
  behindProxy: boolean;
  /** Peers whose X-Forwarded-Proto is believed (MINGBAI_TRUSTED_PROXIES, default loopback). */
  trustedProxies: string[];
  /** Cookies are Secure whatever the request says (MINGBAI_SECURE_COOKIES). */
  secureCookies: boolean;
  /**
   * Shared with the API (MINGBAI_PORTAL_SECRET): the portal's own page reads present it and are not charged to the
   * visitor's hourly points. Unset: every read is charged to the visitor's address, as for any client.
   */
  portalSecret: string | undefined;
  /** Requests per visitor address per hour before 429 (MINGBAI_PORTAL_REQUESTS_PER_HOUR, default 10,000; 0 = off). */
  requestsPerHour: number;
}

export class PortalConfigError extends Error {
  override name = 'PortalConfigError';
}

/** The largest upload the API imports (api/src/imports/import.service.ts MAX_IMPORT_BYTES; a test keeps them equal). */
export const MAX_IMPORT_BYTES = 40 * 1024 * 1024;

export function readPortalConfig(env: NodeJS.ProcessEnv = process.env): PortalConfig {
  const portalPort = env.PORT?.trim() || env.PORTAL_PORT?.trim() || '4321';
  const secret = env.MINGBAI_PORTAL_SECRET?.trim() || undefined;
  if (secret !== undefined && secret.length < 24)
    throw new PortalConfigError('MINGBAI_PORTAL_SECRET must be at least 24 characters');
  return {
    publicUrl: publicOrigin(env.MINGBAI_PUBLIC_URL?.trim() || `http://localhost:${portalPort}`),
    apiUrl: env.MINGBAI_API_URL?.trim() || `http://127.0.0.1:${env.API_PORT?.trim() || '4000'}/graphql`,
    behindProxy: env.MINGBAI_PORTAL_BEHIND_PROXY === 'true',
    trustedProxies: (env.MINGBAI_TRUSTED_PROXIES ?? '127.0.0.1,::1,::ffff:127.0.0.1')
      .split(',')
      .map((a) => a.trim())
      .filter(Boolean),
    secureCookies: env.MINGBAI_SECURE_COOKIES === 'true',
    portalSecret: secret,
    requestsPerHour: count(env.MINGBAI_PORTAL_REQUESTS_PER_HOUR, 10_000, 'MINGBAI_PORTAL_REQUESTS_PER_HOUR'),
  };
}

/**
 * An http(s) origin with nothing after it: `https://cun.example.org` or `http://localhost:4321` (a trailing slash is
 * dropped). A path, query, credentials or another scheme (javascript:, data:) is refused.
 */
export function publicOrigin(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new PortalConfigError(
      `MINGBAI_PUBLIC_URL must be an absolute URL such as https://cun.example.org, got "${value}"`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new PortalConfigError(`MINGBAI_PUBLIC_URL must start with http:// or https://, got "${value}"`);
  if (url.username || url.password || url.search || url.hash || url.pathname !== '/')
    throw new PortalConfigError(`MINGBAI_PUBLIC_URL must be an origin only (no path, query or user), got "${value}"`);
  return url.origin;
}

function count(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value.trim() === '') return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new PortalConfigError(`${name} must be a whole number, got "${value}"`);
  return n;
}

/**
 * The settings of this process. Astro loads modules at the first request, not at start, so `pnpm start` checks them
 * beforehand (scripts/start.ts); a portal started on its own exits at the first request rather than serve wrong links.
 */
export const config: PortalConfig = loadOrExit();

function loadOrExit(): PortalConfig {
  try {
    return readPortalConfig();
  } catch (error) {
    if (!(error instanceof PortalConfigError)) throw error;
    console.error(`portal settings: ${error.message}`);
    process.exit(1);
  }
}
