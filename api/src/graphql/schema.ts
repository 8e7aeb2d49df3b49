import { GraphQLInterfaceType, GraphQLObjectType, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import { buildSchema, getMetadataStorage } from 'type-graphql';
import { AuthResolver } from '../auth/auth.resolver.ts';
import { UsersResolver } from '../auth/users.resolver.ts';
import { CommitteeResolver } from '../committee/committee.resolver.ts';
import { ImportResolver } from '../imports/import.resolver.ts';
import { RateLimitResolver } from '../limits/rate-limit.resolver.ts';
import { RegionResolver } from '../regions/region.resolver.ts';
import { DateTimeScalar } from './relay/date-time.ts';
import { OpenDataResolver } from '../opendata/opendata.resolver.ts';
import { NodeResolver } from './node.resolver.ts';
import { ChainResolver } from '../statements/chain.resolver.ts';
import { StatementFeedResolver } from '../statements/feed.resolver.ts';
import {
  MonthlyStatementResolver,
  PublishedMonthResolver,
  VillageStatementResolver,
} from '../statements/statement.resolver.ts';
import { RegionVillagesResolver, VillageResolver } from '../villages/village.resolver.ts';
import {
  RegionLinesResolver,
  StatementLineResolver,
  StatementLinesResolver,
  VillageVoucherResolver,
  VoucherResolver,
} from '../vouchers/voucher.resolver.ts';

/** The public schema: only the list of modules. Each type's queries live beside the type. */
export async function buildApiSchema(): Promise<GraphQLSchema> {
  const schema = await buildSchema({
    resolvers: [
      NodeResolver,
      RegionResolver,
      VillageResolver,
      RegionVillagesResolver,
      VillageStatementResolver,
      MonthlyStatementResolver,
      PublishedMonthResolver,
      StatementFeedResolver,
      StatementLinesResolver,
      StatementLineResolver,
      RegionLinesResolver,
      VillageVoucherResolver,
      VoucherResolver,
      AuthResolver,
      UsersResolver,
      CommitteeResolver,
      ChainResolver,
      ImportResolver,
      OpenDataResolver,
      RateLimitResolver,
    ],
    // Dates are graphql-scalars' `DateTime`, the name clients write in `$since: DateTime`.
    scalarsMap: [{ type: Date, scalar: DateTimeScalar }],
    validate: false,
  });
  readGettersDirectly(schema);
  resolveInterfacesSynchronously(schema);
  awaitLazyCounts(schema);
  return schema;
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

/**
 * A connection's `totalCount` may be a promise, counted only when selected (ConnectionShape). graphql-jit reads a field
 * without a resolver as a plain value, so give it one: a resolver's promise is awaited.
 */
function awaitLazyCounts(schema: GraphQLSchema): void {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!(type instanceof GraphQLObjectType) || !type.name.endsWith('Connection')) continue;
    const field = type.getFields().totalCount;
    if (field && !field.resolve) field.resolve = (root: { totalCount: unknown }) => root.totalCount;
  }
}
