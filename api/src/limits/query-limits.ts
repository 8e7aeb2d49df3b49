import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import {
  GraphQLError,
  Kind,
  parse,
  validate,
  type GraphQLSchema,
  type ASTVisitor,
  type FragmentDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import { apiError, type ApiErrorCode } from '../errors.ts';
import { LIMITS } from './limits.ts';

/**
 * Limits on the shape of a query document, checked before Apollo parses and validates it: graphql-js's own rules
 * are quadratic in the worst case (overlapping fields), and a hostile document must not get that far. Returns the
 * coded error to send, or undefined when the document is within limits or is not GraphQL at all (Apollo then
 * reports the syntax error as usual).
 */
export function checkQueryShape(schema: GraphQLSchema, query: string): GraphQLError | undefined {
  // Clients send the same few documents over and over (the portal's pages): check each text once per schema.
  let checked = shapeChecked.get(schema);
  if (!checked) shapeChecked.set(schema, (checked = new Map()));
  if (checked.has(query)) return checked.get(query);
  const result = checkShape(schema, query);
  if (query.length <= MAX_CACHED_QUERY_CHARS) {
    if (checked.size >= MAX_CACHED_QUERIES) checked.clear();
    checked.set(query, result);
  }
  return result;
}

const shapeChecked = new WeakMap<GraphQLSchema, Map<string, GraphQLError | undefined>>();
const MAX_CACHED_QUERIES = 500;
const MAX_CACHED_QUERY_CHARS = 20_000;

function checkShape(schema: GraphQLSchema, query: string): GraphQLError | undefined {
  let document;
  try {
    document = parse(query, { maxTokens: LIMITS.maxTokens });
  } catch (error) {
    if (error instanceof GraphQLError && /more tha[nt] \d+ tokens/.test(error.message)) {
      return limitError('TOO_MANY_TOKENS', `查询文本超过 ${LIMITS.maxTokens} 个词法单元`, { limit: LIMITS.maxTokens });
    }
    return undefined;
  }
  try {
    validate(schema, document, shapeRules);
  } catch (error) {
    if (error instanceof GraphQLError && error.extensions.http) return error;
    throw error;
  }
  return undefined;
}

/** They throw rather than report, so the check stops at the first limit crossed. */
function queryShapeRules(): ValidationRule[] {
  return [
    fieldCountRule,
    maxDepthRule({
      n: LIMITS.maxDepth,
      flattenFragments: true,
      onReject: [rejectWith('QUERY_TOO_DEEP', `查询嵌套超过 ${LIMITS.maxDepth} 层`, LIMITS.maxDepth)],
    }),
    maxAliasesRule({
      n: LIMITS.maxAliases,
      onReject: [rejectWith('TOO_MANY_ALIASES', `一次查询最多使用 ${LIMITS.maxAliases} 个别名`, LIMITS.maxAliases)],
    }),
    maxDirectivesRule({
      n: LIMITS.maxDirectives,
      onReject: [
        rejectWith('TOO_MANY_DIRECTIVES', `一次查询最多使用 ${LIMITS.maxDirectives} 个指令`, LIMITS.maxDirectives),
      ],
    }),
  ];
}

const shapeRules = queryShapeRules();

/** graphql-armor calls this with its own English error; ours replaces it, coded and in Chinese. */
function rejectWith(code: ApiErrorCode, message: string, limit: number) {
  return (_context: ValidationContext | null, _error: GraphQLError): never => {
    throw limitError(code, message, { limit });
  };
}

export function limitError(code: ApiErrorCode, message: string, details: Record<string, unknown>, status = 400) {
  return apiError(code, message, { ...details, http: { status } });
}

/**
 * Field selections in each operation with every fragment spread expanded where it is used, so a fragment reused many
 * times counts each time. Fragment cycles are left to graphql-js's NoFragmentCycles rule.
 */
function fieldCountRule(): ASTVisitor {
  const fragments = new Map<string, FragmentDefinitionNode>();
  const fragmentSizes = new Map<string, number>();
  const count = (set: SelectionSetNode | undefined, visiting: Set<string>): number => {
    let total = 0;
    for (const selection of set?.selections ?? []) {
      if (selection.kind === Kind.FIELD) total += 1 + count(selection.selectionSet, visiting);
      else if (selection.kind === Kind.INLINE_FRAGMENT) total += count(selection.selectionSet, visiting);
      else {
        const name = selection.name.value;
        const known = fragmentSizes.get(name);
        if (known !== undefined) total += known;
        else if (!visiting.has(name)) {
          visiting.add(name);
          const size = count(fragments.get(name)?.selectionSet, visiting);
          visiting.delete(name);
          fragmentSizes.set(name, size);
          total += size;
        }
      }
      if (total > LIMITS.maxFields) break;
    }
    return total;
  };
  return {
    Document(document) {
      for (const definition of document.definitions) {
        if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
      }
      for (const definition of document.definitions) {
        if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
        if (count(definition.selectionSet, new Set()) > LIMITS.maxFields) {
          throw limitError('TOO_MANY_FIELDS', `一次查询最多选择 ${LIMITS.maxFields} 个字段（片段按展开计）`, {
            limit: LIMITS.maxFields,
          });
        }
      }
    },
  };
}
