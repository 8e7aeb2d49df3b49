import type { GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { AuthResolver } from './auth/auth.resolver.ts';
import { UsersResolver } from './auth/users.resolver.ts';
import { CommitteeResolver } from './committee/committee.resolver.ts';
import { ImportResolver } from './imports/import.resolver.ts';
import { RegionResolver } from './regions/region.resolver.ts';
import { NodeResolver } from './relay/node.resolver.ts';
import { ChainResolver } from './statements/chain.resolver.ts';
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
      AuthResolver,
      UsersResolver,
      CommitteeResolver,
      ChainResolver,
      ImportResolver,
    ],
    validate: false,
  });
}
