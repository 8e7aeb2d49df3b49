// Executes operations for Apollo Server through its executor hook (the gateway interface): each query document is
// compiled once (on its second run) by graphql-jit into a plain JavaScript function, instead of graphql-js walking
// the document for every response. The month page answers ~700 fields; graphql-js spent most of the API's own CPU per
// request on that walk.
// Mutations keep graphql-js's execute: they are few, and its serial semantics are the reference.
import { channel } from 'node:diagnostics_channel';
import type { ApolloServerOptionsWithGateway, BaseContext } from '@apollo/server';
import { execute, type DocumentNode, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import { standardError } from './format-error.ts';

type Gateway = ApolloServerOptionsWithGateway<BaseContext>['gateway'];
type Compiled = CompiledQuery<Record<string, unknown>, Record<string, unknown>>;

/**
 * Apollo keeps one parsed document per query text (a bounded cache), so a compiled query lives exactly as long as
 * the document it came from. Compiling costs more than one run on graphql-js, so a document is compiled the second
 * time it runs: the portal's and apps' queries repeat, while a one-off (a journalist's ad-hoc query, or a flood of
 * distinct documents meant to burn CPU) never pays for it. A document that does not compile runs on graphql-js.
 */
const SEEN_ONCE = 'seen once';
/** Each document compiled is published here (`{ operationName }`), for tests and monitoring to observe. */
export const COMPILED_QUERY_CHANNEL = 'mingbai:graphql-jit:compiled';
const compiledQueries = channel(COMPILED_QUERY_CHANNEL);
const compiledByDocument = new WeakMap<DocumentNode, Map<string, Compiled | null | typeof SEEN_ONCE>>();

function compiled(schema: GraphQLSchema, document: DocumentNode, operationName: string | null): Compiled | null {
  let byName = compiledByDocument.get(document);
  if (!byName) compiledByDocument.set(document, (byName = new Map()));
  const key = operationName ?? '';
  const entry = byName.get(key);
  if (entry === undefined) {
    byName.set(key, SEEN_ONCE);
    return null;
  }
  if (entry !== SEEN_ONCE) return entry;
  const result = compileQuery(schema, document, operationName ?? undefined, {
    // Leaf values are checked and serialized exactly as graphql-js does (custom scalars included).
    disableLeafSerialization: false,
    customJSONSerializer: false,
  });
  const query = isCompiledQuery(result) ? (result as Compiled) : null;
  if (query) compiledQueries.publish({ operationName });
  byName.set(key, query);
  return query;
}

export function jitGateway(schema: GraphQLSchema): Gateway {
  return {
    async load() {
      return {
        executor: async (requestContext): Promise<ExecutionResult> => {
          const { document, operation, operationName, context, request } = requestContext;
          const variables = request.variables ?? {};
          // No operation (several in the document and no or a wrong operationName): graphql-js says so, and Apollo
          // turns that into OPERATION_RESOLUTION_FAILURE.
          const query = operation?.operation === 'query' ? compiled(schema, document, operationName) : null;
          if (query) {
            const result = (await query.query(undefined, context, variables)) as ExecutionResult;
            // No data at all: the variables did not fit the operation, so nothing ran. graphql-js words those
            // errors as clients expect (and as Apollo recognises for 400 BAD_USER_INPUT); let it say them.
            if (result.data !== undefined)
              return result.errors ? { ...result, errors: result.errors.map(standardError) } : result;
          }
          return execute({
            schema,
            document,
            operationName,
            contextValue: context,
            variableValues: variables,
          }) as Promise<ExecutionResult>;
        },
      };
    },
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: '' });
      return () => {};
    },
    async stop() {},
  };
}
