/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
/** 村民提问 / A villager’s question. */
export type AskQuestionInput = {
  /** 问题，1–500 字 / The question, 1 to 500 characters. */
  body: string;
  /** 姓名或电话（可不填），只给村委会和监督委员会看，从不公开 / A name or phone, optional: only the committee and supervisors see it, never the public. */
  contact?: string | null | undefined;
  /** 所问的月份，须已公开 / A published month. */
  month?: number | null | undefined;
  villageSlug: string;
  /** 所问的凭证号（须有月份）/ A voucher of that month. */
  voucherNumber?: number | null | undefined;
  /** 所问的年份（与 month 一起）/ Year asked about (with month). */
  year?: number | null | undefined;
};

/** 比较收入还是支出 / Compare income (credits of income accounts) or spending (debits of expense accounts). */
export type CompareKind = 'INCOME' | 'SPENDING';

/** INCOME 收入 · SPENDING 支出 · OTHER_RECEIPT 其他收款（如代收低保金）· OTHER_PAYMENT 其他付款（如发放代收款、支付工资） */
export type FlowKind = 'INCOME' | 'OTHER_PAYMENT' | 'OTHER_RECEIPT' | 'SPENDING';

/** REPLACE 以本文件替换本月全部凭证（默认）· APPEND 追加到本月已有凭证 */
export type ImportMode = 'APPEND' | 'REPLACE';

/** 排序 / Sort order of statement lines. */
export type LineOrder = 'AMOUNT_ASC' | 'AMOUNT_DESC' | 'DATE_ASC' | 'DATE_DESC';

/** DEBIT 借 · CREDIT 贷 */
export type LineSide = 'CREDIT' | 'DEBIT';

/** CASH 现金 · BANK 银行 · TRANSFER 转账（不涉及现金） */
export type PaymentMethod = 'BANK' | 'CASH' | 'TRANSFER';

/** OPEN 待答复（未到期）· ANSWERED 已答复 · OVERDUE 逾期未答复 */
export type QuestionStatus = 'ANSWERED' | 'OPEN' | 'OVERDUE';

/** 区划层级 / Level: CITY 市, DISTRICT 区, TOWN 镇/街道. */
export type RegionLevel = 'CITY' | 'DISTRICT' | 'TOWN';

/** VILLAGE 村 · COMMUNITY 社区 */
export type VillageKind = 'COMMUNITY' | 'VILLAGE';

export type RegionPeriodsQueryVariables = Exact<{
  slug: string;
}>;

export type RegionPeriodsQuery = {
  region: {
    name: string;
    slug: string;
    level: RegionLevel;
    parent: { name: string; slug: string } | null;
    children: Array<{ name: string; slug: string }>;
    publishedMonths: Array<{ year: number; month: number; villageCount: number }>;
  } | null;
};

export type RegionYearPageQueryVariables = Exact<{
  slug: string;
  year: number;
  month?: number | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
  last?: number | null | undefined;
  before?: string | null | undefined;
}>;

export type RegionYearPageQuery = {
  region: {
    summary: {
      income: { yuan: string };
      spending: { yuan: string };
      byCategory: Array<{
        kind: string;
        standard: string;
        code: string;
        name: string;
        villageCount: number;
        amount: { yuan: string };
      }>;
    };
    questionRanking: Array<{
      onTimePercent: number | null;
      village: { name: string; slug: string; town: { name: string } };
      record: { asked: number; answeredOnTime: number; answeredLate: number; open: number; overdue: number };
    }>;
    villageTotals: {
      totalCount: number;
      pageInfo: {
        hasNextPage: boolean;
        hasPreviousPage: boolean;
        startCursor: string | null;
        endCursor: string | null;
      };
      nodes: Array<{
        slug: string;
        monthsPublished: number;
        lastMonth: number | null;
        income: { yuan: string };
        spending: { yuan: string };
      }>;
    };
    villages: {
      nodes: Array<{
        name: string;
        slug: string;
        town: { name: string };
        latestStatement: { year: number; month: number; redFlagCount: number; closingBalance: { yuan: string } } | null;
      }>;
    };
  } | null;
};

export type RegionCompareQueryVariables = Exact<{
  slug: string;
  year: number;
  month?: number | null | undefined;
  kind: CompareKind;
  standard?: string | null | undefined;
  code?: string | null | undefined;
}>;

