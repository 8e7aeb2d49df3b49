/**
 * The region pages' queries (issue 18, compare and look back): which months a region has published (to pick the
 * default year), the page for a year or month with its paged village list, the comparison of one category across a
 * town's villages, and a village's trend over every published month.
 */
import type * as G from './generated/graphql';
import type { TypedQuery } from './api';

const q = <R, V>(text: string) => text as TypedQuery<R, V>;

export const RegionPeriods = q<G.RegionPeriodsQuery, G.RegionPeriodsQueryVariables>(/* GraphQL */ `
  query RegionPeriods($slug: String!) {
    region(slug: $slug) {
      name
      slug
      level
      parent {
        name
        slug
      }
      children {
        name
        slug
      }
      publishedMonths {
        year
        month
        villageCount
      }
    }
  }
`);

export const RegionYearPage = q<G.RegionYearPageQuery, G.RegionYearPageQueryVariables>(/* GraphQL */ `
  query RegionYearPage(
    $slug: String!
    $year: Int!
    $month: Int
    $first: Int
    $after: String
    $last: Int
    $before: String
  ) {
    region(slug: $slug) {
      summary(year: $year, month: $month) {
        income {
          yuan
        }
        spending {
          yuan
        }
        byCategory {
          kind
          standard
          code
          name
          amount {
            yuan
          }
          villageCount
        }
      }
      questionRanking(first: 50) {
        onTimePercent
        village {
          name
          slug
          town {
            name
          }
        }
        record {
          asked
          answeredOnTime
          answeredLate
          open
          overdue
        }
      }
      villageTotals(year: $year, month: $month, first: $first, after: $after, last: $last, before: $before) {
        totalCount
        pageInfo {
          hasNextPage
          hasPreviousPage
          startCursor
          endCursor
        }
        nodes {
          slug
          monthsPublished
          lastMonth
          income {
            yuan
          }
          spending {
            yuan
          }
        }
      }
      villages(first: $first, after: $after, last: $last, before: $before) {
        nodes {
          name
          slug
          town {
            name
          }
          latestStatement {
            year
            month
            redFlagCount
            closingBalance {
              yuan
            }
          }
        }
      }
    }
  }
`);

export const RegionCompare = q<G.RegionCompareQuery, G.RegionCompareQueryVariables>(/* GraphQL */ `
  query RegionCompare($slug: String!, $year: Int!, $month: Int, $kind: CompareKind!, $standard: String, $code: String) {
    region(slug: $slug) {
      summary(year: $year, month: $month) {
        byCategory {
          kind
          standard
          code
          name
        }
      }
      comparison(year: $year, month: $month, kind: $kind, standard: $standard, code: $code) {
        name
        kind
        villageCount
        villagesWithoutData
        total {
          yuan
        }
        median {
          yuan
          fen
        }
        villages {
          slug
          name
          rank
          monthsPublished
          amount {
            yuan
            fen
          }
        }
      }
    }
  }
`);

export const VillageTrend = q<G.VillageTrendQuery, G.VillageTrendQueryVariables>(/* GraphQL */ `
  query VillageTrend($slug: String!, $after: String) {
    village(slug: $slug) {
      periods(first: 100, after: $after) {
        pageInfo {
          hasNextPage
          endCursor
        }
        nodes {
          year
          month
          statement {
            income {
              fen
            }
            spending {
              fen
            }
          }
        }
      }
    }
  }
`);
