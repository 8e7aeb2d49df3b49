import { getComplexity, type ComplexityEstimator } from 'graphql-query-complexity';
import {
  getNamedType,
  getNullableType,
  getOperationAST,
  getVariableValues,
  isLeafType,
  isListType,
  visit,
  type DocumentNode,
  type GraphQLSchema,
} from 'graphql';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../graphql/relay/connection.ts';

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
 * - a mutation costs 10 plus its selection;
 * - a field in DECLARED_FIELD_COSTS adds its declared cost (work its shape does not show).
 */
export function queryCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName: string | undefined,
): number {
  const operation = getOperationAST(document, operationName);
  if (!operation) return computeCost(schema, document, variables, operationName);
  // Variables that do not fit the operation throw here, as they do in getComplexity.
  const { coerced, errors } = getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {});
  if (errors) throw errors[0]!;
  let bySchema = costCache.get(schema);
  if (!bySchema) costCache.set(schema, (bySchema = new WeakMap()));
  let entry = bySchema.get(document);
  if (!entry) bySchema.set(document, (entry = { variables: costVariables(document), costs: new Map() }));
  const key = [
    operationName ?? '',
    ...entry.variables.map((v) => (v in coerced ? JSON.stringify(coerced[v]) : '-')),
  ].join('\u0000');
  let cost = entry.costs.get(key);
  if (cost === undefined) {
    cost = computeCost(schema, document, variables, operationName);
    if (entry.costs.size >= MAX_COSTS_PER_DOCUMENT) entry.costs.clear();
    entry.costs.set(key, cost);
  }
  return cost;
}

/**
 * Costs already computed, per schema and parsed document (Apollo keeps one parsed document per query text), then per
 * the values of the only variables a cost depends on: page sizes and directive conditions. A page that thousands of
 * visitors open with different slugs and months is priced once.
 */
const costCache = new WeakMap<
  GraphQLSchema,
  WeakMap<DocumentNode, { variables: string[]; costs: Map<string, number> }>
>();
const MAX_COSTS_PER_DOCUMENT = 100;

/** Variables used in a `first` or `last` argument or in a directive (`@skip(if: $x)`): all that the cost reads. */
function costVariables(document: DocumentNode): string[] {
  const names = new Set<string>();
  let depth = 0;
  visit(document, {
    Argument: {
      enter(node) {
        if (node.name.value === 'first' || node.name.value === 'last') depth++;
      },
      leave(node) {
        if (node.name.value === 'first' || node.name.value === 'last') depth--;
      },
    },
    Directive: { enter: () => void depth++, leave: () => void depth-- },
    Variable(node) {
      if (depth > 0) names.add(node.name.value);
    },
  });
  return [...names].sort();
}

function computeCost(
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

/**
 * Fields whose work is far beyond what their shape says: their declared cost is added to the generic one. What a
 * field reads, not what it returns, is priced. verifyChain is also charged per revision of the chain when it runs
 * (VERIFY_CHAIN_COST_PER_REVISION, api/src/statements/chain.service.ts): the chain's length is not known before.
 */
export const DECLARED_FIELD_COSTS: Readonly<Record<string, (args: Record<string, unknown>) => number>> = {
  /** Reads every published revision's vouchers and lines and hashes them. */
  'Query.verifyChain': () => 20,
  /** Rolls up the statements of every village under the region for a month or a year. */
  'Region.summary': (args) => (args.month === undefined || args.month === null ? 40 : 10),
  /** Scans every line of every village under the region for the year; a text search cannot use an index. */
  'Region.lines': (args) => (typeof args.search === 'string' && args.search !== '' ? 100 : 20),
  /** Scans every line of one village's published months (every year without `year`); a text search cannot use an index. */
  'Village.lines': (args) => (typeof args.search === 'string' && args.search !== '' ? 20 : 5),
  /** Every voucher a correction changed, compared with the revision before: thousands in a large correction. */
  'MonthlyStatement.changes': () => 20,
  'MonthlyStatement.changesConnection': () => 10,
  /** Sums a category over every village under a town or district for the period, to rank them all (issue 18). */
  'Region.comparison': (args) => (args.month === undefined || args.month === null ? 40 : 10),
  /** Counts the last 12 months' questions of every village under the region, to rank them all. */
  'Region.questionRanking': () => 20,
};

function costEstimator(schema: GraphQLSchema): ComplexityEstimator {
  const mutationType = schema.getMutationType();
  return (options) => {
    const declared = DECLARED_FIELD_COSTS[`${options.type.name}.${options.field.name}`];
    return (declared ? declared(options.args) : 0) + genericCost(options);
  };
  function genericCost({ type, field, args, childComplexity }: Parameters<ComplexityEstimator>[0]): number {
    if (type === mutationType) return MUTATION_COST + childComplexity;
    if (isLeafType(getNamedType(field.type))) return 0;
    if (field.args.some((arg) => arg.name === 'first' || arg.name === 'last')) {
      return 2 + pageSize(args) * childComplexity;
    }
    const isItemsOfConnection = type.name.endsWith('Connection') && (field.name === 'edges' || field.name === 'nodes');
    if (isItemsOfConnection) return field.name === 'nodes' ? 1 + childComplexity : childComplexity;
    if (isListType(getNullableType(field.type))) return UNPAGINATED_LIST_SIZE * (1 + childComplexity);
    return 1 + childComplexity;
  }
}

/** The page the resolver will return; out-of-range sizes are refused there, with their own error, so clamp here. */
function pageSize(args: Record<string, unknown>): number {
  const requested = [args.first, args.last].find((n): n is number => typeof n === 'number');
  if (requested === undefined) return DEFAULT_PAGE_SIZE;
  return Math.min(Math.max(Math.trunc(requested), 1), MAX_PAGE_SIZE);
}
