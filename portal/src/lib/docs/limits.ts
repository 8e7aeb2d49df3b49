/**
 * The public API's limits as the docs state them. The portal imports nothing from api/, so these numbers are
 * written here by hand; tests/portal/docs.test.ts checks them against api/src/limits/limits.ts and the rendered pages.
 */
export const DOCS_LIMITS = {
  maxQueryCost: 20_000,
  maxDepth: 12,
  maxAliases: 30,
  maxFields: 600,
  maxDirectives: 10,
  maxTokens: 6_000,
  maxBodyBytes: 1_000_000,
  maxAuthenticatedBodyBytes: 40_000_000,
  executionTimeoutMs: 10_000,
  anonymousPointsPerHour: 200_000,
  apiKeyPointsPerHour: 2_000_000,
  anonymousDataBytesPerHour: 2_000_000_000,
  apiKeyDataBytesPerHour: 20_000_000_000,
  publicMaxAgeSeconds: 60,
} as const;

/** Connection arguments first/last: 1–100, 20 when neither is given. */
export const PAGE_SIZE = { min: 1, max: 100, default: 20 } as const;

/** 20000 → "20,000": the form the pages print and the tests look for. */
export function grouped(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
