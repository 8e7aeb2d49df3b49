/**
 * The SQL behind the bulk files. One SELECT per table serves both engines: PostgreSQL runs it under
 * `COPY … TO STDOUT` (the server formats the CSV, the API only pipes bytes), PGlite pages through it and the API
 * formats the same bytes in JS (see csv.ts). Only integers are ever spliced into the text: COPY takes no parameters.
 */
import { incomeFenSql, isCashAccountSql, lineFlowSql, spendingFenSql } from '@mingbai/db/ledger/flows';

/** Bumped whenever the bytes of a file would change for the same data, so old files and fragments are never served. */
export const FILE_FORMAT = 'mingbai-opendata-v3';

/** Table Schema field of a published file; `sql` reads it from the joined tables of the base query. */
export interface FieldDef {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date' | 'datetime';
  title: string;
  description: string;
  sql: string;
  /** How the value is written in JSON Lines when it differs from `type` (bigint money stays a string). */
  jsonType?: 'string';
  enum?: readonly string[];
  /**
   * Read once per village month (from `sel`, `p`, `vi`, `t`, `d`) rather than per line: the lines query computes it,
   * formula-neutralised for CSV, before it meets the lines.
   */
  perPeriod?: true;
  /**
   * A string no CHECK constraint lets start with = + - @ tab or CR (codes, enums, hex): written as is, since
   * neutralising it could never change a byte.
   */
  safe?: true;
  /** The CSV cell when it differs from `sql` yet prints the same bytes more cheaply. */
  csvSql?: string;
}

/** One village's revision in a file; the (village, revision, digest) set names the file's content. */
export interface SelectedPeriod {
  villageId: number;
  revision: number;
  digest: string;
  lineCount: number;
  /** The village's 12-digit code: every line starts with it, which is how a batch's lines are cut into fragments. */
  code: string;
}

export interface Selection {
  year: number;
  month: number;
  /** Ordered by village code, as the files are. */
  periods: SelectedPeriod[];
}

const text = (name: string, title: string, description: string, sql: string): FieldDef => ({
  name,
  type: 'string',
  title,
  description,
  sql,
});
const int = (name: string, title: string, description: string, sql: string): FieldDef => ({
  name,
  type: 'integer',
  title,
  description,
  sql: `(${sql})::int`,
});
const period = (f: FieldDef): FieldDef => ({ ...f, perPeriod: true });
const safe = (f: FieldDef): FieldDef => ({ ...f, safe: true });

/**
 * The flow kind as statement lines classify it (db/src/ledger/publish.ts), over the voucher's lines in window `w`:
 * that window is ordered as the file is, so it costs no sort of its own.
 */
const KIND_SQL = lineFlowSql({
  accountClass: 'a.class',
  side: 'l.side',
  accountCode: 'l.account_code',
  voucherWindow: 'w',
});

