import type { GraphQLResolveInfo } from 'graphql';
import type { Db } from '@mingbai/db/client';
import type { LoginThrottle } from '../auth/login-throttle.ts';
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
  /**
   * The server's login throttle (startApiServer makes one per server, in Redis when shared): sign-ins and password
   * changes from an address count there. Absent outside a server (the command line signs in without an address).
   */
  loginThrottle?: LoginThrottle;
}

/** Defaults without reading the environment: main.ts passes the configured values. */
export const DEFAULT_REQUEST_SETTINGS: RequestSettings = {
  publicUrl: 'http://localhost:4321',
  questions: readQuestionSettings({}),
};

/** What each domain's loaders are made of, for one request. */
interface LoaderSources {
  db: Db;
  reads: Db;
  now: Date;
  /** The request's loaders, for a domain that primes another's. */
  all: () => Loaders;
}

const DOMAINS = {
  regions: (s: LoaderSources) => createRegionLoaders(s.db),
  villages: (s: LoaderSources) => createVillageLoaders(s.reads, (r) => s.all().regionById.prime(r.id, r)),
  statements: (s: LoaderSources) => createStatementLoaders(s.reads),
  vouchers: (s: LoaderSources) => createVoucherLoaders(s.reads),
  // Rule flags of a month not yet published are evaluated by the ledger on the database itself.
  review: (s: LoaderSources) => createReviewLoaders(s.reads, evaluateNow(s.db)),
  questions: (s: LoaderSources) => createQuestionLoaders(s.reads, s.now),
  attachments: (s: LoaderSources) => createAttachmentLoaders(s.reads),
};
type Domain = keyof typeof DOMAINS;
type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;
export type Loaders = UnionToIntersection<ReturnType<(typeof DOMAINS)[Domain]>>;

/** Which domain makes each loader: found once, by making every domain's loaders over no database (none reads yet). */
const OWNER = new Map<string, Domain>();
{
  const none = {} as Db;
  const sources: LoaderSources = { db: none, reads: none, now: new Date(0), all: () => ({}) as Loaders };
  for (const domain of Object.keys(DOMAINS) as Domain[]) {
    for (const key of Object.keys(DOMAINS[domain](sources))) OWNER.set(key, domain);
  }
}

/** Per request: a domain's loaders are made on first use, so a request pays only for the loaders its fields use. */
class RequestLoaders {
  readonly made: Partial<Record<Domain, Record<string, unknown>>> = {};
  constructor(readonly sources: LoaderSources) {}
}
// Own enumerable getters (not the prototype's), so `{ ...loaders }` (review/preview.ts) still copies every loader.
const GETTERS: PropertyDescriptorMap = Object.fromEntries(
  [...OWNER].map(([key, domain]) => [
    key,
    {
      enumerable: true,
      get(this: RequestLoaders) {
        return (this.made[domain] ??= DOMAINS[domain](this.sources) as Record<string, unknown>)[key];
      },
    },
  ]),
);

function createLoaders(db: Db, reads: Db, now: Date): Loaders {
  const sources: LoaderSources = { db, reads, now, all: () => loaders };
  const loaders = Object.defineProperties(new RequestLoaders(sources), GETTERS) as unknown as Loaders;
  return loaders;
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
