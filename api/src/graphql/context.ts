import type { GraphQLResolveInfo } from 'graphql';
import type { Db } from '@mingbai/db/client';
import type { Viewer } from '../auth/viewer.ts';
import { mergeReads } from '../batching.ts';
import { createAttachmentLoaders } from '../attachments/attachment.loader.ts';
import { readQuestionSettings, type QuestionSettings } from '../config.ts';
import type { RequestLimits } from '../limits/request-limits.ts';
import { createQuestionLoaders } from '../questions/question.loader.ts';
import { createRegionLoaders } from '../regions/region.loader.ts';
import { createReviewLoaders, evaluateNow } from '../review/red-flag.loader.ts';
import type { MonthKey } from '../statements/period-keys.ts';
import { createStatementLoaders } from '../statements/statement.loader.ts';
import { createVillageLoaders } from '../villages/village.loader.ts';
import { createVoucherLoaders } from '../vouchers/voucher.loader.ts';
import { readAheadMonth } from './execution/read-ahead.ts';

/** Per request: the database and fresh DataLoaders, so batching and caching never leak between requests. */
export interface Context {
  db: Db;
  /**
   * The same database for the request's public reads: what one execution level asks is sent as one statement
   * (`mergeReads`, rows as JSON). Loaders read through it; so do resolvers that call a read service directly.
   */
  reads: Db;
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
  /**
   * Reads what a month's page asks below its statement in the statement's own turn (`execution/read-ahead.ts`), so it
   * goes with the statement's read: `current` is that read's answer, the month's current revision.
   */
  readAhead(
    month: MonthKey,
    revision: number | undefined,
    current: Promise<number | undefined>,
    info: GraphQLResolveInfo,
  ): void;
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

function createLoaders(db: Db, reads: Db, now: Date) {
  const regions = createRegionLoaders(db);
  return {
    ...regions,
    ...createVillageLoaders(reads, (r) => regions.regionById.prime(r.id, r)),
    ...createStatementLoaders(reads),
    ...createVoucherLoaders(reads),
    // Rule flags of a month not yet published are evaluated by the ledger on the database itself.
    ...createReviewLoaders(reads, evaluateNow(db)),
    ...createQuestionLoaders(reads, now),
    ...createAttachmentLoaders(reads),
  };
}

export function createContext(
  db: Db,
  viewer: Viewer | null = null,
  limits?: RequestLimits,
  request: { settings?: RequestSettings; address?: string } = {},
): Context {
  const now = new Date();
  const reads = mergeReads(db);
  const loaders = createLoaders(db, reads, now);
  return {
    db,
    reads,
    now,
    loaders,
    readAhead: (month, revision, current, info) => readAheadMonth(loaders, month, revision, current, info),
    viewer,
    ...(limits ? { limits } : {}),
    settings: request.settings ?? DEFAULT_REQUEST_SETTINGS,
    ...(request.address ? { address: request.address } : {}),
  };
}
