// Who is asking, for permissions and for whose budget a request spends.
import type { IncomingMessage } from 'node:http';
import type { Db } from '@mingbai/db/client';
import { authenticateApiKey, isApiKey } from '../auth/api-keys.service.ts';
import { authenticate } from '../auth/auth.service.ts';
import type { Viewer } from '../auth/viewer.ts';
import { clientAddress, isPortal, type RateClient } from '../limits/rate-limit.ts';

export const INVALID_KEY = Symbol('invalid api key');

export interface Caller {
  viewer: Viewer | null;
  client: RateClient;
  /**
   * The address the request comes from by the one trusted-proxy rule (`clientAddress`), whoever the caller is: for
   * the portal, its visitor's. Limits on what a person does (asking a question) count it, never 'portal'.
   */
  address: string;
}

export interface CallerSettings {
  db: Db;
  anonymousPointsPerHour: number;
  apiKeyPointsPerHour: number;
  trustedProxies: readonly string[];
  portalSecret: string | undefined;
}

/** A committee member (session token), an API key's holder, the portal's own page reads, or the public by address. */
export function callerIdentifier(
  settings: CallerSettings,
): (req: IncomingMessage) => Promise<Caller | typeof INVALID_KEY> {
  const { db, anonymousPointsPerHour, apiKeyPointsPerHour, trustedProxies, portalSecret } = settings;
  return async (req) => {
    const address = clientAddress(req, trustedProxies);
    const token = bearerToken(req);
    if (token && isApiKey(token)) {
      const key = await authenticateApiKey(db, token);
      if (!key) return INVALID_KEY;
      return {
        viewer: null,
        client: { key: `key:${key.keyId}`, limit: key.pointsPerHour ?? apiKeyPointsPerHour },
        address,
      };
    }
    const viewer = token ? await authenticate(db, token) : null;
    if (viewer) return { viewer, client: { key: `user:${viewer.userId}`, limit: apiKeyPointsPerHour }, address };
    if (!token && isPortal(req, portalSecret))
      return { viewer: null, client: { key: 'portal', limit: anonymousPointsPerHour, unmetered: true }, address };
    return { viewer: null, client: { key: `ip:${address}`, limit: anonymousPointsPerHour }, address };
  };
}

/**
 * `Authorization: Bearer …` only. The API reads no cookies, so a browser never sends it credentials on its own and
 * cross-site request forgery has nothing to ride on; the portal passes its session's token server-side.
 */
function bearerToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  return header?.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() || undefined : undefined;
}