export type RegionCompareQuery = {
  region: {
    summary: { byCategory: Array<{ kind: string; standard: string; code: string; name: string }> };
    comparison: {
      name: string;
      kind: CompareKind;
      villageCount: number;
      villagesWithoutData: number;
      total: { yuan: string };
      median: { yuan: string; fen: string } | null;
      villages: Array<{
        slug: string;
        name: string;
        rank: number;
        monthsPublished: number;
        amount: { yuan: string; fen: string };
      }>;
    };
  } | null;
};

export type VillageTrendQueryVariables = Exact<{
  slug: string;
  after?: string | null | undefined;
}>;

export type VillageTrendQuery = {
  village: {
    periods: {
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
      nodes: Array<{ year: number; month: number; statement: { income: { fen: string }; spending: { fen: string } } }>;
    };
  } | null;
};

export type VillageSearchQueryVariables = Exact<{
  slug: string;
  search?: string | null | undefined;
  year?: number | null | undefined;
  minYuan?: string | null | undefined;
  maxYuan?: string | null | undefined;
  kind?: FlowKind | null | undefined;
  first: number;
  after?: string | null | undefined;
}>;

export type VillageSearchQuery = {
  village: {
    name: string;
    town: { name: string; slug: string };
    district: { name: string; slug: string };
    periods: { nodes: Array<{ year: number }> };
    lines: {
      totalCount: number;
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
      nodes: Array<{
        kind: FlowKind;
        date: string;
        summary: string;
        voucherNumber: number;
        amount: { yuan: string };
        counterparty: { name: string } | null;
        account: { name: string; categoryName: string };
        voucher: { year: number; month: number };
      }>;
    };
  } | null;
};

export type VillageBadgeQueryVariables = Exact<{
  slug: string;
}>;

export type VillageBadgeQuery = {
  village: {
    name: string;
    latestStatement: { year: number; month: number; digest: string; closingBalance: { yuan: string } } | null;
  } | null;
};

export type YearMonthFieldsFragment = {
  month: number;
  revision: number;
  lineCount: number;
  redFlagCount: number;
  reconciled: boolean;
  digest: string;
  openingBalance: { fen: string };
  closingBalance: { fen: string };
  income: { fen: string };
  spending: { fen: string };
  byCategory: Array<{ code: string; kind: string; name: string; amount: { fen: string } }>;
};

export type YearSummaryQueryVariables = Exact<{
  slug: string;
  year: number;
}>;

