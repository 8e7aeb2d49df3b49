// /data: the bulk open-data files (api/src/opendata/), metered in bytes per hour per address or key.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Db } from '@mingbai/db/client';
import { isAttachmentFilePath, serveAttachmentFile } from '../attachments/files.http.ts';
import { handleOpenData, type OpenDataDeadlines } from '../opendata/opendata.http.ts';
import type { RateClient, RateLimiter } from '../limits/rate-limit.ts';
import { INVALID_KEY, type Caller } from './caller.ts';
import { exposeHeaders } from './cors.ts';
import { setRateLimitHeaders, setRetryAfter } from './rate-limit-headers.ts';
import { sendError } from './transport-errors.ts';

export interface OpenDataEndpointSettings {
  db: Db;
  identify: (req: IncomingMessage) => Promise<Caller | typeof INVALID_KEY>;
  /** Bytes sent per hour, per address or key. */
  dataBytes: RateLimiter;
  anonymousDataBytesPerHour: number;
  apiKeyDataBytesPerHour: number;
  /** The configured public origin absolute links are built on (MINGBAI_PUBLIC_URL), never the request's Host. */
  publicUrl: string | undefined;
  deadlines: OpenDataDeadlines | undefined;
}

/**
 * /data downloads spend bytes per hour, per address or key (x-ratelimit-* count bytes here). A download is charged
 * what was sent when it ends, so the last one may overdraw the budget; the next is refused until the window resets.
 */
export function openDataEndpoint(
  settings: OpenDataEndpointSettings,
): (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void> {
  const { db, identify, dataBytes, publicUrl, deadlines } = settings;
  return async (req, res, url) => {
    if (req.method === 'OPTIONS') return handleOpenData(req, res, db, url, publicUrl, deadlines);
    exposeHeaders(res);
    const caller = await identify(req);
    if (caller === INVALID_KEY) {
      sendError(res, 401, 'INVALID_API_KEY', 'API 密钥无效或已被吊销');
      return;
    }
    const { key, unmetered } = caller.client;
    const budget: RateClient = {
      key,
      limit: key.startsWith('ip:') ? settings.anonymousDataBytesPerHour : settings.apiKeyDataBytesPerHour,
      ...(unmetered ? { unmetered } : {}),
    };
    const state = await dataBytes.peek(budget);
    setRateLimitHeaders(res, state);
    if (state.remaining <= 0) {
      setRetryAfter(res, state);
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
    // The published views of attachments, by hash, metered like any download (api/src/attachments/files.http.ts).
    if (isAttachmentFilePath(url.pathname)) {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.setHeader('allow', 'GET, HEAD, OPTIONS');
        sendError(res, 405, 'METHOD_NOT_ALLOWED', '附件文件只能用 GET 下载');
        return;
      }
      if (!(await serveAttachmentFile(req, res, db, url.pathname))) {
        sendError(res, 404, 'NOT_FOUND', '没有这个已公开的附件文件');
      }
      return;
    }
    return handleOpenData(req, res, db, url, publicUrl, deadlines);
  };
}
