import { getComplexity, type ComplexityEstimator } from 'graphql-query-complexity';
import { getNamedType, getNullableType, isLeafType, isListType, type DocumentNode, type GraphQLSchema } from 'graphql';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../relay/connection.ts';

/** A list that is not paginated is assumed to hold this many items. */
export const UNPAGINATED_LIST_SIZE = 10;
export const MUTATION_COST = 10;

/**
 * The cost of a query, known before it runs (after Shopify's and GitHub's public APIs):
 * - scalars and enums cost 0, every object 1;
 * - a connection (a field taking `first`/`last`) costs 2 + n × its selection, n being `first` or `last`
 *   (20 if neither), so nested connections multiply;
 * - inside a connection, `edges` and `nodes` are the n items the connection already counted;
 * - any other list counts as 10 items;
 * - a mutation costs 10 plus its selection.
 */
export function queryCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName: string | undefined,
): number {
  return getComplexity({
    schema,
    query: document,
    variables: variables ?? {},
    ...(operationName ? { operationName } : {}),
    estimators: [costEstimator(schema)],
  });
}

function costEstimator(schema: GraphQLSchema): ComplexityEstimator {
  const mutationType = schema.getMutationType();
  return ({ type, field, args, childComplexity }) => {
    if (type === mutationType) return MUTATION_COST + childComplexity;
    if (isLeafType(getNamedType(field.type))) return 0;
    if (field.args.some((arg) => arg.name === 'first' || arg.name === 'last')) {
      return 2 + pageSize(args) * childComplexity;
    }
    const isItemsOfConnection = type.name.endsWith('Connection') && (field.name === 'edges' || field.name === 'nodes');
    if (isItemsOfConnection) return field.name === 'nodes' ? 1 + childComplexity : childComplexity;
    if (isListType(getNullableType(field.type))) return UNPAGINATED_LIST_SIZE * (1 + childComplexity);
    return 1 + childComplexity;
  };
}

/** The page the resolver will return; out-of-range sizes are refused there, with their own error, so clamp here. */
function pageSize(args: Record<string, unknown>): number {
  const requested = [args.first, args.last].find((n): n is number => typeof n === 'number');
  if (requested === undefined) return DEFAULT_PAGE_SIZE;
  return Math.min(Math.max(Math.trunc(requested), 1), MAX_PAGE_SIZE);
}