export type YearSummaryQuery = {
  village: {
    name: string;
    kind: VillageKind;
    code: string;
    town: { name: string };
    district: { name: string };
    m1: {
      month: number;
      revision: number;
      lineCount: number;
      redFlagCount: number;
      reconciled: boolean;
      digest: string;
      openingBalance: { fen: string };
      closingBalance: { fen: string };
      income: { fen: string };
      spending: { fen: string };
      byCategory: Array<{ code: string; kind: string; name: string; amount: { fen: string } }>;
    } | null;
    m2: {
      month: number;
      revision: number;
      lineCount: number;
      redFlagCount: number;
      reconciled: boolean;
      digest: string;
      openingBalance: { fen: string };
      closingBalance: { fen: string };
      income: { fen: string };
      spending: { fen: string };
      byCategory: Array<{ code: string; kind: string; name: string; amount: { fen: string } }>;
    } | null;
    m3: {
      month: number;
      revision: number;
      lineCount: number;
      redFlagCount: number;
      reconciled: boolean;
      digest: string;
      openingBalance: { fen: string };
      closingBalance: { fen: string };
      income: { fen: string };
      spending: { fen: string };
      byCategory: Array<{ code: string; kind: string; name: string; amount: { fen: string } }>;
    } | null;
    m4: {
      month: number;
      revision: number;
      lineCount: number;
      redFlagCount: number;
      reconciled: boolean;
      digest: string;
      openingBalance: { fen: string };
      closingBalance: { fen: string };
      income: { fen: string };
      spending: { fen: string };
      byCategory: Array<{ code: string; kind: string; name: string; amount: { fen: string } }>;
    } | null;
    m5: {
      month: number;
      revision: number;
      lineCount: number;
      redFlagCount: number;
      reconciled: boolean;
      digest: string;
      openingBalance: { fen: string };
      closingBalance: { fen: string };
      income: { fen: string };
      spending: { fen: string };
      byCategory: Array<{ code: string; kind: string; name: string; amount: { fen: string } }>;
    } | null;
    m6: {
      month: number;
      revision: number;
      lineCount: number;
      redFlagCount: number;
      reconciled: boolean;
      digest: string;
      openingBalance: { fen: string };
      closingBalance: { fen: string };
      income: { fen: string };
      spending: { fen: string };
      byCategory: Array<{ code: string; kind: string; name: string; amount: { fen: string } }>;
    } | null;
    m7: {
      month: number;
      revision: number;
      lineCount: number;
      redFlagCount: number;
      reconciled: boolean;
      digest: string;
      openingBalance: { fen: string };
      closingBalance: { fen: string };
      income: { fen: string };
      spending: { fen: string };
      byCategory: Array<{ code: string; kind: string; name: string; amount: { fen: string } }>;
    } | null;
    m8: {
      month: number;
      revision: number;
      lineCount: number;
      redFlagCount: number;
      reconciled: boolean;
      digest: string;
      openingBalance: { fen: string };
      closingBalance: { fen: string };
      income: { fen: string };
      spending: { fen: string };
      byCategory: Array<{ code: string; kind: string; name: string; amount: { fen: string } }>;
    } | null;
    m9: {
      month: number;
      revision: number;
      lineCount: number;
      redFlagCount: number;
      reconciled: boolean;
      digest: string;
      openingBalance: { fen: string };
      closingBalance: { fen: string };
      income: { fen: string };
      spending: { fen: string };
      byCategory: Array<{ code: string; kind: string; name: string; amount: { fen: string } }>;
    } | null;
    m10: {
      month: number;
      revision: number;
      lineCount: number;
      redFlagCount: number;
      reconciled: boolean;
      digest: string;
      openingBalance: { fen: string };
      closingBalance: { fen: string };
      income: { fen: string };
      spending: { fen: string };
      byCategory: Array<{ code: string; kind: string; name: string; amount: { fen: string } }>;
    } | null;
    m11: {
      month: number;
      revision: number;
      lineCount: number;
      redFlagCount: number;
      reconciled: boolean;
      digest: string;
      openingBalance: { fen: string };
      closingBalance: { fen: string };
      income: { fen: string };
      spending: { fen: string };
      byCategory: Array<{ code: string; kind: string; name: string; amount: { fen: string } }>;
    } | null;
    m12: {
      month: number;
      revision: number;
      lineCount: number;
      redFlagCount: number;
      reconciled: boolean;
      digest: string;
      openingBalance: { fen: string };
      closingBalance: { fen: string };
      income: { fen: string };
      spending: { fen: string };
      byCategory: Array<{ code: string; kind: string; name: string; amount: { fen: string } }>;
    } | null;
  } | null;
};

export type MonthCardQueryVariables = Exact<{
  slug: string;
  year: number;
  month: number;
  revision?: number | null | undefined;
}>;

export type MonthCardQuery = {
  village: {
    name: string;
    town: { name: string };
    statement: {
      revision: number;
      isCurrent: boolean;
      digest: string;
      lineCount: number;
      openingBalance: { yuan: string };
      closingBalance: { yuan: string };
      income: { yuan: string };
      spending: { yuan: string };
    } | null;
  } | null;
};

export type StatementCheckpointQueryVariables = Exact<{
  slug: string;
  year: number;
  month: number;
  revision?: number | null | undefined;
}>;

export type StatementCheckpointQuery = {
  village: {
    statement: {
      revision: number;
      checkpoint: { number: number; timestamp: string; keyId: string; chainLength: number } | null;
    } | null;
  } | null;
};

export type WorkbenchPageQueryVariables = Exact<{ [key: string]: never }>;

export type WorkbenchPageQuery = {
  workbench: Array<{
    slug: string;
    name: string;
    roleNames: Array<string>;
    openMonth: { year: number; month: number };
    months: Array<{
      year: number;
      month: number;
      revision: number | null;
      status: string;
      state: string;
      stateLabel: string;
      vouchers: number;
      redFlags: number;
      unanswered: number;
      actions: Array<string>;
      waitingFor: Array<string>;
    }>;
  }>;
};

export type UploadLedgerMutationVariables = Exact<{
  v: string;
  y: number;
  m: number;
  f: string;
  c: string;
  dry: boolean;
  repeated: boolean;
  mode: ImportMode;
}>;