export const LINE_FIELDS: readonly FieldDef[] = [
  period(
    safe(text('village_code', '村统计用区划代码', '12-digit statistical division code of the village', 'vi.code')),
  ),
  period(safe(text('village_slug', '村网址名', 'URL name of the village on the portal', 'vi.slug'))),
  period(text('village_name', '村名', 'Village or community name', 'vi.name')),
  period(text('district', '区', 'District (区)', 'd.name')),
  period(text('town', '镇/街道', 'Town or sub-district (镇/街道)', 't.name')),
  period(int('year', '年', 'Year of the ledger month', 'p.year')),
  period(int('month', '月', 'Month, 1–12', 'p.month')),
  period(int('revision', '版本', 'Published revision of the month (1 = first publication)', 'p.revision')),
  int('voucher_number', '凭证号', 'Voucher number within the month', 'v.number'),
  { ...text('voucher_date', '凭证日期', 'Voucher date', 'v.date::text'), type: 'date' },
  int('line_no', '分录号', 'Line number within the voucher', 'l.line_no'),
  {
    ...safe(text('account_standard', '会计制度', '2004 = 财会〔2004〕12号, 2023 = 财会〔2023〕14号', 'l.standard')),
    enum: ['2004', '2023'],
  },
  safe(text('account_code', '科目编码', 'Account code; read together with account_standard', 'l.account_code')),
  text(
    'account_name',
    '科目名称',
    'Account name (the village sub-account name when it has one)',
    'coalesce(va.name, a.name)',
  ),
  {
    ...safe(text('account_class', '科目类别', 'Class of the first-level account', 'a.class')),
    enum: ['asset', 'liability', 'equity', 'cost', 'income', 'expense'],
  },
  {
    ...safe(
      text(
        'kind',
        '收支',
        'income 收入 · spending 支出 · other_receipt 其他收款 · other_payment 其他付款; empty for the other side of a voucher',
        KIND_SQL,
      ),
    ),
    enum: ['income', 'spending', 'other_receipt', 'other_payment'],
  },
  { ...safe(text('side', '借贷', 'debit 借 or credit 贷', 'l.side')), enum: ['debit', 'credit'] },
  {
    ...text('amount_fen', '金额（分）', 'Amount in fen (1/100 yuan), exact integer', 'l.amount_fen::text'),
    type: 'integer',
    jsonType: 'string',
    csvSql: 'l.amount_fen',
  },
  {
    // numeric × 0.01 has exactly two decimal places: 12345 → 123.45, 100 → 1.00 (amounts are positive).
    ...text(
      'amount_yuan',
      '金额（元）',
      'Amount in yuan, exact decimal with two places',
      '(l.amount_fen * 0.01)::text',
    ),
    type: 'number',
    jsonType: 'string',
    csvSql: 'l.amount_fen * 0.01',
  },
  text('counterparty', '收付款人', 'Counterparty; a natural person only masked (张*静)', 'l.counterparty_public'),
  {
    ...text('counterparty_is_person', '是否个人', 'The counterparty is a natural person', 'l.counterparty_is_person'),
    type: 'boolean',
    csvSql: `case when l.counterparty_is_person then 'true' else 'false' end`,
  },
  {
    ...safe(
      text(
        'payment_method',
        '结算方式',
        'cash 现金 · bank 银行 · transfer 转账; empty when not given',
        'l.payment_method',
      ),
    ),
    enum: ['cash', 'bank', 'transfer'],
  },
  text('summary', '摘要', 'Voucher memo with personal data masked', 'v.summary_public'),
  text(
    'line_summary',
    '分录摘要',
    'Line memo with personal data masked, when the line has its own',
    'l.summary_public',
  ),
  int('attachments', '附件数', 'Number of attached receipts', 'v.attachments'),
  period(
    text(
      'digest',
      '版本摘要',
      'SHA-256 digest of the published revision (see statements.csv for the chain)',
      'p.digest',
    ),
  ),
];

export const LINE_PRIMARY_KEY = ['village_code', 'year', 'month', 'revision', 'voucher_number', 'line_no'];

export const STATEMENT_FIELDS: readonly FieldDef[] = [
  text('village_code', '村统计用区划代码', '12-digit statistical division code of the village', 'vi.code'),
  text('village_slug', '村网址名', 'URL name of the village on the portal', 'vi.slug'),
  text('village_name', '村名', 'Village or community name', 'vi.name'),
  text('district', '区', 'District (区)', 'd.name'),
  text('town', '镇/街道', 'Town or sub-district (镇/街道)', 't.name'),
  int('year', '年', 'Year', 'p.year'),
  int('month', '月', 'Month, 1–12', 'p.month'),
  int('revision', '版本', 'Published revision (1 = first publication)', 'p.revision'),
  text('reason', '更正原因', 'Why this revision corrects the one before (empty for revision 1)', 'p.reason'),
  {
    ...text(
      'published_at',
      '公开时间',
      'When the revision was published, UTC',
      `to_char(p.published_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`,
    ),
    type: 'datetime',
  },
  { ...text('account_standard', '会计制度', 'Chart of accounts of the month', 'p.standard'), enum: ['2004', '2023'] },
  text(
    'digest',
    '版本摘要',
    'SHA-256 over the canonical text of the revision named by digest_format (docs/DIGEST.md)',
    'p.digest',
  ),
  text(
    'previous_digest',
    '上一摘要',
    "Digest of the village's previous publication; empty for the first",
    'p.previous_digest',
  ),
  safe(
    text(
      'digest_format',
      '摘要格式',
      'The canonical text the digest covers: mingbai-period-v1, -v2 (with the review) or -v3 (with the correction reason and attachments); see docs/DIGEST.md',
      `coalesce(p.digest_format, case when p.approved_by is null then 'mingbai-period-v1' else 'mingbai-period-v2' end)`,
    ),
  ),
  int('chain_seq', '链序号', "Position in the village's digest chain, in publishing order", 'p.chain_seq'),
  int('voucher_count', '凭证数', 'Vouchers in the revision', 'p.voucher_count'),
  int('line_count', '分录数', 'Voucher lines in the revision', 'p.line_count'),
  {
    ...text(
      'approved_at',
      '审核通过时间',
      'When a supervisor approved the content published, UTC, to the millisecond (as the digest has it); empty for months published before reviews',
      `to_char(p.approved_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`,
    ),
    type: 'datetime',
  },
  text('approval_note', '审核意见', "The supervisor's note with the approval; empty when none", 'p.approval_note'),
  text(
    'red_flag_rules',
    '红旗规则版本',
    'The red-flag rule version the month was judged by at publication (builtin-1, jingwu-v2)',
    'p.red_flag_rules',
  ),
  int(
    'red_flag_count',
    '红旗数',
    "Red flags of the revision, rules' and supervisors', each with the committee's answer (see flags.csv)",
    `(select count(*) from red_flags rf where rf.village_id = p.village_id and rf.year = p.year
        and rf.month = p.month and rf.revision = p.revision)
     + (select count(*) from voucher_flags vf where vf.village_id = p.village_id and vf.year = p.year
        and vf.month = p.month and vf.revision = p.revision)`,
  ),
  ...(
    [
      ['opening_balance_fen', '期初余额（分）', 'Opening balance, cash + bank, fen', 's.opening_fen'],
      ['closing_balance_fen', '期末余额（分）', 'Closing balance, cash + bank, fen', 's.closing_fen'],
      ['income_fen', '收入（分）', 'Income: credits of income accounts, fen', 's.income_fen'],
      ['spending_fen', '支出（分）', 'Spending: debits of expense accounts, fen', 's.spending_fen'],
    ] as const
  ).map(([name, title, description, expr]) => ({
    ...text(name, title, description, `${expr}::text`),
    type: 'integer' as const,
    jsonType: 'string' as const,
  })),
];

