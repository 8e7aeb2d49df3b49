/**
 * The public API's limits, in one place: the server enforces these numbers and the /docs page states them.
 * Costs are counted like Shopify's and GitHub's: see cost.ts for how a query's cost is computed before it runs.
 */
export const LIMITS = {
  /** Highest cost one query may have. */
  maxQueryCost: 20_000,
  /** Deepest selection nesting. */
  maxDepth: 12,
  /** Aliases per operation. */
  maxAliases: 30,
  /** Field selections per operation, fragments expanded. */
  maxFields: 600,
  /** Directives per operation. */
  maxDirectives: 10,
  /** Lexical tokens in the document, read before parsing finishes. */
  maxTokens: 6_000,
  /** Request body for the public; signed-in committees upload ledger files through mutations. */
  maxBodyBytes: 1_000_000,
  maxAuthenticatedBodyBytes: 40_000_000,
  /** A request that runs longer is answered with QUERY_TIMEOUT. */
  executionTimeoutMs: 10_000,
  /** Points per hour: one query spends its cost, at least 1. */
  anonymousPointsPerHour: 200_000,
  apiKeyPointsPerHour: 2_000_000,
  /** Bytes of /data downloads per hour: a national month's CSV is ~190 MB at Tianjin's scale. */
  anonymousDataBytesPerHour: 2_000_000_000,
  apiKeyDataBytesPerHour: 20_000_000_000,
  /** Public GET responses may be cached this long by browsers and CDNs. */
  publicMaxAgeSeconds: 60,
} as const;