export type UploadLedgerMutation = {
  importLedger: {
    status: string;
    filename: string;
    format: string | null;
    encoding: string | null;
    rows: number;
    problems: Array<{ row: number | null; column: string | null; code: string; message: string }>;
    warnings: Array<{ row: number | null; column: string | null; code: string; message: string }>;
    redFlags: Array<{ key: string; title: string }>;
    preview: {
      vouchers: number;
      lines: number;
      existingVouchers: number;
      mode: ImportMode;
      income: { yuan: string };
      spending: { yuan: string };
      openingBalance: { yuan: string };
      closingBalance: { yuan: string };
      openingBasis: { kind: string; description: string };
      byCategory: Array<{ name: string; kind: string; amount: { yuan: string } }>;
    } | null;
  };
};

export type StatementLineFieldsFragment = {
  kind: FlowKind;
  date: string;
  summary: string;
  paymentMethod: PaymentMethod;
  amount: { yuan: string; fen: string };
  counterparty: { name: string; isPerson: boolean } | null;
  account: { code: string; name: string; categoryName: string };
  voucher: { number: number; attachments: Array<{ sha256: string }> };
};

export type MonthLineFieldsFragment = {
  kind: FlowKind;
  date: string;
  summary: string;
  paymentMethod: PaymentMethod;
  amount: { yuan: string };
  counterparty: { name: string } | null;
  account: { name: string; categoryName: string };
  voucher: { number: number; attachments: Array<{ sha256: string }> };
};

export type AttachmentFieldsFragment = {
  sha256: string;
  kind: string;
  pages: number;
  pageUrls: Array<string>;
  url: string;
  width: number;
  height: number;
  thumbnailUrl: string;
  thumbnailWidth: number;
  thumbnailHeight: number;
  voucherNumber: number | null;
};

export type RedFlagFieldsFragment = {
  key: string;
  source: string;
  voucherNumber: number | null;
  detail: string;
  raisedBy: string | null;
  rule: { code: string; title: string };
  amount: { yuan: string } | null;
  answer: { body: string; author: string; answeredAt: string } | null;
};

export type QuestionFieldsFragment = {
  number: string;
  body: string | null;
  askedAt: string;
  dueAt: string;
  status: QuestionStatus;
  answeredLate: boolean;
  about: { year: number; month: number; voucherNumber: number | null } | null;
  answer: {
    body: string;
    answeredAt: string;
    answeredByRole: string;
    roleLabel: string;
    correctionRevision: number | null;
    voucherNumber: number | null;
  } | null;
  hidden: { reason: string; hiddenAt: string } | null;
};

export type RuleSetFieldsFragment = {
  version: string;
  effectiveFrom: string;
  regionSlug: string | null;
  regionName: string | null;
  note: string | null;
  rules: Array<{
    code: string;
    title: string;
    explanation: string;
    thresholds: Array<{ name: string; title: string; unit: string; value: string; display: string; source: string }>;
  }>;
};

export type HomeRegionsQueryVariables = Exact<{ [key: string]: never }>;

export type HomeRegionsQuery = {
  regions: Array<{
    name: string;
    slug: string;
    children: Array<{ name: string; slug: string; children: Array<{ name: string; slug: string }> }>;
  }>;
};

export type FindVillagesQueryVariables = Exact<{
  q: string;
}>;

export type FindVillagesQuery = {
  villages: {
    totalCount: number;
    nodes: Array<{ name: string; slug: string; town: { name: string }; district: { name: string } }>;
  };
};

export type VillagePageQueryVariables = Exact<{
  slug: string;
}>;

export type VillagePageQuery = {
  village: {
    name: string;
    kind: VillageKind;
    code: string;
    questionDueDays: number;
    questionRecord: {
      months: number;
      asked: number;
      answeredOnTime: number;
      answeredLate: number;
      open: number;
      overdue: number;
    };
    town: { name: string; slug: string };
    district: { name: string; slug: string };
    latestStatement: {
      year: number;
      month: number;
      publishedAt: string;
      closingBalance: { yuan: string };
      income: { yuan: string };
      spending: { yuan: string };
      byCategory: Array<{ kind: string; name: string; amount: { yuan: string } }>;
    } | null;
    periods: {
      totalCount: number;
      nodes: Array<{
        year: number;
        month: number;
        revision: number;
        revised: boolean;
        statement: {
          redFlagCount: number;
          income: { yuan: string };
          spending: { yuan: string };
          closingBalance: { yuan: string };
        };
      }>;
    };
  } | null;
};

