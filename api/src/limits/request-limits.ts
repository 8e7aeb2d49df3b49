import type { RateClient, RateLimitState } from './rate-limit.ts';

/** What the limits know about one request; shared by the HTTP layer, the Apollo plugin and `Query.rateLimit`. */
export interface RequestLimits {
  client: RateClient;
  /** Set once the operation is known, before it runs. */
  cost: number | null;
  /** After this request's spend. */
  rate: RateLimitState;
  /** The operation reads something that is not public data (the viewer, unpublished months, the client's budget). */
  readsPrivateData: boolean;
  /** A mutation runs to its end: its transaction commits or rolls back whatever the clock says. */
  isMutation: boolean;
  /**
   * Spends points for work found only while running (verifyChain's revisions), before it is done: added to `cost`,
   * refused with RATE_LIMITED or QUERY_TOO_COSTLY like a cost known up front. Set once the operation is priced.
   */
  charge?: (points: number) => Promise<void>;
}
