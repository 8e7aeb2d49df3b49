import { Arg, Ctx, Int, Mutation, Resolver } from 'type-graphql';
import { actorOf } from '../auth/village-access.ts';
import type { Context } from '../graphql/context.ts';
import { badInput } from '../errors.ts';
import { importLedger, MAX_IMPORT_BYTES } from './import.service.ts';
import { ImportMode, ImportReportType } from './import.type.ts';

@Resolver()
export class ImportResolver {
  @Mutation(() => ImportReportType, {
    description:
      '上传一个月的账目文件（CSV 或 XLSX，base64）：有问题则全部列出且不写入；dryRun 只预览 / Upload a ledger file.',
  })
  async importLedger(
    @Arg('villageSlug', () => String) villageSlug: string,
    @Arg('filename', () => String) filename: string,
    @Arg('contentBase64', () => String, { description: '文件内容，base64 编码 / File bytes, base64.' }) content: string,
    @Arg('year', () => Int, { nullable: true }) year: number | undefined,
    @Arg('month', () => Int, { nullable: true }) month: number | undefined,
    @Arg('dryRun', () => Boolean, { defaultValue: false }) dryRun: boolean,
    @Arg('mode', () => ImportMode, { defaultValue: ImportMode.REPLACE }) mode: ImportMode,
    @Arg('confirmRepeatedLines', () => Boolean, {
      defaultValue: false,
      description:
        '确认文件里每条分录都重复出现的凭证是有意的；不确认则这样的文件被拒（REPEATED_LINES_UNCONFIRMED）/ ' +
        'Confirms that vouchers whose every line appears twice are meant so; otherwise such a file is refused.',
    })
    confirmRepeatedLines: boolean,
    @Ctx() ctx: Context,
  ): Promise<ImportReportType> {
    if (!/^[A-Za-z0-9+/=\s_-]*$/.test(content)) throw badInput('contentBase64 不是 base64 编码', 'contentBase64');
    const bytes = new Uint8Array(Buffer.from(content, 'base64'));
    if (bytes.byteLength > MAX_IMPORT_BYTES) throw badInput(`文件超过 ${MAX_IMPORT_BYTES} 字节`, 'contentBase64');
    if ((year === undefined || year === null) !== (month === undefined || month === null)) {
      throw badInput('year 和 month 要么都给，要么都不给', 'month');
    }
    if (month !== undefined && month !== null && (month < 1 || month > 12))
      throw badInput('month 必须在 1 到 12 之间', 'month');
    if (year !== undefined && year !== null && (year < 2000 || year > 2100))
      throw badInput('year 必须在 2000 到 2100 之间', 'year');
    const report = await importLedger(ctx.db, actorOf(ctx), {
      villageSlug,
      bytes,
      filename: filename.slice(0, 255),
      year: year ?? undefined,
      month: month ?? undefined,
      dryRun,
      mode: mode as 'replace' | 'append',
      confirmRepeatedLines,
    });
    return new ImportReportType(report);
  }
}
