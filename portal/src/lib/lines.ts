import { graphql } from './api';
import type { WholeMonthQuery } from './generated/graphql';
import { WholeMonth } from './queries';

/** A payment or receipt, with its amount also in fen. */
export type ExportLine = Statement['lines']['nodes'][number];

type Statement = NonNullable<NonNullable<WholeMonthQuery['village']>['statement']>;

export type MonthExport = Omit<Statement, 'lines'> & { villageName: string; villageCode: string; lines: ExportLine[] };

/** Every line of a published month, 100 at a time: for print and downloads, which show all of them. */
export async function wholeMonth(
  slug: string,
  year: number,
  month: number,
  revision: number | undefined,
): Promise<MonthExport | undefined> {
  const lines: ExportLine[] = [];
  let after: string | null = null;
  for (let page = 0; page < 10_000; page++) {
    const data: WholeMonthQuery = await graphql(WholeMonth, { slug, year, month, revision, after });
    const s = data.village?.statement;
    if (!data.village || !s) return undefined;
    lines.push(...s.lines.nodes);
    if (!s.lines.pageInfo.hasNextPage) {
      const { lines: _page, ...head } = s;
      return { ...head, villageName: data.village.name, villageCode: data.village.code, lines };
    }
    after = s.lines.pageInfo.endCursor;
  }
  return undefined;
}
