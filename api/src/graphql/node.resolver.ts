import { Arg, Ctx, ID, Query, Resolver } from 'type-graphql';
import type { Context } from './context.ts';
import { Region } from '../regions/region.type.ts';
import { loadStatement } from '../statements/statement.loader.ts';
import { Village } from '../villages/village.type.ts';
import { Voucher } from '../vouchers/voucher.type.ts';
import { fromGlobalId, integerParts } from './relay/global-id.ts';
import { Node } from './relay/node.type.ts';

@Resolver()
export class NodeResolver {
  @Query(() => Node, { nullable: true, description: '按全局 ID 取任意对象 / Fetch any object by its global ID.' })
  async node(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<Node | undefined> {
    const { type, parts } = fromGlobalId(id);
    const n = integerParts(parts);
    if (!n) return undefined;
    switch (type) {
      case 'Region': {
        const row = n.length === 1 ? await ctx.loaders.regionById.load(n[0]!) : undefined;
        return row ? new Region(row) : undefined;
      }
      case 'Village': {
        const row = n.length === 1 ? await ctx.loaders.villageById.load(n[0]!) : undefined;
        return row ? new Village(row) : undefined;
      }
      case 'MonthlyStatement': {
        if (n.length !== 4) return undefined;
        const [villageId, year, month, revision] = n as [number, number, number, number];
        return loadStatement(ctx, { villageId, year, month }, revision);
      }
      case 'Voucher': {
        const row = n.length === 2 ? await ctx.loaders.voucherById.load({ villageId: n[0]!, id: n[1]! }) : undefined;
        return row ? new Voucher(row) : undefined;
      }
      default:
        return undefined;
    }
  }
}