export const STATEMENT_PRIMARY_KEY = ['village_code', 'year', 'month', 'revision'];

function checkInt(n: number): number {
  if (!Number.isSafeInteger(n)) throw new TypeError(`not an integer: ${n}`);
  return n;
}

function selectionValues(periods: readonly SelectedPeriod[]): string {
  return periods.map((p) => `(${checkInt(p.villageId)}, ${checkInt(p.revision)})`).join(', ');
}

/** A text cell as a spreadsheet should read it: = + - @ (and tab, CR) at the start cannot start a formula. */
const neutralised = (column: string) =>
  `case when left(${column}, 1) in ('=', '+', '-', '@', E'\\t', E'\\r') then '''' || ${column} else ${column} end`;

function csvProjection(fields: readonly FieldDef[]): string {
  return fields
    .map((f) => {
      if (f.type === 'string') return `${neutralised(`b.${f.name}`)} as ${f.name}`;
      if (f.type === 'boolean') return `b.${f.name}::text as ${f.name}`;
      return `b.${f.name}`;
    })
    .join(', ');
}

export type LineFormat = 'csv' | 'jsonl';

/** A line file's cell: CSV cells are neutralised and printable as COPY writes them, JSON values stay raw. */
function lineCell(f: FieldDef, format: LineFormat): string {
  if (format === 'jsonl') return f.sql;
  const expr = f.csvSql ?? f.sql;
  if (f.type === 'string' && !f.safe) return neutralised(expr);
  if (f.type === 'boolean' && !f.csvSql) return `${expr}::text`;
  return expr;
}

/**
 * Every line of the selected revisions, in (village code, voucher number, line) order. The selection is already in
 * village-code order, so the query walks it by its position `ord`: each village month comes off the indexes
 * (vouchers by number, lines by voucher) and only its own few hundred lines are sorted, never the whole file, and the
 * flow kind's window rides on that same order. `page` limits it to the vouchers after a number, for PGlite's paging
 * within one big village month.
 */
