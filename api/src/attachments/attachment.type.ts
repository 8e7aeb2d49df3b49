import { ArgsType, Field, Float, InputType, Int, ObjectType } from 'type-graphql';

/** The public path of a stored derivative; the full URL is built on the configured public origin. */
export const filePath = (sha256: string, mediaType: string) =>
  `/data/files/${sha256}.${mediaType === 'image/jpeg' ? 'jpg' : 'webp'}`;

@ObjectType({
  description:
    '附件（原始凭证、会议记录、合同等）公开的样子：重新编码、遮盖过、不含任何元数据的图片 / An attachment as ' +
    'published: a re-encoded, redacted, metadata-free image. The original is never public.',
})
export class Attachment {
  @Field(() => String, { description: '公开图片的 SHA-256（写入本月的审核内容）/ SHA-256 of the published view.' })
  sha256!: string;

  @Field(() => String, { description: '如 image/webp / Media type of the published view.' })
  mediaType!: string;

  @Field(() => Int)
  width!: number;

  @Field(() => Int)
  height!: number;

  @Field(() => String, { description: '大图地址（≤ 300 KB）/ URL of the full view.' })
  url!: string;

  @Field(() => String, { description: '缩略图地址（≤ 20 KB）/ URL of the thumbnail.' })
  thumbnailUrl!: string;

  @Field(() => Int)
  thumbnailWidth!: number;

  @Field(() => Int)
  thumbnailHeight!: number;

  @Field(() => Int, { description: '页数（图片为 1，PDF 为其页数）/ Pages (1 for an image, a PDF’s page count).' })
  pages!: number;

  @Field(() => [String], {
    description:
      '每一页的大图地址，第一项即 url（PDF 每页一张遮盖过的图片）/ URL of each page’s view, the first being url (a ' +
      'PDF: one redacted image per page).',
  })
  pageUrls!: string[];

  @Field(() => String, {
    description: 'receipt 单据 · minutes 会议记录 · contract 合同 · tender 招标结果 · other 其他',
  })
  kind!: string;

  @Field(() => Int, {
    nullable: true,
    description: '所属凭证号；全月文件为空 / Voucher number; null for the month’s own.',
  })
  voucherNumber!: number | null;
}

@ObjectType({ description: '遮盖区域：占图片宽高的比例（0–1）/ A redacted rectangle, in fractions of the image.' })
export class RedactionRect {
  @Field(() => Float)
  x!: number;

  @Field(() => Float)
  y!: number;

  @Field(() => Float)
  w!: number;

  @Field(() => Float)
  h!: number;

  @Field(() => Int, { description: 'PDF 的页序号，0 为第一页 / A PDF’s page index, 0 the first.' })
  page!: number;
}

@InputType()
export class RedactionInput {
  @Field(() => Float, { description: '左边，占图片宽度的比例（0–1）/ Left, fraction of the width.' })
  x!: number;

  @Field(() => Float, { description: '上边，占图片高度的比例 / Top, fraction of the height.' })
  y!: number;

  @Field(() => Float, { description: '宽度比例 / Width fraction.' })
  w!: number;

  @Field(() => Float, { description: '高度比例 / Height fraction.' })
  h!: number;

  @Field(() => Int, {
    nullable: true,
    description: 'PDF 的页序号，0（默认）为第一页 / A PDF’s page index, 0 (the default) the first.',
  })
  page?: number | null;
}

@ObjectType({
  description:
    '村委会和监督员看到的附件：含原文件的哈希、遮盖区域和确认情况 / An attachment as the committee and ' +
    'supervisors see it, with the original’s hash, the redactions and the confirmation.',
})
export class CommitteeAttachment extends Attachment {
  @Field(() => Int, { description: '附件编号（本村内）/ Attachment number within the village.' })
  id!: number;

  @Field(() => String)
  filename!: string;

  @Field(() => String, { description: '原文件的 SHA-256（不公开）/ SHA-256 of the private original.' })
  originalSha256!: string;

  @Field(() => String)
  originalMediaType!: string;

  @Field(() => Int)
  originalBytes!: number;

  @Field(() => [RedactionRect])
  redactions!: RedactionRect[];

  @Field(() => String)
  uploadedBy!: string;

  @Field(() => Date)
  uploadedAt!: Date;

  @Field(() => String, { nullable: true })
  confirmedBy!: string | null;

  @Field(() => Date, { nullable: true })
  confirmedAt!: Date | null;

  @Field(() => Boolean, { description: '监督员已确认遮盖 / A supervisor confirmed the redaction.' })
  confirmed!: boolean;

  @Field(() => String, {
    nullable: true,
    description:
      '遮盖后大图的预览地址（月份公开前也能看），15 分钟内有效，只给本村村委会和监督员；原文件从不提供 / A ' +
      'signed URL of the redacted view, valid 15 minutes, before the month is public; only for the village’s ' +
      'committee and supervisors (null for others). The original is never served.',
  })
  previewUrl!: string | null;

  @Field(() => String, { nullable: true, description: '缩略图的预览地址 / Signed URL of the thumbnail.' })
  previewThumbnailUrl!: string | null;

  @Field(() => [String], {
    nullable: true,
    description: '每一页的预览地址（第一项即 previewUrl）/ Signed URL of each page’s view.',
  })
  previewPageUrls!: string[] | null;
}

@InputType()
export class AttachFileInput {
  @Field(() => String)
  villageSlug!: string;

  @Field(() => Int)
  year!: number;

  @Field(() => Int)
  month!: number;

  @Field(() => Int, { nullable: true, description: '凭证号；不填为全月文件 / Voucher number; omit for the month.' })
  voucherNumber?: number | null;

  @Field(() => String, { nullable: true, description: 'receipt（默认）、minutes、contract、tender、other' })
  kind?: string | null;

  @Field(() => String, { description: '文件名，扩展名须与内容相符 / File name; its extension must match the content.' })
  filename!: string;

  @Field(() => String, { description: '文件内容，Base64（≤ 20 MB）/ The file, Base64 (≤ 20 MB).' })
  contentBase64!: string;

  @Field(() => [RedactionInput], { nullable: true })
  redactions?: RedactionInput[] | null;
}

@ArgsType()
export class AttachmentArgs {
  @Field(() => String)
  villageSlug!: string;

  @Field(() => Int)
  year!: number;

  @Field(() => Int)
  month!: number;

  @Field(() => Int, { description: '附件编号 / Attachment number.' })
  id!: number;
}
