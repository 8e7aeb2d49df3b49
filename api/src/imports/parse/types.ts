/** The four ledger layouts the importer reads; see README.md in this folder. */
export type ImportFormat = 'mingbai' | 'yonyou-u8' | 'kingdee-kis' | 'cashbook';

export type DetectedEncoding = 'utf-8' | 'utf-8-bom' | 'gb18030' | 'xlsx';

/** What the parser reports, from the file alone. */
export type ParseErrorCode =
  | 'ENCODING_UNDECODABLE'
  | 'FILE_TOO_LARGE'
  /** Too many distinct texts in an xlsx, or more memory needed to read the file than an import may use. */
  | 'FILE_TOO_COMPLEX'
  | 'FILE_EMPTY'
  | 'LAYOUT_UNKNOWN'
  | 'COLUMN_MISSING'
  | 'DATE_INVALID'
  | 'DATE_OUTSIDE_MONTH'
  | 'MONTH_AMBIGUOUS'
  | 'AMOUNT_INVALID'
  | 'AMOUNT_NOT_POSITIVE'
  | 'AMOUNT_TOO_LARGE'
  | 'AMOUNT_BOTH_SIDES'
  | 'SUMMARY_MISSING'
  | 'ACCOUNT_INVALID'
  | 'VOUCHER_NUMBER_INVALID'
  | 'VOUCHER_DUPLICATE'
  | 'VOUCHER_UNBALANCED'
  | 'VOUCHER_TOO_FEW_LINES'
  | 'XLSX_INVALID'
  | 'COLUMN_DUPLICATE'
  | 'TEXT_TOO_LONG';

/**
 * Every code of an import: the parser's, and those the caller adds after looking at the database (an account not in
 * the chart, a month already submitted or published). The parser itself never reports the latter.
 */
export type ImportErrorCode =
  | ParseErrorCode
  | 'ACCOUNT_UNKNOWN'
  | 'MONTH_SUBMITTED'
  | 'MONTH_PUBLISHED'
  /** A warning, one per voucher: its every line appears twice or more. */
  | 'VOUCHER_LINES_REPEATED'
  /** A warning, one per voucher: identical but for its number to an earlier one, in a file that looks pasted twice. */
  | 'VOUCHER_REPEATED'
  /** Such vouchers, and the uploader did not confirm they are meant so. */
  | 'REPEATED_LINES_UNCONFIRMED'
  /** The last entry when more problems were found than are listed; its message says how many. */
  | 'TOO_MANY_PROBLEMS';

export interface ImportProblem {
  /** 1-based row as a person sees it in Excel (header = row 1 when there is no title row); null for the whole file. */
  row: number | null;
  /** The header text as written in the file (or the expected name of a missing column); null when no column applies. */
  column: string | null;
  code: ImportErrorCode;
  /** Plain Simplified Chinese for a village accountant. */
  message: string;
}

export interface ParseOptions {
  /** The month the user says the file is for; when absent it is inferred from the dates (all in one month). */
  year?: number;
  month?: number;
  /** Default 20 MiB. */
  maxBytes?: number;
}