export type MonthPageQueryVariables = Exact<{
  slug: string;
  year: number;
  month: number;
  revision?: number | null | undefined;
  category?: string | null | undefined;
  minYuan?: string | null | undefined;
  maxYuan?: string | null | undefined;
  search?: string | null | undefined;
  orderBy?: LineOrder | null | undefined;
  after?: string | null | undefined;
  first?: number | null | undefined;
}>;

export type MonthPageQuery = {
  village: {
    name: string;
    questionDueDays: number;
    town: { name: string; slug: string };
    district: { name: string; slug: string };
    statement: {
      revision: number;
      isCurrent: boolean;
      digest: string;
      reconciled: boolean;
      redFlagRules: string | null;
      questions: Array<{
        number: string;
        body: string | null;
        askedAt: string;
        dueAt: string;
        status: QuestionStatus;
        answeredLate: boolean;
        about: { year: number; month: number; voucherNumber: number | null } | null;
        answer: {
          body: string;
          answeredAt: string;
          answeredByRole: string;
          roleLabel: string;
          correctionRevision: number | null;
          voucherNumber: number | null;
        } | null;
        hidden: { reason: string; hiddenAt: string } | null;
      }>;
      approval: { by: string; at: string; note: string } | null;
      redFlags: Array<{
        key: string;
        source: string;
        voucherNumber: number | null;
        detail: string;
        raisedBy: string | null;
        rule: { code: string; title: string };
        amount: { yuan: string } | null;
        answer: { body: string; author: string; answeredAt: string } | null;
      }>;
      attachments: Array<{
        sha256: string;
        kind: string;
        pages: number;
        pageUrls: Array<string>;
        url: string;
        width: number;
        height: number;
        thumbnailUrl: string;
        thumbnailWidth: number;
        thumbnailHeight: number;
        voucherNumber: number | null;
      }>;
      openingBalance: { yuan: string };
      closingBalance: { yuan: string };
      income: { yuan: string };
      spending: { yuan: string };
      byCategory: Array<{ code: string; name: string; kind: string; amount: { yuan: string } }>;
      previousMonth: { income: { yuan: string }; spending: { yuan: string } } | null;
      yearToDate: { income: { yuan: string }; spending: { yuan: string } };
      revisions: Array<{ revision: number; reason: string | null; publishedAt: string; isCurrent: boolean }>;
      changes: Array<{
        voucherNumber: number;
        kind: string;
        summaryBefore: string | null;
        summaryAfter: string | null;
        amountBefore: { yuan: string } | null;
        amountAfter: { yuan: string } | null;
      }>;
      lines: {
        totalCount: number;
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
        edges: Array<{
          node: {
            kind: FlowKind;
            date: string;
            summary: string;
            paymentMethod: PaymentMethod;
            amount: { yuan: string };
            counterparty: { name: string } | null;
            account: { name: string; categoryName: string };
            voucher: { number: number; attachments: Array<{ sha256: string }> };
          };
        }>;
      };
    } | null;
  } | null;
};

export type VoucherPageQueryVariables = Exact<{
  slug: string;
  year: number;
  month: number;
  number: number;
  revision?: number | null | undefined;
}>;

export type VoucherPageQuery = {
  village: {
    name: string;
    questionDueDays: number;
    voucher: {
      number: number;
      date: string;
      summary: string;
      attachmentsCount: number;
      revision: number;
      questions: Array<{
        number: string;
        body: string | null;
        askedAt: string;
        dueAt: string;
        status: QuestionStatus;
        answeredLate: boolean;
        about: { year: number; month: number; voucherNumber: number | null } | null;
        answer: {
          body: string;
          answeredAt: string;
          answeredByRole: string;
          roleLabel: string;
          correctionRevision: number | null;
          voucherNumber: number | null;
        } | null;
        hidden: { reason: string; hiddenAt: string } | null;
      }>;
      attachments: Array<{
        sha256: string;
        kind: string;
        pages: number;
        pageUrls: Array<string>;
        url: string;
        width: number;
        height: number;
        thumbnailUrl: string;
        thumbnailWidth: number;
        thumbnailHeight: number;
        voucherNumber: number | null;
      }>;
      total: { yuan: string };
      approvals: Array<{ role: string; name: string }>;
      lines: Array<{
        lineNo: number;
        side: LineSide;
        summary: string | null;
        paymentMethod: PaymentMethod;
        amount: { yuan: string };
        account: { code: string; name: string; categoryName: string };
        counterparty: { name: string; isPerson: boolean } | null;
      }>;
      statement: {
        isCurrent: boolean;
        revisions: Array<{ revision: number; reason: string | null; isCurrent: boolean }>;
      };
      redFlags: Array<{
        key: string;
        source: string;
        voucherNumber: number | null;
        detail: string;
        raisedBy: string | null;
        rule: { code: string; title: string };
        amount: { yuan: string } | null;
        answer: { body: string; author: string; answeredAt: string } | null;
      }>;
    } | null;
  } | null;
};