export function linesQuery(
  selection: Selection,
  format: LineFormat,
  page?: { afterNumber: number; vouchers: number },
): string {
  const y = checkInt(selection.year);
  const m = checkInt(selection.month);
  const values = selection.periods
    .map((p, i) => `(${i + 1}, ${checkInt(p.villageId)}, ${checkInt(p.revision)})`)
    .join(', ');
  const perPeriod = LINE_FIELDS.filter((f) => f.perPeriod);
  const vouchers = page
    ? `cross join lateral (
        select v.* from vouchers v
         where v.village_id = vh._village_id and v.year = ${y} and v.month = ${m} and v.revision = vh._revision
           and v.number > ${checkInt(page.afterNumber)}
         order by v.number limit ${checkInt(page.vouchers)}) v`
    : `join vouchers v on v.village_id = vh._village_id and v.year = ${y} and v.month = ${m}
                     and v.revision = vh._revision`;
  const base = `with sel(ord, village_id, revision) as (values ${values})
    select ${LINE_FIELDS.map((f) => `${f.perPeriod ? `vh.${f.name}` : lineCell(f, format)} as ${f.name}`).join(',\n      ')},
           vh.ord as _ord, v.number as _number, l.line_no as _line
      from (select sel.ord, sel.village_id as _village_id, sel.revision as _revision,
                   ${perPeriod.map((f) => `${lineCell(f, format)} as ${f.name}`).join(',\n                   ')}
              from sel
              join periods p on p.village_id = sel.village_id and p.year = ${y} and p.month = ${m}
                            and p.revision = sel.revision and p.status = 'published'
              join villages vi on vi.id = sel.village_id
              join regions t on t.id = vi.town_id
              left join regions d on d.id = t.parent_id
             order by sel.ord) vh
      ${vouchers}
      join voucher_lines l on l.village_id = v.village_id and l.voucher_id = v.id
      join accounts a on a.standard = l.standard and a.code = left(l.account_code, 3)
      left join village_accounts va on va.village_id = l.village_id and va.standard = l.standard
                                   and va.code = l.account_code
    window w as (partition by vh.ord, v.number order by l.line_no
                 rows between unbounded preceding and unbounded following)`;
  const names = LINE_FIELDS.map((f) => `b.${f.name}`).join(', ');
  // A row value's column names become the JSON keys, in field order, without the spaces json_build_object adds.
  const projection = format === 'csv' ? names : `(select row_to_json(j) from (select ${names}) j)::text`;
  const pageKey = page ? ', b._number as _page_key' : '';
  return `select ${projection}${pageKey} from (${base}) b order by b._ord, b._number, b._line`;
}

const CASH = isCashAccountSql('r.account_code');
const INCOME_FEN = incomeFenSql({ accountClass: 'a.class', accountCode: 'r.account_code', creditFen: 'r.credit_fen' });
const SPENDING_FEN = spendingFenSql({
  accountClass: 'a.class',
  accountCode: 'r.account_code',
  debitFen: 'r.debit_fen',
});

/** One row per selected revision: the digest chain and the statement's totals from its rollups. */
export function statementsQuery(selection: Selection): string {
  const y = checkInt(selection.year);
  const m = checkInt(selection.month);
  const base = `with sel(village_id, revision) as (values ${selectionValues(selection.periods)})
    select ${STATEMENT_FIELDS.map((f) => `${f.sql} as ${f.name}`).join(',\n      ')}
      from sel
      join periods p on p.village_id = sel.village_id and p.year = ${y} and p.month = ${m}
                    and p.revision = sel.revision and p.status = 'published'
      join villages vi on vi.id = p.village_id
      join regions t on t.id = vi.town_id
      left join regions d on d.id = t.parent_id
      cross join lateral (
        select coalesce(sum(r.opening_fen) filter (where ${CASH}), 0) as opening_fen,
               coalesce(sum(r.closing_fen) filter (where ${CASH}), 0) as closing_fen,
               coalesce(sum(${INCOME_FEN}), 0) as income_fen,
               coalesce(sum(${SPENDING_FEN}), 0) as spending_fen
          from statement_rollups r
          join accounts a on a.standard = r.standard and a.code = left(r.account_code, 3)
         where r.village_id = p.village_id and r.year = p.year and r.month = p.month and r.revision = p.revision
      ) s`;
  return `select ${csvProjection(STATEMENT_FIELDS)} from (${base}) b order by b.village_code`;
}

/**
 * flags.csv: one row per red flag of the selected revisions, the rules' (frozen at publication) and the supervisors',
 * with the committee's answer. Names are masked as everywhere in public (`maskName`), so the file is written in JS
 * (sources.ts `flagRows`) from `flagsQuery`'s raw rows; `sql` here names the raw column each field is made from.
 */
