/**
 * The docs' worked examples: complete operations with their variables, as data, so the docs page prints them, the
 * explorer prefills them and tests/docs.test.ts runs each against the real API.
 */
export interface DocsExample {
  /** URL-safe id: /docs/explorer?example={id} and #example-{id}. */
  id: string;
  title: { zh: string; en: string };
  query: string;
  variables: Record<string, unknown>;
  /** A real response, shortened (lists cut to a few items, marked with a comment in the docs). */
  sample: string;
}

export const EXAMPLES: DocsExample[] = [
  {
    id: 'village-month',
    title: { zh: '一个村的一个月', en: 'A village’s month' },
    query: `query VillageMonth($slug: String!, $year: Int!, $month: Int!) {
  village(slug: $slug) {
    name
    statement(year: $year, month: $month) {
      revision
      income { yuan }
      spending { yuan }
      reconciliation { ok }
      lines(first: 50) {
        totalCount
        pageInfo { hasNextPage endCursor }
        nodes {
          date
          summary
          amount { yuan }
          kind
          account { code name }
        }
      }
    }
  }
}`,
    variables: { slug: 'fucun', year: 2025, month: 6 },
    sample: '',
  },
  {
    id: 'district-welfare',
    title: { zh: '一个区一年的全部公益支出', en: 'All 公益支出 (public welfare spending) of a district in a year' },
    query: `query DistrictWelfare($region: String!, $year: Int!, $after: String) {
  region(slug: $region) {
    name
    lines(year: $year, category: "514", kind: SPENDING, first: 100, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes {
        date
        summary
        amount { yuan }
        account { code name }
        voucher { village { slug name } number }
      }
    }
  }
}`,
    variables: { region: 'xiqing', year: 2025, after: null },
    sample: '',
  },
  {
    id: 'mirror-sync',
    title: { zh: '同步镜像：取上次以来的新公开', en: 'Syncing a mirror: what was published since last time' },
    query: `query MirrorSync($since: DateTime, $cursor: String) {
  statements(publishedSince: $since, first: 100, after: $cursor) {
    pageInfo { hasNextPage endCursor }
    nodes {
      id
      village { slug }
      year
      month
      revision
      isCurrent
      publishedAt
      digest
      previousDigest
    }
  }
}`,
    variables: { since: '2025-01-01T00:00:00Z', cursor: null },
    sample: '',
  },
  {
    id: 'villages',
    title: { zh: '一个区的村，按页取', en: 'The villages of a district, page by page' },
    query: `query Villages($region: String!, $after: String) {
  villages(regionSlug: $region, first: 20, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { id slug name code kind town { slug name } }
  }
}`,
    variables: { region: 'xiqing', after: null },
    sample: '',
  },
  {
    id: 'corrections',
    title: { zh: '一个月的所有版本和更正原因', en: 'Every revision of a month, and why it was corrected' },
    query: `query Revisions($slug: String!, $year: Int!, $month: Int!) {
  village(slug: $slug) {
    statement(year: $year, month: $month) {
      id
      revision
      digest
      revisions { revision isCurrent publishedAt reason digest }
      changes { kind voucherNumber summaryBefore summaryAfter amountBefore { yuan } amountAfter { yuan } }
    }
  }
}`,
    variables: { slug: 'fucun', year: 2025, month: 8 },
    sample: '',
  },
  {
    id: 'rate-limit',
    title: { zh: '查看自己的限额余量', en: 'Your rate limit budget' },
    query: `query Budget {
  rateLimit { limit remaining used resetAt cost }
}`,
    variables: {},
    sample: '',
  },
];

export function exampleById(id: string | null | undefined): DocsExample | undefined {
  return EXAMPLES.find((e) => e.id === id);
}
