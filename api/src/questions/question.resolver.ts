import { maskContact } from '@mingbai/db/ledger/questions';
import { Arg, Args, ArgsType, Ctx, Field, FieldResolver, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { actorOf } from '../auth/village-access.ts';
import type { Context } from '../graphql/context.ts';
import { PageArgs, pageWindow, toConnection } from '../graphql/relay/connection.ts';
import { Region } from '../regions/region.type.ts';
import { MonthlyStatement } from '../statements/statement.type.ts';
import { Village } from '../villages/village.type.ts';
import { Voucher } from '../vouchers/voucher.type.ts';
import {
  answerQuestion,
  askQuestion,
  committeeQuestions,
  hideQuestion,
  questionByNumber,
  questionRanking,
  setQuestionDueDays,
  villageQuestions,
} from './question.service.ts';
import type { QuestionRow } from './question.sql.ts';
import {
  AskedQuestion,
  AskQuestionInput,
  CommitteeQuestion,
  Question,
  QuestionConnection,
  QuestionRecordType,
  QuestionStatus,
  toRecord,
  VillageQuestionRecord,
} from './question.type.ts';

const viewOf = (ctx: Context) => ({ publicUrl: ctx.settings.publicUrl, now: ctx.now });
const toQuestion = (ctx: Context) => (row: QuestionRow) => new Question(row, viewOf(ctx));

@ArgsType()
class VillageQuestionsArgs extends PageArgs {
  @Field(() => QuestionStatus, { nullable: true, description: '只列这种状态的问题 / Only questions of this status.' })
  status?: QuestionStatus | null;
}

/** A village's questions, one by number, its 12-month record and its days to answer. */
@Resolver(() => Village)
export class VillageQuestionsResolver {
  @FieldResolver(() => QuestionConnection, {
    description:
      '村民的问题，最新的在前；被隐藏的问题也列出（正文为空，附理由）/ Villagers’ questions, newest first; hidden ' +
      'ones are listed with their reason and no text.',
  })
  async questions(
    @Root() village: Village,
    @Args(() => VillageQuestionsArgs) args: VillageQuestionsArgs,
    @Ctx() ctx: Context,
  ) {
    const page = await villageQuestions(ctx.db, village.row.id, args.status ?? undefined, pageWindow(args), ctx.now);
    return toConnection({ ...page, nodes: page.nodes.map(toQuestion(ctx)) });
  }

  @FieldResolver(() => Question, {
    nullable: true,
    description: '按编号查问题：付村-2026-0012 或 2026-0012 / A question by its number, full or without the village.',
  })
  async question(
    @Root() village: Village,
    @Arg('number', () => String) number: string,
    @Ctx() ctx: Context,
  ): Promise<Question | undefined> {
    const row = await questionByNumber(ctx.db, village.row, number);
    return row && toQuestion(ctx)(row);
  }

  @FieldResolver(() => QuestionRecordType, {
    description: '近 12 个月的问答记录 / Questions asked and how they were answered over the last 12 months.',
  })
  async questionRecord(@Root() village: Village, @Ctx() ctx: Context): Promise<QuestionRecordType> {
    return toRecord(await ctx.loaders.questionRecord.load(village.row.id));
  }

  @FieldResolver(() => Int, {
    description:
      '村委会答复问题的期限（天）：镇定的，否则区定的，否则默认 10 天 / Days the committee has to answer: the town’s, ' +
      'else the district’s, else the default (10).',
  })
  async questionDueDays(@Root() village: Village, @Ctx() ctx: Context): Promise<number> {
    const town = await ctx.loaders.regionById.load(village.row.townId);
    if (town?.questionDueDays) return town.questionDueDays;
    const district = town?.parentId ? await ctx.loaders.regionById.load(town.parentId) : undefined;
    return district?.questionDueDays ?? ctx.settings.questions.dueDays;
  }
}

@Resolver(() => MonthlyStatement)
export class StatementQuestionsResolver {
  @FieldResolver(() => [Question], {
    description:
      '关于本月或本月任一凭证的问题，最新的在前 / Questions about the month or any of its vouchers, newest first.',
  })
  async questions(@Root() s: MonthlyStatement, @Ctx() ctx: Context): Promise<Question[]> {
    const rows = await ctx.loaders.questionsOfMonth.load(s.period);
    return rows.map(toQuestion(ctx));
  }
}

@Resolver(() => Voucher)
export class VoucherQuestionsResolver {
  @FieldResolver(() => [Question], { description: '关于这张凭证的问题 / Questions about this voucher, newest first.' })
  async questions(@Root() v: Voucher, @Ctx() ctx: Context): Promise<Question[]> {
    const rows = await ctx.loaders.questionsOfMonth.load(v.row);
    return rows.filter((q) => q.about?.voucherNumber === v.row.number).map(toQuestion(ctx));
  }
}

@Resolver(() => Region)
export class RegionQuestionsResolver {
  @FieldResolver(() => [VillageQuestionRecord], {
    description:
      '辖内各村按按时答复的比例排名（其次按提问数）/ Villages under the region ranked by their on-time share, then by ' +
      'questions asked.',
  })
  async questionRanking(
    @Root() region: Region,
    @Arg('first', () => Int, { defaultValue: 50 }) first: number,
    @Ctx() ctx: Context,
  ): Promise<VillageQuestionRecord[]> {
    const ranked = await questionRanking(ctx.db, region.row, first, ctx.now);
    return ranked.map((r) => ({
      village: new Village(r.village),
      record: toRecord(r.record),
      onTimePercent: r.onTimePercent,
    }));
  }
}

@Resolver()
export class QuestionResolver {
  @Mutation(() => AskedQuestion, {
    description:
      '村民提问，不需要账号；每个地址每小时 5 个、每个村每小时 60 个 / Ask a question, no account needed; rate ' +
      'limited per address and per village (QUESTION_RATE_LIMITED).',
  })
  async askQuestion(
    @Arg('input', () => AskQuestionInput) input: AskQuestionInput,
    @Ctx() ctx: Context,
  ): Promise<AskedQuestion> {
    const asked = await askQuestion(ctx.db, actorOf(ctx), input, {
      settings: ctx.settings.questions,
      address: ctx.address ?? 'unknown',
    });
    const question = new Question(
      {
        villageName: asked.village.name,
        villageSlug: asked.village.slug,
        numberYear: asked.numberYear,
        seq: asked.seq,
      } as QuestionRow,
      viewOf(ctx),
    );
    return { number: question.number, dueAt: asked.dueAt, url: question.url, duplicate: asked.duplicate };
  }

  @Mutation(() => Question, {
    description:
      '村委会（报账员或主任）公开答复一个问题，只能答一次；可附更正版本或凭证 / The committee answers once, in public.',
  })
  async answerQuestion(
    @Arg('villageSlug', () => String) villageSlug: string,
    @Arg('number', () => String, { description: '付村-2026-0012 或 2026-0012' }) number: string,
    @Arg('body', () => String, { description: '答复，1–2000 字 / 1 to 2,000 characters.' }) body: string,
    @Arg('correctionRevision', () => Int, { nullable: true, description: '所问月份已公开的版本 / A revision.' })
    correctionRevision: number | null,
    @Arg('voucherNumber', () => Int, { nullable: true, description: '所问月份的凭证号 / A voucher.' })
    voucherNumber: number | null,
    @Ctx() ctx: Context,
  ): Promise<Question> {
    const row = await answerQuestion(ctx.db, actorOf(ctx), {
      villageSlug,
      number,
      body,
      correctionRevision,
      voucherNumber,
    });
    return toQuestion(ctx)(row);
  }

  @Mutation(() => Question, {
    description:
      '监督委员会隐藏一个问题（辱骂、含他人隐私），理由公开，原文留存不删 / A supervisor hides a question with a ' +
      'public reason; the text is kept.',
  })
  async hideQuestion(
    @Arg('villageSlug', () => String) villageSlug: string,
    @Arg('number', () => String) number: string,
    @Arg('reason', () => String, { description: '公开的理由，1–200 字 / Public reason.' }) reason: string,
    @Ctx() ctx: Context,
  ): Promise<Question> {
    return toQuestion(ctx)(await hideQuestion(ctx.db, actorOf(ctx), { villageSlug, number, reason }));
  }

  @Mutation(() => Int, {
    description:
      '区或镇设定村委会答复问题的期限（1–60 天），只影响之后的提问 / A district or town sets its days to answer.',
  })
  async setQuestionDueDays(
    @Arg('regionSlug', () => String) regionSlug: string,
    @Arg('days', () => Int) days: number,
    @Ctx() ctx: Context,
  ): Promise<number> {
    return setQuestionDueDays(ctx.db, actorOf(ctx), { regionSlug, days });
  }

  @Query(() => [CommitteeQuestion], {
    description:
      '村委会和监督委员会看到的问题：原文、脱敏的联系方式、被隐藏的原文 / The questions as asked, for the committee ' +
      'and supervisors of the village.',
  })
  async committeeQuestions(
    @Arg('villageSlug', () => String) villageSlug: string,
    @Arg('status', () => QuestionStatus, { nullable: true }) status: QuestionStatus | null,
    @Ctx() ctx: Context,
  ): Promise<CommitteeQuestion[]> {
    const rows = await committeeQuestions(ctx.db, actorOf(ctx), { villageSlug, status }, ctx.now);
    return rows.map((row) => ({
      question: toQuestion(ctx)(row),
      bodyAsked: row.body,
      contactMasked: row.contact === null ? null : maskContact(row.contact),
      hiddenText: row.hidden ? row.body : null,
    }));
  }
}