export type WholeMonthQueryVariables = Exact<{
  slug: string;
  year: number;
  month: number;
  revision?: number | null | undefined;
  after?: string | null | undefined;
}>;

export type WholeMonthQuery = {
  village: {
    name: string;
    code: string;
    statement: {
      revision: number;
      isCurrent: boolean;
      digest: string;
      reason: string | null;
      redFlagRules: string | null;
      approval: { by: string; at: string; note: string } | null;
      redFlags: Array<{
        key: string;
        source: string;
        voucherNumber: number | null;
        detail: string;
        raisedBy: string | null;
        rule: { code: string; title: string };
        amount: { yuan: string } | null;
        answer: { body: string; author: string; answeredAt: string } | null;
      }>;
      attachments: Array<{ sha256: string; kind: string }>;
      openingBalance: { yuan: string; fen: string };
      closingBalance: { yuan: string; fen: string };
      income: { yuan: string; fen: string };
      spending: { yuan: string; fen: string };
      byCategory: Array<{ name: string; kind: string; amount: { yuan: string; fen: string } }>;
      lines: {
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
        nodes: Array<{
          kind: FlowKind;
          date: string;
          summary: string;
          paymentMethod: PaymentMethod;
          amount: { yuan: string; fen: string };
          counterparty: { name: string; isPerson: boolean } | null;
          account: { code: string; name: string; categoryName: string };
          voucher: { number: number; attachments: Array<{ sha256: string }> };
        }>;
      };
    } | null;
  } | null;
};

export type VerifyChainQueryVariables = Exact<{
  slug: string;
}>;

export type VerifyChainQuery = {
  village: { name: string } | null;
  verifyChain: {
    ok: boolean;
    checked: number;
    lastDigest: string | null;
    breaks: Array<{ year: number; month: number; revision: number; problem: string }>;
  };
};

export type RulesPageQueryVariables = Exact<{
  slug: string;
}>;

export type RulesPageQuery = {
  village: { name: string; slug: string } | null;
  redFlagRules: {
    current: {
      version: string;
      effectiveFrom: string;
      regionSlug: string | null;
      regionName: string | null;
      note: string | null;
      rules: Array<{
        code: string;
        title: string;
        explanation: string;
        thresholds: Array<{
          name: string;
          title: string;
          unit: string;
          value: string;
          display: string;
          source: string;
        }>;
      }>;
    };
    history: Array<{
      version: string;
      effectiveFrom: string;
      regionSlug: string | null;
      regionName: string | null;
      note: string | null;
      rules: Array<{
        code: string;
        title: string;
        explanation: string;
        thresholds: Array<{
          name: string;
          title: string;
          unit: string;
          value: string;
          display: string;
          source: string;
        }>;
      }>;
    }>;
  } | null;
  regions: Array<{
    name: string;
    slug: string;
    children: Array<{ name: string; slug: string; children: Array<{ name: string; slug: string }> }>;
  }>;
};

export type CommitteeMonthPageQueryVariables = Exact<{
  v: string;
  y: number;
  m: number;
  after?: string | null | undefined;
}>;

