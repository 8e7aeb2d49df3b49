import type { GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import {
  AttachmentResolver,
  CommitteeMonthAttachmentsResolver,
  StatementAttachmentsResolver,
  VoucherAttachmentsResolver,
} from '../attachments/attachment.resolver.ts';
import { AuthResolver } from '../auth/auth.resolver.ts';
import { StatementCheckpointResolver } from '../checkpoints/checkpoint.resolver.ts';
import { UsersResolver } from '../auth/users.resolver.ts';
import { CommitteeResolver } from '../committee/committee.resolver.ts';
import { ImportResolver } from '../imports/import.resolver.ts';
import { RateLimitResolver } from '../limits/rate-limit.resolver.ts';
import {
  QuestionResolver,
  RegionQuestionsResolver,
  StatementQuestionsResolver,
  VillageQuestionsResolver,
  VoucherQuestionsResolver,
} from '../questions/question.resolver.ts';
import { RegionResolver } from '../regions/region.resolver.ts';
import { CommitteeMonthReviewResolver, ReviewResolver } from '../review/committee-review.resolver.ts';
import {
  RedFlagRulesResolver,
  StatementRedFlagsResolver,
  VoucherRedFlagsResolver,
} from '../review/red-flag.resolver.ts';
import { DateTimeScalar } from './relay/date-time.ts';
import { OpenDataResolver } from '../opendata/opendata.resolver.ts';
import { NodeResolver } from './node.resolver.ts';
import { tuneForExecution } from './schema-tuning.ts';
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
  VillageLinesResolver,
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
      VillageLinesResolver,
      VillageVoucherResolver,
      VoucherResolver,
      AuthResolver,
      UsersResolver,
      CommitteeResolver,
      StatementRedFlagsResolver,
      VoucherRedFlagsResolver,
      RedFlagRulesResolver,
      CommitteeMonthReviewResolver,
      ReviewResolver,
      ChainResolver,
      ImportResolver,
      OpenDataResolver,
      RateLimitResolver,
      VillageQuestionsResolver,
      StatementQuestionsResolver,
      VoucherQuestionsResolver,
      RegionQuestionsResolver,
      QuestionResolver,
      VoucherAttachmentsResolver,
      StatementAttachmentsResolver,
      CommitteeMonthAttachmentsResolver,
      AttachmentResolver,
      StatementCheckpointResolver,
    ],
    // Dates are graphql-scalars' `DateTime`, the name clients write in `$since: DateTime`.
    scalarsMap: [{ type: Date, scalar: DateTimeScalar }],
    validate: false,
  });
  tuneForExecution(schema);
  return schema;
}
