import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Money } from '../money/money.type.ts';
import { RULE_BY_CODE } from '@mingbai/db/ledger/red-flag-rules';
import type { RedFlagFound } from '@mingbai/db/ledger/red-flags';
import type { ImportPreview, ImportReport } from './import.service.ts';
import type { OpeningBasis } from './opening-basis.ts';

export enum ImportMode {
  REPLACE = 'replace',
  APPEND = 'append',
}
registerEnumType(ImportMode, {
  name: 'ImportMode',
  description: 'REPLACE 以本文件替换本月全部凭证（默认）· APPEND 追加到本月已有凭证',
});

@ObjectType({ description: '导入问题：行、列、代码和中文说明 / One problem found in the file.' })
export class ImportProblemType {
  @Field(() => Int, { nullable: true, description: '文件中的行号（表头为第1行）/ Row as seen in Excel.' })
  row!: number | null;

  @Field(() => String, { nullable: true, description: '列名，按文件原样 / Column header as written.' })
  column!: string | null;

  @Field(() => String, { description: '稳定的错误代码 / Stable code, e.g. VOUCHER_UNBALANCED.' })
  code!: string;

  @Field(() => String)
  message!: string;
}

@ObjectType()
export class ImportCategoryPreview {
  @Field(() => String)
  code!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String, { description: 'INCOME 或 SPENDING' })
  kind!: string;

  @Field(() => Money)
  amount!: Money;
}

@ObjectType({
  description: '月初余额依据中尚未公开的月份 / A month not yet published that the opening balance counts.',
})
export class OpeningPendingMonth {
  @Field(() => Int) year!: number;
  @Field(() => Int) month!: number;
  @Field(() => String, { description: 'OPEN 正在录入 · SUBMITTED 已提交审核 · MISSING 尚未上传（按没有收支计）' })
  status!: string;
  @Field(() => Money, { description: '现金和银行存款的变动 / Movement of cash and bank.' }) cashMovement!: Money;
}

@ObjectType({ description: '预览的月初余额从哪里起算 / What the preview’s opening balance starts from.' })
export class OpeningBasisType {
  constructor(b: OpeningBasis) {
    this.kind = b.kind.toUpperCase();
    this.fromYear = b.from?.year ?? null;
    this.fromMonth = b.from?.month ?? null;
    this.fromSource = b.from ? b.from.source.toUpperCase() : null;
    this.pending = b.pending.map((m) => ({
      year: m.year,
      month: m.month,
      status: m.status.toUpperCase(),
      cashMovement: new Money(m.cashMovementFen),
    }));
    this.description = b.description;
  }

  @Field(() => String, {
    description:
      'PUBLISHED 上月公开的月末余额 · BOOKS 建账期初余额 · UNPUBLISHED 另加尚未公开月份的变动 · NONE 无可依据，按 0',
  })
  kind: string;
  @Field(() => Int, { nullable: true }) fromYear: number | null;
  @Field(() => Int, { nullable: true }) fromMonth: number | null;
  @Field(() => String, { nullable: true, description: 'PUBLISHED 公开的月末余额 · BOOKS 期初余额' })
  fromSource: string | null;
  @Field(() => [OpeningPendingMonth]) pending: OpeningPendingMonth[];
  @Field(() => String, { description: '一句话说明 / The same in a sentence.' }) description: string;
}

@ObjectType({ description: '导入预览 / What the month would look like.' })
export class ImportPreviewType {
  constructor(p: ImportPreview) {
    this.vouchers = p.vouchers;
    this.lines = p.lines;
    this.debitTotal = new Money(p.debitTotalFen);
    this.income = new Money(p.incomeFen);
    this.spending = new Money(p.spendingFen);
    this.openingBalance = new Money(p.openingBalanceFen);
    this.closingBalance = new Money(p.closingBalanceFen);
    this.openingBasis = new OpeningBasisType(p.openingBasis);
    this.existingVouchers = p.existingVouchers;
    this.mode = p.mode === 'append' ? ImportMode.APPEND : ImportMode.REPLACE;
    this.byCategory = p.byCategory.map((c) => ({
      code: c.code,
      name: c.name,
      kind: c.kind.toUpperCase(),
      amount: new Money(c.amountFen),
    }));
  }

