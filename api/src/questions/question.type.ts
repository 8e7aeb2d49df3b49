import { Field, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import {
  formatQuestionNumber,
  questionNumberTail,
  questionStatus,
  type QuestionRecord as LedgerQuestionRecord,
} from '@mingbai/db/ledger/questions';
import { ConnectionType } from '../graphql/relay/connection.ts';
import { Village } from '../villages/village.type.ts';
import type { QuestionRow } from './question.sql.ts';

export enum QuestionStatus {
  OPEN = 'OPEN',
  ANSWERED = 'ANSWERED',
  OVERDUE = 'OVERDUE',
}
registerEnumType(QuestionStatus, {
  name: 'QuestionStatus',
  description: 'OPEN 待答复（未到期）· ANSWERED 已答复 · OVERDUE 逾期未答复',
});

/** What the committee's roles are called in public, beside the role code. */
const ROLE_LABELS: Record<string, string> = {
  accountant: '报账员（会计）',
  director: '村委会主任',
  supervisor: '村务监督委员会',
};

@ObjectType({ simpleResolvers: true, description: '问题针对的月份或凭证 / The month or voucher asked about.' })
export class QuestionAbout {
  @Field(() => Int)
  year!: number;

  @Field(() => Int)
  month!: number;

  @Field(() => Int, { nullable: true, description: '凭证号；针对整月为空 / Voucher number; null for the month.' })
  voucherNumber!: number | null;
}

@ObjectType({ simpleResolvers: true, description: '村委会的公开答复 / The committee’s public answer.' })
export class QuestionAnswer {
  @Field(() => String, { description: '答复（个人信息已脱敏）/ The answer, personal data masked.' })
  body!: string;

  @Field(() => Date)
  answeredAt!: Date;

  @Field(() => String, { description: '答复人的角色代码：accountant、director / Role code of who answered.' })
  answeredByRole!: string;

  @Field(() => String, { description: '角色名称，如 报账员（会计）/ The role as people read it.' })
  roleLabel!: string;

  @Field(() => Int, {
    nullable: true,
    description: '答复附带的更正：所问月份已公开的第几版 / A correction: a published revision of the month.',
  })
  correctionRevision!: number | null;

  @Field(() => Int, {
    nullable: true,
    description: '答复附带的付款或收据凭证号（所问月份）/ A payment or receipt: a voucher of the month.',
  })
  voucherNumber!: number | null;
}

@ObjectType({
  simpleResolvers: true,
  description: '问题被隐藏：公开理由，原文留存不删 / Hidden, with the public reason.',
})
export class QuestionHidden {
  @Field(() => String, { description: '隐藏的理由（公开）/ Why, in public.' })
  reason!: string;

  @Field(() => Date)
  hiddenAt!: Date;
}

/** What a question's public fields need besides its row: the village's name and slug, the public origin, the clock. */
export interface QuestionView {
  publicUrl: string;
  now: Date;
}

@ObjectType({
  simpleResolvers: true,
  description:
    '村民的问题：公开编号、到期时间、状态和村委会的答复；提问人的联系方式从不公开 / A villager’s question: its ' +
    'public number, due date, status and the committee’s answer. The asker’s contact is never public.',
})
export class Question {
  constructor(
    readonly row: QuestionRow,
    private readonly view: QuestionView,
  ) {}

  @Field(() => String, { description: '公开编号，如 付村-2026-0012 / Public number.' })
  get number(): string {
    return formatQuestionNumber(this.row.villageName, this.row.numberYear, this.row.seq);
  }

  @Field(() => String, {
    nullable: true,
    description:
      '问题（个人信息已按摘要规则脱敏）；被隐藏时为空 / The question, masked like a voucher memo; null when hidden.',
  })
  get body(): string | null {
    return this.row.hidden ? null : this.row.bodyPublic;
  }

  @Field(() => Date)
  get askedAt(): Date {
    return this.row.askedAt;
  }

  @Field(() => Date, { description: '答复期限 / Due: the committee answers by then.' })
  get dueAt(): Date {
    return this.row.dueAt;
  }

  @Field(() => QuestionStatus)
  get status(): QuestionStatus {
    return questionStatus(this.row, this.view.now) as QuestionStatus;
  }

  @Field(() => Boolean, { description: '逾期后才答复 / Answered after its due date.' })
  get answeredLate(): boolean {
    return this.row.answer !== null && this.row.answer.answeredAt.getTime() > this.row.dueAt.getTime();
  }

  @Field(() => QuestionAbout, { nullable: true, description: '针对的月份或凭证；空：针对全村 / Null: the village.' })
  get about(): QuestionAbout | null {
    return this.row.about;
  }

  @Field(() => QuestionAnswer, { nullable: true })
  get answer(): QuestionAnswer | null {
    const a = this.row.answer;
    return (
      a && {
        body: a.bodyPublic,
        answeredAt: a.answeredAt,
        answeredByRole: a.answeredByRole,
        roleLabel: ROLE_LABELS[a.answeredByRole] ?? a.answeredByRole,
        correctionRevision: a.revision,
        voucherNumber: a.voucherNumber,
      }
    );
  }

  @Field(() => QuestionHidden, { nullable: true, description: '被监督委员会隐藏时的理由 / Set when hidden.' })
  get hidden(): QuestionHidden | null {
    const h = this.row.hidden;
    return h && { reason: h.reason, hiddenAt: h.at };
  }

  @Field(() => String, { description: '问题页面的网址 / Absolute URL of the question’s portal page.' })
  get url(): string {
    return `${this.view.publicUrl}/v/${this.row.villageSlug}/questions/${questionNumberTail(this.row.numberYear, this.row.seq)}`;
  }
}

export const QuestionConnection = ConnectionType(Question, 'Question');

@ObjectType('QuestionRecord', {
  simpleResolvers: true,
  description: '近 12 个月的问答记录（不含被隐藏的问题）/ The last 12 months of questions, hidden ones left out.',
})
export class QuestionRecordType {
  @Field(() => Int, { description: '统计的月数（12）/ Months counted.' })
  months!: number;

  @Field(() => Int, { description: '提问数 / Questions asked.' })
  asked!: number;

  @Field(() => Int, { description: '按时答复 / Answered by the due date.' })
  answeredOnTime!: number;

  @Field(() => Int, { description: '逾期后答复 / Answered after it.' })
  answeredLate!: number;

  @Field(() => Int, { description: '待答复，未到期 / Not answered, not yet due.' })
  open!: number;

  @Field(() => Int, { description: '逾期未答复 / Not answered and past due.' })
  overdue!: number;
}

export const toRecord = (r: LedgerQuestionRecord): QuestionRecordType => ({ ...r });

@ObjectType({ simpleResolvers: true, description: '一个村的问答记录，用于排名 / A village’s record, for ranking.' })
export class VillageQuestionRecord {
  @Field(() => Village)
  village!: Village;

  @Field(() => QuestionRecordType)
  record!: QuestionRecordType;

  @Field(() => Int, {
    nullable: true,
    description:
      '按时答复的百分比（已答复和已逾期的问题中）；没有可评的问题为空 / Share answered on time, of those answered ' +
      'or past due, in whole percent; null when none.',
  })
  onTimePercent!: number | null;
}

@InputType({ description: '村民提问 / A villager’s question.' })
export class AskQuestionInput {
  @Field(() => String)
  villageSlug!: string;

  @Field(() => Int, { nullable: true, description: '所问的年份（与 month 一起）/ Year asked about (with month).' })
  year?: number | null;

  @Field(() => Int, { nullable: true, description: '所问的月份，须已公开 / A published month.' })
  month?: number | null;

  @Field(() => Int, { nullable: true, description: '所问的凭证号（须有月份）/ A voucher of that month.' })
  voucherNumber?: number | null;

  @Field(() => String, { description: '问题，1–500 字 / The question, 1 to 500 characters.' })
  body!: string;

  @Field(() => String, {
    nullable: true,
    description:
      '姓名或电话（可不填），只给村委会和监督委员会看，从不公开 / A name or phone, optional: only the committee and ' +
      'supervisors see it, never the public.',
  })
  contact?: string | null;
}

@ObjectType({ simpleResolvers: true, description: '提问的结果 / What an ask gives back.' })
export class AskedQuestion {
  @Field(() => String, { description: '公开编号，如 付村-2026-0012' })
  number!: string;

  @Field(() => Date, { description: '答复期限 / Due date.' })
  dueAt!: Date;

  @Field(() => String, { description: '问题页面的网址 / Its page.' })
  url!: string;

  @Field(() => Boolean, {
    description:
      '同样的问题 24 小时内已在本村提过：返回的是那个问题 / The same text was asked here within 24 hours: that question.',
  })
  duplicate!: boolean;
}

@ObjectType({
  simpleResolvers: true,
  description:
    '村委会和监督委员会看到的问题：原文和（脱敏的）联系方式 / A question as the committee and supervisors see it.',
})
export class CommitteeQuestion {
  @Field(() => Question)
  question!: Question;

  @Field(() => String, { description: '提问原文（未脱敏）/ The text as asked.' })
  bodyAsked!: string;

  @Field(() => String, {
    nullable: true,
    description: '联系方式（列表中脱敏，如 138****5678）/ The contact, masked.',
  })
  contactMasked!: string | null;

  @Field(() => String, {
    nullable: true,
    description: '被隐藏的原文（留存备查）；未隐藏为空 / The hidden text, kept; null when not hidden.',
  })
  hiddenText!: string | null;
}

@ObjectType({ simpleResolvers: true, description: '镇里逾期未答复的问题 / An overdue question in the town.' })
export class TownQuestion {
  @Field(() => Village)
  village!: Village;

  @Field(() => Question)
  question!: Question;
}
