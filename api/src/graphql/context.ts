import type { Db } from '@mingbai/db/client';
import type { Viewer } from '../auth/viewer.ts';
import { createAttachmentLoaders } from '../attachments/attachment.loader.ts';
import { readQuestionSettings, type QuestionSettings } from '../config.ts';
import type { RequestLimits } from '../limits/request-limits.ts';
import { createQuestionLoaders } from '../questions/question.loader.ts';
import { createRegionLoaders } from '../regions/region.loader.ts';
import { createReviewLoaders, evaluateNow } from '../review/red-flag.loader.ts';
import { createStatementLoaders } from '../statements/statement.loader.ts';
import { createVillageLoaders } from '../villages/village.loader.ts';
import { createVoucherLoaders } from '../vouchers/voucher.loader.ts';

/** Per request: the database and fresh DataLoaders, so batching and caching never leak between requests. */
export interface Context {
  db: Db;
  loaders: Loaders;
  /** The signed-in user, or null for the public. */
  viewer: Viewer | null;
  /** The request's cost and rate limit; absent outside HTTP (the CLI). */
  limits?: RequestLimits;
  /** The server's settings that fields and mutations need (the public origin, the questions' clock and limits). */
  settings: RequestSettings;
  /**
   * Where the request comes from (`http/caller.ts` `address`: the portal's visitor, not the portal); absent outside
   * HTTP. The per-address limit on asking counts it.
   */
  address?: string;
  /** The request's clock: a question's status (open, overdue) is judged at this instant, the same for every field. */
  now: Date;
}

export interface RequestSettings {
  /** MINGBAI_PUBLIC_URL: absolute URLs (a question's page) are built on it, never on the request's Host. */
  publicUrl: string;
  questions: QuestionSettings;
}

/** Defaults without reading the environment: main.ts passes the configured values. */
export const DEFAULT_REQUEST_SETTINGS: RequestSettings = {
  publicUrl: 'http://localhost:4321',
  questions: readQuestionSettings({}),
};

export type Loaders = ReturnType<typeof createLoaders>;

function createLoaders(db: Db, now: Date) {
  const regions = createRegionLoaders(db);
  return {
    ...regions,
    ...createVillageLoaders(db, (r) => regions.regionById.prime(r.id, r)),
    ...createStatementLoaders(db),
    ...createVoucherLoaders(db),
    ...createReviewLoaders(db, evaluateNow(db)),
    ...createQuestionLoaders(db, now),
    ...createAttachmentLoaders(db),
  };
}

export function createContext(
  db: Db,
  viewer: Viewer | null = null,
  limits?: RequestLimits,
  request: { settings?: RequestSettings; address?: string } = {},
): Context {
  const now = new Date();
  return {
    db,
    now,
    loaders: createLoaders(db, now),
    viewer,
    ...(limits ? { limits } : {}),
    settings: request.settings ?? DEFAULT_REQUEST_SETTINGS,
    ...(request.address ? { address: request.address } : {}),
  };
}
