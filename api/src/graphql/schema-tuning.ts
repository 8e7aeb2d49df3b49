// Two changes to the schema TypeGraphQL builds, both about how fields execute, neither about what they answer
// (tests/public-api/executors.test.ts checks graphql-jit and graphql-js answer byte for byte the same).
import { GraphQLInterfaceType, GraphQLObjectType, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import { getMetadataStorage } from 'type-graphql';

export function tuneForExecution(schema: GraphQLSchema): void {
  readGettersDirectly(schema);
  resolveInterfacesSynchronously(schema);
}

/**
 * TypeGraphQL resolves a field declared on a getter (`@Field() get yuan()`) as a field resolver: for every value it
 * allocates resolver data and runs a middleware chain, although this schema has no middleware and no auth checker.
 * A month page reads some 900 such fields (50 lines × amount, account, counterparty, voucher…), so read the getter
 * directly when the value is an instance of its class; anything else (a plain object a resolver returned) still goes
 * through TypeGraphQL, which converts it to the class first.
 */
function readGettersDirectly(schema: GraphQLSchema): void {
  for (const { name, target } of getMetadataStorage().objectTypes) {
    const type = schema.getType(name);
    if (!(type instanceof GraphQLObjectType)) continue;
    for (const field of Object.values(type.getFields())) {
      const original = field.resolve;
      const key = field.name;
      if (!original || field.args.length > 0 || !isGetter(target.prototype as object, key)) continue;
      const direct: GraphQLFieldResolver<unknown, unknown> = (root, args, context, info) =>
        root instanceof target ? (root as Record<string, unknown>)[key] : original(root, args, context, info);
      field.resolve = direct;
    }
  }
}

function isGetter(prototype: object | null, key: string): boolean {
  for (let p = prototype; p && p !== Object.prototype; p = Object.getPrototypeOf(p) as object | null) {
    const descriptor = Object.getOwnPropertyDescriptor(p, key);
    if (descriptor) return descriptor.get !== undefined;
  }
  return false;
}

/**
 * TypeGraphQL wraps an interface's `resolveType` in an async function; graphql-jit (api/src/graphql/execution) needs the type
 * name synchronously. Our `resolveType`s return the name directly, so use them as they are.
 */
function resolveInterfacesSynchronously(schema: GraphQLSchema): void {
  for (const { name, resolveType } of getMetadataStorage().interfaceTypes) {
    const type = schema.getType(name);
    if (!(type instanceof GraphQLInterfaceType) || !resolveType) continue;
    type.resolveType = (value, context, info, abstractType) => {
      const resolved = resolveType(value, context, info, abstractType);
      if (typeof resolved !== 'string') throw new Error(`${name}.resolveType must return a type name synchronously`);
      return resolved;
    };
  }
}
