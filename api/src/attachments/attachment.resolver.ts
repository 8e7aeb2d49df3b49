import { Arg, Args, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import { attachmentsOfRevision } from '@mingbai/db/ledger/attachments';
import { actorOf } from '../auth/village-access.ts';
import { CommitteeMonth } from '../committee/committee.type.ts';
import type { Context } from '../graphql/context.ts';
import { MonthlyStatement } from '../statements/statement.type.ts';
import { Voucher } from '../vouchers/voucher.type.ts';
import type { PublicAttachmentRow } from './attachment.sql.ts';
import {
  AttachFileInput,
  Attachment,
  AttachmentArgs,
  CommitteeAttachment,
  RedactionInput,
  filePath,
} from './attachment.type.ts';
import { mayPreview, toCommitteeAttachment } from './attachment.answer.ts';
import { attachFile, confirmAttachment, decodeBase64, removeAttachment, setRedactions } from './attachment.service.ts';

function toAttachment(r: PublicAttachmentRow, origin: string): Attachment {
  return {
    sha256: r.derivative_sha256,
    mediaType: r.derivative_media_type,
    width: r.width,
    height: r.height,
    url: origin + filePath(r.derivative_sha256, r.derivative_media_type),
    thumbnailUrl: origin + filePath(r.thumbnail_sha256, r.derivative_media_type),
    thumbnailWidth: r.thumbnail_width,
    thumbnailHeight: r.thumbnail_height,
    pages: r.pages,
    pageUrls: [r.derivative_sha256, ...r.page_views.map((p) => p.sha256)].map(
      (h) => origin + filePath(h, r.derivative_media_type),
    ),
    kind: r.kind,
    voucherNumber: r.voucher_number,
  };
}

const rects = (r: RedactionInput[] | null | undefined) =>
  (r ?? []).map(({ x, y, w, h, page }) => ({ x, y, w, h, ...(page ? { page } : {}) }));

@Resolver(() => Voucher)
export class VoucherAttachmentsResolver {
  @FieldResolver(() => [Attachment], {
    description:
      '这张凭证的附件（已公开月份；遮盖过的公开图片）/ The voucher’s attachments (published months only): the ' +
      'redacted, metadata-free views, never the originals.',
  })
  async attachments(@Root() v: Voucher, @Ctx() ctx: Context): Promise<Attachment[]> {
    const rows = await ctx.loaders.publishedAttachments.load(v.row);
    return rows.filter((r) => r.voucher_number === v.row.number).map((r) => toAttachment(r, ctx.settings.publicUrl));
  }
}

@Resolver(() => MonthlyStatement)
export class StatementAttachmentsResolver {
  @FieldResolver(() => [Attachment], {
    description:
      '本月自身的文件（会议记录、合同、招标结果等，不属于某张凭证）/ Documents of the month itself (minutes, ' +
      'contracts, tender results), not of one voucher.',
  })
  async attachments(@Root() s: MonthlyStatement, @Ctx() ctx: Context): Promise<Attachment[]> {
    const rows = await ctx.loaders.publishedAttachments.load(s.period);
    return rows.filter((r) => r.voucher_number === null).map((r) => toAttachment(r, ctx.settings.publicUrl));
  }
}

@Resolver(() => CommitteeMonth)
export class CommitteeMonthAttachmentsResolver {
  @FieldResolver(() => [CommitteeAttachment], {
    description:
      '当前版本的全部附件，含遮盖区域和监督员确认情况 / Every attachment of the current revision, with its ' +
      'redactions and whether a supervisor confirmed them.',
  })
  async attachments(@Root() m: CommitteeMonth, @Ctx() ctx: Context): Promise<CommitteeAttachment[]> {
    const rows = await attachmentsOfRevision(ctx.db, {
      villageId: m.villageId,
      year: m.year,
      month: m.month,
      revision: m.revision,
    });
    const preview = rows.length > 0 && (await mayPreview(ctx, m.villageId));
    return rows.map((r) => toCommitteeAttachment(r, ctx.settings.publicUrl, preview));
  }
}

@Resolver()
export class AttachmentResolver {
  @Mutation(() => CommitteeAttachment, {
    description:
      '给正在准备的月份的凭证（或月份本身）加附件：JPEG、PNG、WebP，≤ 20 MB；服务器去掉元数据、按遮盖区域涂黑后' +
      '生成公开图片，原文件不公开。同一文件再传一次不重复 / Attach an image to a voucher (or the month) being ' +
      'prepared; the published view is re-encoded, redacted and metadata-free; the original stays private.',
  })
  async attachFile(
    @Arg('input', () => AttachFileInput) input: AttachFileInput,
    @Ctx() ctx: Context,
  ): Promise<CommitteeAttachment> {
    const bytes = decodeBase64(input.contentBase64);
    const row = await attachFile(ctx.db, actorOf(ctx), {
      villageSlug: input.villageSlug,
      year: input.year,
      month: input.month,
      voucherNumber: input.voucherNumber ?? null,
      kind: input.kind ?? 'receipt',
      filename: input.filename,
      file: { bytes },
      redactions: rects(input.redactions),
    });
    return toCommitteeAttachment(row, ctx.settings.publicUrl, await mayPreview(ctx, row.villageId));
  }

  @Mutation(() => CommitteeAttachment, {
    description:
      '改遮盖区域：由原文件重新生成公开图片，原有的监督员确认作废 / New redaction rectangles: a new published view ' +
      'from the original; the supervisor’s confirmation is cleared.',
  })
  async setRedactions(
    @Args(() => AttachmentArgs) ref: AttachmentArgs,
    @Arg('redactions', () => [RedactionInput]) redactions: RedactionInput[],
    @Ctx() ctx: Context,
  ): Promise<CommitteeAttachment> {
    const row = await setRedactions(ctx.db, actorOf(ctx), { ...ref, redactions: rects(redactions) });
    return toCommitteeAttachment(row, ctx.settings.publicUrl, await mayPreview(ctx, row.villageId));
  }

  @Mutation(() => CommitteeAttachment, {
    description:
      '监督员确认公开图片已遮盖好（本村或交叉监督）；给出 sha256 时只确认看到的那一版 / A supervisor of the village ' +
      'confirms the redaction; with sha256, only the view they saw.',
  })
  async confirmAttachment(
    @Args(() => AttachmentArgs) ref: AttachmentArgs,
    @Arg('sha256', () => String, { nullable: true }) sha256: string | null,
    @Ctx() ctx: Context,
  ): Promise<CommitteeAttachment> {
    const row = await confirmAttachment(ctx.db, actorOf(ctx), { ...ref, derivativeSha256: sha256 });
    return toCommitteeAttachment(row, ctx.settings.publicUrl, await mayPreview(ctx, row.villageId));
  }

  @Mutation(() => Boolean, {
    description: '从正在准备的月份去掉一个附件；已公开的版本不变 / Remove an attachment from the month being prepared.',
  })
  async removeAttachment(
    @Args(() => AttachmentArgs) ref: AttachmentArgs,
    @Arg('reason', () => String, { nullable: true }) reason: string | null,
    @Ctx() ctx: Context,
  ): Promise<boolean> {
    await removeAttachment(ctx.db, actorOf(ctx), { ...ref, reason });
    return true;
  }
}
