/**
 * A rule of the ledger was broken by the caller's input. `code` is stable for programs, `message` is plain Chinese
 * for people. Programmer mistakes are plain Errors, never LedgerErrors.
 */
export class LedgerError extends Error {
  constructor(
    readonly code: LedgerErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'LedgerError';
  }
}

export type LedgerErrorCode =
  | 'VOUCHER_UNBALANCED'
  | 'VOUCHER_TOO_FEW_LINES'
  | 'AMOUNT_NOT_POSITIVE'
  | 'ACCOUNT_UNKNOWN'
  | 'ACCOUNT_NAME_REQUIRED'
  | 'DATE_OUTSIDE_PERIOD'
  | 'DUPLICATE_VOUCHER_NUMBER'
  | 'SUMMARY_MISSING'
  | 'PERIOD_NOT_OPEN'
  | 'PERIOD_NOT_SUBMITTED'
  | 'UPLOADER_CANNOT_PUBLISH'
  | 'PERIOD_ALREADY_OPEN'
  | 'PERIOD_OUT_OF_ORDER'
  | 'REASON_REQUIRED'
  | 'OPENING_BALANCES_UNBALANCED'
  | 'OPENING_BALANCES_MISSING'
  | 'VOUCHER_NOT_FOUND'
  | 'MONTH_NOT_ENDED'
  | 'RULES_INVALID'
  | 'REVIEW_REQUIRED'
  | 'FLAG_NOT_FOUND'
  | 'ANSWER_INVALID'
  // Villagers' questions (questions.ts).
  | 'QUESTION_INVALID'
  | 'QUESTION_RATE_LIMITED'
  | 'QUESTION_NOT_FOUND'
  | 'QUESTION_ANSWERED'
  // Attachments (db/src/files/image.ts, ledger/attachments.ts).
  | 'FILE_TOO_LARGE'
  | 'FILE_TYPE_UNSUPPORTED'
  | 'FILE_TYPE_MISMATCH'
  | 'FILE_POLYGLOT'
  | 'FILE_UNREADABLE'
  | 'IMAGE_TOO_MANY_PIXELS'
  | 'REDACTION_INVALID'
  | 'ATTACHMENT_NOT_FOUND'
  | 'PDF_ENCRYPTED'
  | 'PDF_TOO_MANY_PAGES';
