/**
 * Queries of the share pages (issue 18): the village search, the embeddable badge, the yearly summary sheet and the
 * month's share card. Typed by codegen like queries.ts.
 */
import type * as G from './generated/graphql';
import type { TypedQuery } from './api';

const q = <R, V>(text: string) => text as TypedQuery<R, V>;

/** A village's payments across its published months, newest first; the years it has, for the year filter. */
export const VillageSearch = q<G.VillageSearchQuery, G.VillageSearchQueryVariables>(/* GraphQL */ `
  query VillageSearch(
    $slug: String!
    $search: String
    $year: Int
    $minYuan: String
    $maxYuan: String
    $kind: FlowKind
    $first: Int!
    $after: String
  ) {
    village(slug: $slug) {
      name
      town {
        name
        slug
      }
      district {
        name
        slug
      }
      periods(first: 100) {
        nodes {
          year
        }
      }
      lines(
        search: $search
        year: $year
        minYuan: $minYuan
        maxYuan: $maxYuan
        kind: $kind
        orderBy: DATE_DESC
        first: $first
        after: $after
      ) {
        totalCount
        pageInfo {
          hasNextPage
          endCursor
        }
        nodes {
          kind
          date
          summary
          amount {
            yuan
          }
          counterparty {
            name
          }
          account {
            name
            categoryName
          }
          voucherNumber
          voucher {
            year
            month
          }
        }
      }
    }
  }
`);

/** What the badge shows: the latest published month and the balance at its end. */
export const VillageBadge = q<G.VillageBadgeQuery, G.VillageBadgeQueryVariables>(/* GraphQL */ `
  query VillageBadge($slug: String!) {
    village(slug: $slug) {
      name
      latestStatement {
        year
        month
        digest
        closingBalance {
          yuan
        }
      }
    }
  }
`);

/** One month as the yearly summary sheet shows it. */
const YEAR_MONTH_FIELDS = /* GraphQL */ `
  fragment YearMonthFields on MonthlyStatement {
    month
    revision
    lineCount
    redFlagCount
    reconciled
    digest
    openingBalance {
      fen
    }
    closingBalance {
      fen
    }
    income {
      fen
    }
    spending {
      fen
    }
    byCategory {
      code
      kind
      name
      amount {
        fen
      }
    }
  }
`;

/** The twelve months of a year (null where not published), for the one-page yearly summary. */
export const YearSummary = q<G.YearSummaryQuery, G.YearSummaryQueryVariables>(/* GraphQL */ `
  query YearSummary($slug: String!, $year: Int!) {
    village(slug: $slug) {
      name
      kind
      code
      town {
        name
      }
      district {
        name
      }
      m1: statement(year: $year, month: 1) {
        ...YearMonthFields
      }
      m2: statement(year: $year, month: 2) {
        ...YearMonthFields
      }
      m3: statement(year: $year, month: 3) {
        ...YearMonthFields
      }
      m4: statement(year: $year, month: 4) {
        ...YearMonthFields
      }
      m5: statement(year: $year, month: 5) {
        ...YearMonthFields
      }
      m6: statement(year: $year, month: 6) {
        ...YearMonthFields
      }
      m7: statement(year: $year, month: 7) {
        ...YearMonthFields
      }
      m8: statement(year: $year, month: 8) {
        ...YearMonthFields
      }
      m9: statement(year: $year, month: 9) {
        ...YearMonthFields
      }
      m10: statement(year: $year, month: 10) {
        ...YearMonthFields
      }
      m11: statement(year: $year, month: 11) {
        ...YearMonthFields
      }
      m12: statement(year: $year, month: 12) {
        ...YearMonthFields
      }
    }
  }
  ${YEAR_MONTH_FIELDS}
`);

/** The month's totals for its share card (a revision, or the current one). */
export const MonthCard = q<G.MonthCardQuery, G.MonthCardQueryVariables>(/* GraphQL */ `
  query MonthCard($slug: String!, $year: Int!, $month: Int!, $revision: Int) {
    village(slug: $slug) {
      name
      town {
        name
      }
      statement(year: $year, month: $month, revision: $revision) {
        revision
        isCurrent
        digest
        openingBalance {
          yuan
        }
        closingBalance {
          yuan
        }
        income {
          yuan
        }
        spending {
          yuan
        }
        lineCount
      }
    }
  }
`);
