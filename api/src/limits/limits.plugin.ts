import type { ApolloServerPlugin } from '@apollo/server';
import { Kind, visit, type DocumentNode, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import type { Context } from '../graphql/context.ts';
import { queryCost } from './cost.ts';
import { LIMITS } from './limits.ts';
import { limitError } from './query-limits.ts';
import type { RateLimiter } from './rate-limit.ts';

/** Top-level fields whose answer depends on who asks: never cached publicly. */
const PRIVATE_ROOT_FIELDS = new Set(['me', 'committeeMonth', 'committeeQuestions', 'rateLimit']);

/**
 * Prices each operation before it runs, refuses it above the per-query maximum or the client's remaining points,
 * and reports the price in `extensions.cost`. The HTTP layer has already spent 1 point when the request arrived.
 */
export function limitsPlugin(rateLimiter: RateLimiter): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation, request, contextValue }) {
          const limits = contextValue.limits;
          if (!operation) return;
          if (containsNul(request.variables) || documentContainsNul(document)) {
            throw limitError('BAD_USER_INPUT', '文本不能包含 NUL（\\u0000）字符', {});
          }
          if (!limits) return;
          limits.isMutation = operation.operation === 'mutation';
          limits.readsPrivateData = operation.operation !== 'query' || readsPrivateRoot(operation, document);
          let cost: number;
          try {
            cost = queryCost(schema, document, request.variables, request.operationName ?? undefined);
          } catch {
            // Variables that do not fit the operation: execution refuses them before any resolver runs.
            return;
          }
          limits.cost = cost;
          limits.charge = async (points) => {
            const total = (limits.cost ?? 0) + points;
            if (total > LIMITS.maxQueryCost) {
              throw limitError(
                'QUERY_TOO_COSTLY',
                `查询成本 ${total} 超过每次查询的上限 ${LIMITS.maxQueryCost}（按实际工作量计），请减少字段或别名`,
                { cost: total, limit: LIMITS.maxQueryCost },
              );
            }
            limits.cost = total;
            const { allowed, state } = await rateLimiter.spend(limits.client, points);
            limits.rate = state;
            if (!allowed) {
              throw limitError(
                'RATE_LIMITED',
                `本小时的查询点数不足：需要 ${points}，剩余 ${state.remaining}，${state.resetAt.toISOString()} 重置`,
                { cost: points, remaining: state.remaining, resetAt: state.resetAt.toISOString() },
                429,
              );
            }
          };
          if (cost > LIMITS.maxQueryCost) {
            throw limitError(
              'QUERY_TOO_COSTLY',
              `查询成本 ${cost} 超过每次查询的上限 ${LIMITS.maxQueryCost}，请减少 first/last 或嵌套`,
              {
                cost,
                limit: LIMITS.maxQueryCost,
              },
            );
          }
          if (cost > 1) {
            const { allowed, state } = await rateLimiter.spend(limits.client, cost - 1);
            limits.rate = state;
            if (!allowed) {
              throw limitError(
                'RATE_LIMITED',
                `本小时的查询点数不足：需要 ${cost}，剩余 ${state.remaining}，${state.resetAt.toISOString()} 重置`,
                { cost, remaining: state.remaining, resetAt: state.resetAt.toISOString() },
                429,
              );
            }
          }
        },
        async willSendResponse({ response, contextValue }) {
          const cost = contextValue.limits?.cost;
          if (cost === null || cost === undefined || response.body.kind !== 'single') return;
          response.body.singleResult.extensions = {
            ...response.body.singleResult.extensions,
            cost: { requested: cost, limit: LIMITS.maxQueryCost },
          };
        },
      };
    },
  };
}

function readsPrivateRoot(operation: OperationDefinitionNode, document: DocumentNode): boolean {
  const fragments = new Map(
    document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [])),
  );
  const seen = new Set<string>();
  const visit = (set: SelectionSetNode): boolean =>
    set.selections.some((selection) => {
      if (selection.kind === Kind.FIELD) return PRIVATE_ROOT_FIELDS.has(selection.name.value);
      if (selection.kind === Kind.INLINE_FRAGMENT) return visit(selection.selectionSet);
      if (seen.has(selection.name.value)) return false;
      seen.add(selection.name.value);
      const fragment = fragments.get(selection.name.value);
      return fragment ? visit(fragment.selectionSet) : false;
    });
  return visit(operation.selectionSet);
}

/** PostgreSQL text cannot hold U+0000: refuse it up front with a clear message instead of failing in the database. */
function containsNul(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (depth > 50 || value === null || typeof value !== 'object') return false;
  return Object.entries(value).some(([key, v]) => key.includes('\u0000') || containsNul(v, depth + 1));
}

/** Apollo keeps one parsed document per query text, so each is searched once. */
const nulInDocument = new WeakMap<DocumentNode, boolean>();

function documentContainsNul(document: DocumentNode): boolean {
  let found = nulInDocument.get(document);
  if (found !== undefined) return found;
  found = searchNul(document);
  nulInDocument.set(document, found);
  return found;
}

function searchNul(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    StringValue(node) {
      if (node.value.includes('\u0000')) found = true;
    },
  });
  return found;
}