  @Field(() => Int) vouchers: number;
  @Field(() => Int) lines: number;
  @Field(() => Money, { description: '借方合计 / Total debits.' }) debitTotal: Money;
  @Field(() => Money) income: Money;
  @Field(() => Money) spending: Money;
  @Field(() => Money) openingBalance: Money;
  @Field(() => Money, { description: '追加时含本月已有凭证 / When appending, counts the vouchers the month keeps.' })
  closingBalance: Money;
  @Field(() => OpeningBasisType) openingBasis: OpeningBasisType;
  @Field(() => Int, { description: '本月现有凭证数（替换时被替换，追加时保留）/ Vouchers the month holds now.' })
  existingVouchers: number;
  @Field(() => ImportMode) mode: ImportMode;
  @Field(() => [ImportCategoryPreview]) byCategory: ImportCategoryPreview[];
}

@ObjectType({
  description:
    '导入后本月的红旗（按今天施行的规则），监督员审核时看到的就是这些 / A red flag of the month as imported, judged by today’s rules.',
})
export class ImportRedFlagType {
  constructor(f: RedFlagFound) {
    this.key = f.key;
    this.code = f.ruleCode;
    this.title = RULE_BY_CODE.get(f.ruleCode)!.title;
    this.voucherNumber = f.voucherNumber;
    this.amount = f.amountFen === null ? null : new Money(f.amountFen);
    this.detail = f.detail;
  }

  @Field(() => String, { description: '答复时用的键，如 CASH_OVER_LIMIT:12 / The key an answer is given under.' })
  key: string;
  @Field(() => String, { description: '规则代码，见 redFlagRules / The rule’s code.' }) code: string;
  @Field(() => String) title: string;
  @Field(() => Int, {
    nullable: true,
    description: '凭证号；整月的红旗为空 / Voucher number; null for the whole month.',
  })
  voucherNumber: number | null;
  @Field(() => Money, { nullable: true }) amount: Money | null;
  @Field(() => String) detail: string;
}

@ObjectType({ description: '导入结果 / Result of an upload.' })
export class ImportReportType {
  constructor(r: ImportReport) {
    this.status = r.status.toUpperCase();
    this.sha256 = r.sha256;
    this.sizeBytes = r.sizeBytes;
    this.filename = r.filename;
    this.format = r.format;
    this.encoding = r.encoding;
    this.year = r.year;
    this.month = r.month;
    this.revision = r.revision;
    this.rows = r.rows;
    this.problems = r.problems;
    this.warnings = r.warnings;
    this.preview = r.preview ? new ImportPreviewType(r.preview) : null;
    this.redFlags = r.redFlags.map((f) => new ImportRedFlagType(f));
  }

  @Field(() => String, {
    description: 'REJECTED 有问题未导入 · PREVIEW 仅预览 · COMMITTED 已导入 · ALREADY_IMPORTED 同一文件已导入过',
  })
  status: string;

  @Field(() => String, { description: '文件的 SHA-256' }) sha256: string;
  @Field(() => Int) sizeBytes: number;
  @Field(() => String) filename: string;
  @Field(() => String, { nullable: true, description: 'mingbai · yonyou-u8 · kingdee-kis · cashbook' })
  format: string | null;
  @Field(() => String, { nullable: true, description: 'utf-8 · utf-8-bom · gb18030 · xlsx' })
  encoding: string | null;
  @Field(() => Int, { nullable: true }) year: number | null;
  @Field(() => Int, { nullable: true }) month: number | null;
  @Field(() => Int, { nullable: true }) revision: number | null;
  @Field(() => Int, { description: '数据行数 / Data rows read.' }) rows: number;
  @Field(() => [ImportProblemType]) problems: ImportProblemType[];
  @Field(() => [ImportProblemType], {
    description:
      '提醒：像是粘贴了两遍的凭证（VOUCHER_LINES_REPEATED 每条分录都出现两次；VOUCHER_REPEATED 与前面一张相同），' +
      '预览和导入都会列出，导入须 confirmRepeatedLines / ' +
      'Vouchers that look pasted in twice (every line twice; equal to an earlier one); importing them needs confirmRepeatedLines.',
  })
  warnings: ImportProblemType[];
  @Field(() => ImportPreviewType, { nullable: true }) preview: ImportPreviewType | null;
  @Field(() => [ImportRedFlagType], {
    description:
      '导入后本月的红旗（预览和被拒的文件为空：规则要读入库后的账）/ The month’s red flags once imported; empty for a preview or a rejection.',
  })
  redFlags: ImportRedFlagType[];
}
