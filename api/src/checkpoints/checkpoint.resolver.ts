import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { Context } from '../graphql/context.ts';
import { MonthlyStatement } from '../statements/statement.type.ts';
import { coveringCheckpoint } from './checkpoint.service.ts';
import { SignedCheckpoint } from './checkpoint.type.ts';

@Resolver(() => MonthlyStatement)
export class StatementCheckpointResolver {
  @FieldResolver(() => SignedCheckpoint, {
    nullable: true,
    description:
      '最早收进本版的签名检查点（之后的检查点也都收着它；张贴的公开表印这个编号）；还没有时为空 / The FIRST signed ' +
      'checkpoint covering this revision (every later one covers it too; the print sheet names it); null until one does.',
  })
  async checkpoint(@Root() s: MonthlyStatement, @Ctx() ctx: Context): Promise<SignedCheckpoint | null> {
    return coveringCheckpoint(ctx.db, s.period);
  }
}