export type CommitteeMonthPageQuery = {
  village: { name: string } | null;
  me: { roles: Array<{ role: string; villageSlug: string | null }> } | null;
  committeeMonth: {
    status: string;
    revision: number;
    reason: string | null;
    voucherCount: number;
    lineCount: number;
    publishable: boolean;
    blockers: Array<string>;
    comments: Array<{ author: string; body: string; createdAt: string }>;
    flags: Array<{ voucherNumber: number; author: string; reason: string; createdAt: string }>;
    approval: { by: string; at: string; note: string } | null;
    attachments: Array<{
      id: number;
      voucherNumber: number | null;
      kind: string;
      sha256: string;
      width: number;
      height: number;
      confirmed: boolean;
      confirmedBy: string | null;
      previewThumbnailUrl: string | null;
      thumbnailUrl: string;
      redactions: Array<{ page: number; x: number; y: number; w: number; h: number }>;
    }>;
    reviews: Array<{
      decision: string;
      note: string;
      reviewer: string;
      createdAt: string;
      revision: number;
      current: boolean;
    }>;
    redFlags: Array<{
      key: string;
      source: string;
      voucherNumber: number | null;
      detail: string;
      raisedBy: string | null;
      rule: { code: string; title: string };
      amount: { yuan: string } | null;
      answer: { body: string; author: string; answeredAt: string } | null;
    }>;
    statement: {
      revision: number;
      reconciled: boolean;
      openingBalance: { yuan: string };
      closingBalance: { yuan: string };
      income: { yuan: string };
      spending: { yuan: string };
      byCategory: Array<{ code: string; name: string; kind: string; amount: { yuan: string } }>;
      changes: Array<{
        voucherNumber: number;
        kind: string;
        summaryBefore: string | null;
        summaryAfter: string | null;
        amountBefore: { yuan: string } | null;
        amountAfter: { yuan: string } | null;
      }>;
    } | null;
    vouchers: {
      totalCount: number;
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
      nodes: Array<{
        number: number;
        date: string;
        summary: string;
        attachmentsCount: number;
        total: { yuan: string };
        approvals: Array<{ role: string; name: string }>;
        lines: Array<{
          lineNo: number;
          side: LineSide;
          summary: string | null;
          paymentMethod: PaymentMethod;
          amount: { yuan: string };
          account: { code: string; name: string };
          counterparty: { name: string } | null;
        }>;
      }>;
    };
  } | null;
};

export type TownReviewPageQueryVariables = Exact<{
  slug: string;
}>;

export type TownReviewPageQuery = {
  townReview: {
    region: { name: string; slug: string };
    overdueQuestions: Array<{
      village: { name: string; slug: string };
      question: {
        number: string;
        body: string | null;
        askedAt: string;
        dueAt: string;
        status: QuestionStatus;
        answeredLate: boolean;
        about: { year: number; month: number; voucherNumber: number | null } | null;
        answer: {
          body: string;
          answeredAt: string;
          answeredByRole: string;
          roleLabel: string;
          correctionRevision: number | null;
          voucherNumber: number | null;
        } | null;
        hidden: { reason: string; hiddenAt: string } | null;
      };
    }>;
    months: Array<{
      year: number;
      month: number;
      state: string;
      submittedAt: string | null;
      reviewedAt: string | null;
      redFlagCount: number;
      village: { name: string; slug: string };
    }>;
  } | null;
};

export type QuestionsPageQueryVariables = Exact<{
  slug: string;
  status?: QuestionStatus | null | undefined;
  after?: string | null | undefined;
  first?: number | null | undefined;
}>;

export type QuestionsPageQuery = {
  village: {
    name: string;
    slug: string;
    questionDueDays: number;
    town: { name: string; slug: string };
    questionRecord: {
      months: number;
      asked: number;
      answeredOnTime: number;
      answeredLate: number;
      open: number;
      overdue: number;
    };
    questions: {
      totalCount: number;
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
      nodes: Array<{
        number: string;
        body: string | null;
        askedAt: string;
        dueAt: string;
        status: QuestionStatus;
        answeredLate: boolean;
        about: { year: number; month: number; voucherNumber: number | null } | null;
        answer: {
          body: string;
          answeredAt: string;
          answeredByRole: string;
          roleLabel: string;
          correctionRevision: number | null;
          voucherNumber: number | null;
        } | null;
        hidden: { reason: string; hiddenAt: string } | null;
      }>;
    };
  } | null;
};

export type QuestionPageQueryVariables = Exact<{
  slug: string;
  number: string;
}>;

export type QuestionPageQuery = {
  village: {
    name: string;
    slug: string;
    town: { name: string; slug: string };
    question: {
      number: string;
      body: string | null;
      askedAt: string;
      dueAt: string;
      status: QuestionStatus;
      answeredLate: boolean;
      about: { year: number; month: number; voucherNumber: number | null } | null;
      answer: {
        body: string;
        answeredAt: string;
        answeredByRole: string;
        roleLabel: string;
        correctionRevision: number | null;
        voucherNumber: number | null;
      } | null;
      hidden: { reason: string; hiddenAt: string } | null;
    } | null;
  } | null;
};

export type AskPageQueryVariables = Exact<{
  slug: string;
}>;

