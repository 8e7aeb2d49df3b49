import type { ApolloServerPlugin } from '@apollo/server';
import type { Context } from '../context.ts';

/** A request's context as the HTTP layer builds it: the GraphQL context and the log of the SQL it ran. */
export type RequestContext = Context & { sql: { statements: string[] } };

/** Reports how many SQL statements the request ran, so N+1 regressions are visible from outside. */
export const sqlStatsPlugin: ApolloServerPlugin<RequestContext> = {
  async requestDidStart() {
    return {
      async willSendResponse({ response, contextValue }) {
        if (response.body.kind === 'single') {
          response.body.singleResult.extensions = {
            ...response.body.singleResult.extensions,
            sql: { statements: contextValue.sql.statements.length },
          };
        }
      },
    };
  },
};
