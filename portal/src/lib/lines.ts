import { graphql, type Money } from './api';
import type { Line } from './month';

/** A payment or receipt, as the month page shows it. */
export type ExportLine = Line;

export interface MonthExport {
  villageName: string;
  villageCode: string;
  revision: number;
  isCurrent: boolean;
  digest: string;
  reason: string | null;
  openingBalance: Money;
  closingBalance: Money;
  income: Money;
  spending: Money;
  byCategory: { name: string; kind: string; amount: Money }[];
  lines: ExportLine[];
}

/** Every line of a published month, 100 at a time: for print and downloads, which show all of them. */
export async function wholeMonth(
  slug: string,
  year: number,
  month: number,
  revision: number | undefined,
): Promise<MonthExport | undefined> {
  const lines: ExportLine[] = [];
  let after: string | null = null;
  let head: Omit<MonthExport, 'lines' | 'villageName' | 'villageCode'> | undefined;
  let village: { name: string; code: string } | undefined;
  for (let page = 0; page < 10_000; page++) {
    const data: {
      village: {
        name: string;
        code: string;
        statement:
          | (Omit<MonthExport, 'lines' | 'villageName' | 'villageCode'> & {
              lines: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: ExportLine[] };
            })
          | null;
      } | null;
    } = await graphql(
      `
        query ($slug: String!, $year: Int!, $month: Int!, $revision: Int, $after: String) {
          village(slug: $slug) {
            name
            code
            statement(year: $year, month: $month, revision: $revision) {
              revision
              isCurrent
              digest
              reason
              openingBalance {
                yuan
                fen
              }
              closingBalance {
                yuan
                fen
              }
              income {
                yuan
                fen
              }
              spending {
                yuan
                fen
              }
              byCategory {
                name
                kind
                amount {
                  yuan
                  fen
                }
              }
              lines(first: 100, after: $after) {
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
                    fen
                  }
                  counterparty {
                    name
                    isPerson
                  }
                  paymentMethod
                  account {
                    code
                    name
                    categoryName
                  }
                  voucher {
                    number
                  }
                }
              }
            }
          }
        }
      `,
      { slug, year, month, revision, after },
    );
    const s = data.village?.statement;
    if (!s || !data.village) return undefined;
    village = { name: data.village.name, code: data.village.code };
    const { lines: page_, ...rest } = s;
    head = rest;
    lines.push(...page_.nodes);
    if (!page_.pageInfo.hasNextPage) break;
    after = page_.pageInfo.endCursor;
  }
  return head && village ? { ...head, villageName: village.name, villageCode: village.code, lines } : undefined;
}

/** A cell as spreadsheet software should show it: text starting with = + - @ cannot become a formula. */
export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
