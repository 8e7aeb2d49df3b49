import type { Context } from '../graphql/context.ts';
import type { PeriodRow } from './statement.sql.ts';
import { MonthlyStatement } from './statement.type.ts';

/**
 * A month not yet published, shown to its reviewers as it would be published (`review/preview.ts`): its fields read
 * through its own loaders, whose statements see the month published inside a transaction that is rolled back.
 */
export class PreviewStatement extends MonthlyStatement {
  constructor(
    period: PeriodRow,
    allRevisions: PeriodRow[],
    readonly loaders: Context['loaders'],
  ) {
    super(period, allRevisions);
  }
}

/** The loaders a statement's fields read: its own for a preview, else the request's. */
export function loadersOf(s: MonthlyStatement, ctx: Context): Context['loaders'] {
  return s instanceof PreviewStatement ? s.loaders : ctx.loaders;
}
