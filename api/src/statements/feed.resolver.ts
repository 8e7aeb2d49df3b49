import type { GraphQLResolveInfo } from 'graphql';
import { Args, ArgsType, Ctx, Field, Info, Int, Query, Resolver } from 'type-graphql';
import type { Context } from '../graphql/context.ts';
import { badInput } from '../errors.ts';
import { ConnectionType, PageArgs, pageSize, type ConnectionShape } from '../graphql/relay/connection.ts';
import { checkMonth } from '../month.ts';
import { countPublications, publicationFeed } from './statement.service.ts';
import type { FeedFilter, FeedKey } from './statement.sql.ts';
import { asksAnywhere } from './statement-selection.ts';
import { MonthlyStatement } from './statement.type.ts';

const VILLAGE = new Set(['village']);
/** The fields of a statement that show its month's other revisions. */
const REVISIONS = new Set(['isCurrent', 'revisions', 'revisionsConnection']);

export const MonthlyStatementConnection = ConnectionType(MonthlyStatement, 'MonthlyStatement');

@ArgsType()
class StatementFeedArgs extends PageArgs {
  @Field(() => Date, {
    nullable: true,
    description:
      '只列在此时刻或之后（含，≥）公开的版本。镜像以上次见到的最后一个 publishedAt 续取（会再收到那一条，按 id 去重）；' +
      '同一时刻前后提交的公开可能稍晚才可见，稳妥起见再往前留一分钟 / ' +
      'Inclusive (≥): revisions published at or after this moment. Resume with the last `publishedAt` you saw ' +
      '(that publication comes again: de-duplicate by `id`); publications committing concurrently may become visible ' +
      'slightly late, so a mirror that must miss nothing resumes a minute earlier.',
  })
  publishedSince?: Date;

  @Field(() => String, { nullable: true, description: '只列该区划下的村 / Only villages under this region slug.' })
  regionSlug?: string;

  @Field(() => Int, { nullable: true, description: '账目所属年份 / Only months of this year.' })
  year?: number;

  @Field(() => Int, { nullable: true, description: '账目所属月份 1–12 / Only this month of the year.' })
  month?: number;
}

// A feed cursor is the sort key of a publication, so a page starts after the last row seen even when rows were
// published in the meantime. Wrapped like every cursor: clients store it, never parse it.
function encodeFeedCursor(k: FeedKey): string {
  return Buffer.from(`p1:${k.at}|${k.villageId}|${k.year}|${k.month}|${k.revision}`, 'utf8').toString('base64url');
}

function decodeFeedCursor(cursor: string, argument: string): FeedKey {
  const match =
    /^p1:([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z)\|([0-9]{1,9})\|([0-9]{4})\|([0-9]{1,2})\|([0-9]{1,6})$/.exec(
      Buffer.from(cursor, 'base64url').toString('utf8'),
    );
  if (!match) throw badInput('分页游标无效', argument);
  return {
    at: match[1]!,
    villageId: Number(match[2]),
    year: Number(match[3]),
    month: Number(match[4]),
    revision: Number(match[5]),
  };
}

@Resolver()
export class StatementFeedResolver {
  @Query(() => MonthlyStatementConnection, {
    description:
      '公开记录：每一次公开的月报表版本（含已被更正的旧版本，见 isCurrent），按公开时间从早到晚排列，供镜像增量同步 / ' +
      'The publication feed: every published revision, superseded ones included (see `isCurrent`), oldest first by ' +
      '`publishedAt` then village, year, month and revision. Page forward with `after`; later resume with ' +
      '`publishedSince` set to the last `publishedAt` seen.',
  })
  async statements(
    @Args(() => StatementFeedArgs) args: StatementFeedArgs,
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
  ): Promise<ConnectionShape<MonthlyStatement>> {
    const size = pageSize(args);
    const filter: FeedFilter = {
      publishedSince: args.publishedSince ?? undefined,
      year: args.year ?? undefined,
      month: args.month ?? undefined,
    };
    if (filter.month !== undefined) checkMonth(filter.year ?? 2000, filter.month);
    else if (filter.year !== undefined) checkMonth(filter.year, 1);
    if (args.regionSlug !== undefined && args.regionSlug !== null) {
      const region = await ctx.loaders.regionBySlug.load(args.regionSlug);
      if (!region) throw badInput(`没有网址名为“${args.regionSlug}”的区划`, 'regionSlug');
      filter.regionId = region.id;
    }
    const after = args.after ? decodeFeedCursor(args.after, 'after') : undefined;
    const before = args.before ? decodeFeedCursor(args.before, 'before') : undefined;
    const page = await publicationFeed(ctx.db, filter, { after, before }, size.take, size.fromEnd);
    // The villages the page names, when asked, read now: with the months' revisions in one statement (mergeReads).
    if (asksAnywhere(info, VILLAGE)) void ctx.loaders.villageById.loadMany(page.rows.map((r) => r.villageId));
    // Every revision of the listed months in one batched statement, so `isCurrent` and `revisions` need no more; not
    // read when no field that shows them is asked (a row then stands for its month's revisions, which nothing shows).
    const revisions = asksAnywhere(info, REVISIONS)
      ? await ctx.loaders.publishedRevisions.loadMany(page.rows)
      : page.rows.map((row) => [row]);
    const nodes = page.rows.map((row, i) => {
      const all = revisions[i];
      return new MonthlyStatement(row, Array.isArray(all) ? all : [row]);
    });
    const edges = nodes.map((node, i) => ({ cursor: encodeFeedCursor(page.rows[i]!.key), node }));
    let total: Promise<number> | undefined;
    return {
      edges,
      nodes,
      // Counting the whole feed is a statement of its own: only a query that selects totalCount pays for it.
      get totalCount() {
        total ??= countPublications(ctx.db, filter);
        return total;
      },
      pageInfo: {
        // Read forward, a page after a cursor has that cursor's row before it; read backward, likewise after.
        hasNextPage: size.fromEnd ? before !== undefined : page.more,
        hasPreviousPage: size.fromEnd ? page.more : after !== undefined,
        startCursor: edges[0]?.cursor ?? null,
        endCursor: edges[edges.length - 1]?.cursor ?? null,
      },
    };
  }
}