export type AskPageQuery = { village: { name: string; slug: string; questionDueDays: number } | null };

export type AskQuestionMutationVariables = Exact<{
  input: AskQuestionInput;
}>;

export type AskQuestionMutation = { askQuestion: { number: string; dueAt: string; url: string; duplicate: boolean } };

export type VillageFeedQueryVariables = Exact<{
  slug: string;
}>;

export type VillageFeedQuery = {
  village: {
    name: string;
    slug: string;
    town: { name: string };
    periods: {
      nodes: Array<{
        year: number;
        month: number;
        statement: {
          revisions: Array<{ revision: number; reason: string | null; publishedAt: string; digest: string }>;
        };
      }>;
    };
    questions: {
      nodes: Array<{
        number: string;
        body: string | null;
        askedAt: string;
        dueAt: string;
        status: QuestionStatus;
        answeredLate: boolean;
        about: { year: number; month: number; voucherNumber: number | null } | null;
        answer: {
          body: string;
          answeredAt: string;
          answeredByRole: string;
          roleLabel: string;
          correctionRevision: number | null;
          voucherNumber: number | null;
        } | null;
        hidden: { reason: string; hiddenAt: string } | null;
      }>;
    };
  } | null;
};

export type RegionFeedQueryVariables = Exact<{
  slug: string;
}>;

export type RegionFeedQuery = {
  region: {
    name: string;
    slug: string;
    villages: {
      nodes: Array<{
        name: string;
        slug: string;
        questions: {
          nodes: Array<{
            number: string;
            body: string | null;
            askedAt: string;
            dueAt: string;
            status: QuestionStatus;
            answeredLate: boolean;
            about: { year: number; month: number; voucherNumber: number | null } | null;
            answer: {
              body: string;
              answeredAt: string;
              answeredByRole: string;
              roleLabel: string;
              correctionRevision: number | null;
              voucherNumber: number | null;
            } | null;
            hidden: { reason: string; hiddenAt: string } | null;
          }>;
        };
      }>;
    };
  } | null;
  statements: {
    nodes: Array<{
      year: number;
      month: number;
      revision: number;
      reason: string | null;
      publishedAt: string;
      digest: string;
      village: { name: string; slug: string };
    }>;
  };
};

export type CommitteeQuestionsPageQueryVariables = Exact<{
  v: string;
  status?: QuestionStatus | null | undefined;
}>;

export type CommitteeQuestionsPageQuery = {
  village: { name: string; slug: string } | null;
  me: { roles: Array<{ role: string; villageSlug: string | null }> } | null;
  committeeQuestions: Array<{
    bodyAsked: string;
    contactMasked: string | null;
    hiddenText: string | null;
    question: {
      number: string;
      body: string | null;
      askedAt: string;
      dueAt: string;
      status: QuestionStatus;
      answeredLate: boolean;
      about: { year: number; month: number; voucherNumber: number | null } | null;
      answer: {
        body: string;
        answeredAt: string;
        answeredByRole: string;
        roleLabel: string;
        correctionRevision: number | null;
        voucherNumber: number | null;
      } | null;
      hidden: { reason: string; hiddenAt: string } | null;
    };
  }>;
};

export type CommitteeAttachmentsPageQueryVariables = Exact<{
  v: string;
  y: number;
  m: number;
}>;

export type CommitteeAttachmentsPageQuery = {
  village: { name: string } | null;
  me: { username: string; roles: Array<{ role: string; villageSlug: string | null }> } | null;
  committeeMonth: {
    status: string;
    revision: number;
    publishable: boolean;
    blockers: Array<string>;
    attachments: Array<{
      id: number;
      kind: string;
      filename: string;
      voucherNumber: number | null;
      sha256: string;
      mediaType: string;
      width: number;
      height: number;
      url: string;
      thumbnailUrl: string;
      thumbnailWidth: number;
      thumbnailHeight: number;
      pages: number;
      previewUrl: string | null;
      previewThumbnailUrl: string | null;
      previewPageUrls: Array<string> | null;
      pageUrls: Array<string>;
      uploadedBy: string;
      uploadedAt: string;
      confirmed: boolean;
      confirmedBy: string | null;
      confirmedAt: string | null;
      redactions: Array<{ page: number; x: number; y: number; w: number; h: number }>;
    }>;
    vouchers: { totalCount: number; nodes: Array<{ number: number; summary: string; total: { yuan: string } }> };
  } | null;
};