export const FLAG_FIELDS: readonly FieldDef[] = [
  text('village_code', '村统计用区划代码', '12-digit statistical division code of the village', 'village_code'),
  text('village_slug', '村网址名', 'URL name of the village on the portal', 'village_slug'),
  text('village_name', '村名', 'Village or community name', 'village_name'),
  int('year', '年', 'Year', 'year'),
  int('month', '月', 'Month, 1–12', 'month'),
  int('revision', '版本', 'Published revision (1 = first publication)', 'revision'),
  text('flag_key', '红旗标识', 'CASH_OVER_LIMIT:12 (rule and voucher), LATE_PUBLICATION:month, supervisor:7', 'key'),
  {
    ...text('source', '来源', 'RULE: found by a published rule · SUPERVISOR: raised by a supervisor', 'source'),
    enum: ['RULE', 'SUPERVISOR'],
  },
  text('rule_code', '规则', 'Rule code (see /rules on the portal); SUPERVISOR for a supervisor’s flag', 'rule_code'),
  text('rule_title', '规则名称', 'The rule’s plain-Chinese title', 'rule_code'),
  int('voucher_number', '凭证号', 'The voucher flagged; empty when the flag is on the whole month', 'voucher_number'),
  {
    ...text('amount_fen', '金额（分）', 'The amount the rule found, fen; empty for a supervisor’s flag', 'amount_fen'),
    type: 'integer',
  },
  text('detail', '说明', 'What was found, in Chinese, names masked; a supervisor’s reason', 'detail'),
  text('raised_by', '标记人', 'The supervisor who raised it, masked; empty for a rule’s flag', 'raised_by'),
  text('answer', '村委会答复', 'The committee’s written answer, published with the month', 'answer'),
  text('answered_by', '答复人', 'Who answered, masked', 'answered_by'),
  {
    ...text('answered_at', '答复时间', 'When it was answered, UTC', 'answered_at'),
    type: 'datetime',
  },
];

export const FLAG_PRIMARY_KEY = ['village_code', 'year', 'month', 'revision', 'flag_key'];

/** The raw rows of flags.csv for the selected revisions, in (village code, voucher, rule flags first) order. */
export function flagsQuery(selection: Selection): string {
  const y = checkInt(selection.year);
  const m = checkInt(selection.month);
  return `with sel(village_id, revision) as (values ${selectionValues(selection.periods)}),
    flags as (
      select rf.village_id, rf.revision, 'RULE' as source, rf.rule_code, rf.voucher_number, rf.amount_fen::text,
             rf.detail, null::text as raised_by, null::bigint as supervisor_id, rf.seq
        from red_flags rf join sel on sel.village_id = rf.village_id and sel.revision = rf.revision
       where rf.year = ${y} and rf.month = ${m}
      union all
      select vf.village_id, vf.revision, 'SUPERVISOR', 'SUPERVISOR', vf.voucher_number, null, vf.reason, vf.author,
             vf.id, vf.id
        from voucher_flags vf join sel on sel.village_id = vf.village_id and sel.revision = vf.revision
       where vf.year = ${y} and vf.month = ${m}
    )
    select vi.code as village_code, vi.slug as village_slug, vi.name as village_name, ${y} as year, ${m} as month,
           f.revision, f.source, f.rule_code, f.voucher_number, f.amount_fen, f.detail, f.raised_by,
           f.supervisor_id::int as supervisor_id,
           coalesce(f.voucher_number, 2147483647) as _voucher, f.seq
      from flags f
      join villages vi on vi.id = f.village_id
     order by vi.code, _voucher, f.source, f.seq`;
}

/** The committee's answers of the selected revisions, keyed by (village code, revision, flag key). */
export function flagAnswersQuery(selection: Selection): string {
  const y = checkInt(selection.year);
  const m = checkInt(selection.month);
  return `with sel(village_id, revision) as (values ${selectionValues(selection.periods)})
    select vi.code as village_code, a.revision, a.flag_key, a.body, a.author,
           to_char(a.answered_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as answered_at
      from flag_answers a
      join sel on sel.village_id = a.village_id and sel.revision = a.revision
      join villages vi on vi.id = a.village_id
     where a.year = ${y} and a.month = ${m}`;
}

/** The query under COPY, as PostgreSQL writes it: CSV with a header (without, for a later part), or JSON Lines. */
export function copyQuery(query: string, format: LineFormat | 'csv-rows' | 'statements'): string {
  // JSON never contains a raw control character, so with these as quote and delimiter COPY writes it untouched.
  const options =
    format === 'jsonl'
      ? `format csv, quote E'\\x01', delimiter E'\\x02'`
      : `format csv, header ${format === 'csv-rows' ? 'false' : 'true'}`;
  return `copy (${query}) to stdout with (${options})`;
}
