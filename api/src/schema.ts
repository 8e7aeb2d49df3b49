import type { GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { RegionResolver } from './regions/region.resolver.ts';
import { NodeResolver } from './relay/node.resolver.ts';
import {
  MonthlyStatementResolver,
  PublishedMonthResolver,
  VillageStatementResolver,
} from './statements/statement.resolver.ts';
import { VillageResolver } from './villages/village.resolver.ts';
import { StatementLinesResolver, VillageVoucherResolver, VoucherResolver } from './vouchers/voucher.resolver.ts';

/** The public schema: only the list of modules. Each type's queries live beside the type. */
export function buildApiSchema(): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers: [
      NodeResolver,
      RegionResolver,
      VillageResolver,
      VillageStatementResolver,
      MonthlyStatementResolver,
      PublishedMonthResolver,
      StatementLinesResolver,
      VillageVoucherResolver,
      VoucherResolver,
    ],
    validate: false,
  });
}
