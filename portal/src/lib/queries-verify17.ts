/**
 * Checkpoint queries of issue 17 (codegen reads queries-*.ts beside queries.ts): which signed checkpoint first covered
 * a published revision, for the print sheet (the same number on a sheet printed at the time and on the site later).
 */
import type * as G from './generated/graphql';
import type { TypedQuery } from './api';

const q = <R, V>(text: string) => text as TypedQuery<R, V>;

export const StatementCheckpoint = q<G.StatementCheckpointQuery, G.StatementCheckpointQueryVariables>(/* GraphQL */ `
  query StatementCheckpoint($slug: String!, $year: Int!, $month: Int!, $revision: Int) {
    village(slug: $slug) {
      statement(year: $year, month: $month, revision: $revision) {
        revision
        checkpoint {
          number
          timestamp
          keyId
          chainLength
        }
      }
    }
  }
`);
