/**
 * Every error code a client can meet, for the docs' tables. Codes in `errors[].extensions.code` come from the API
 * (api/src/errors.ts, api/src/limits), the ledger rules (db/src/ledger/errors.ts) and Apollo Server itself; codes in
 * `importLedger { problems { code } }` come from the import pipeline (api/src/imports/parse/types.ts).
 * tests/portal/docs.test.ts checks that no code in those files is missing here.
 */
export interface ErrorCode {
  code: string;
  /** HTTP status the response carries; 200 when the error sits beside partial data. */
  status: number;
  zh: string;
  en: string;
}

export interface ErrorGroup {
  zh: string;
  en: string;
  codes: ErrorCode[];
}

export const ERROR_GROUPS: ErrorGroup[] = [
  {
    zh: '请求本身',
    en: 'The request itself',
    codes: [
      { code: 'GRAPHQL_PARSE_FAILED', status: 400, zh: '查询文本有语法错误', en: 'The query text does not parse' },
      {
        code: 'GRAPHQL_VALIDATION_FAILED',
        status: 400,
        zh: '查询不符合 schema（字段或参数不存在、类型不对）',
        en: 'The query does not match the schema (unknown field or argument, wrong type)',
      },
      {
        code: 'BAD_REQUEST',
        status: 400,
        zh: '请求格式不对：请求体不是 JSON、缺少 query；用 GET 发送 mutation 时为 HTTP 405，Accept 头不接受 JSON 时为 HTTP 406',
        en: 'Malformed request: body is not JSON, no query; HTTP 405 for a mutation sent by GET, HTTP 406 when the Accept header takes no JSON',
      },
      {
        code: 'METHOD_NOT_ALLOWED',
        status: 405,
        zh: '只接受 GET 和 POST（公开数据 /data 只接受 GET 和 HEAD）；Allow 头列出可用的方法',
        en: 'GET and POST only (GET and HEAD for the bulk files under /data); the Allow header lists them',
      },
      {
        code: 'BAD_USER_INPUT',
        status: 200,
        zh: '参数值不合要求（如 first 超出 1–100、月份不是 1–12）；extensions.argument 指出哪个参数。变量缺少或类型不对时查询不执行，HTTP 400',
        en: 'An argument value is out of range (first outside 1–100, month not 1–12); extensions.argument names it. A missing or mistyped variable stops the query before it runs: HTTP 400',
      },
      {
        code: 'OPERATION_RESOLUTION_FAILURE',
        status: 400,
        zh: '文档里有多个操作，但没有给出或给错了 operationName',
        en: 'Several operations in the document and operationName missing or wrong',
      },
      {
        code: 'PERSISTED_QUERY_NOT_FOUND',
        status: 200,
        zh: '服务器还没有这个哈希对应的查询：带上 query 再发一次',
        en: 'The server does not know this hash yet: send the request again with the query',
      },
      {
        code: 'PERSISTED_QUERY_HASH_MISMATCH',
        status: 400,
        zh: 'persistedQuery 的 sha256Hash 与随附的 query 不符：按 query 的 UTF-8 文本重新计算，不要重试同一请求',
        en: 'persistedQuery.sha256Hash does not match the query sent with it: recompute it over the query’s UTF-8 text, do not retry as is',
      },
      {
        code: 'PERSISTED_QUERY_UNSUPPORTED_VERSION',
        status: 400,
        zh: '只支持 persistedQuery 第 1 版；改用 version: 1，或直接发送 query',
        en: 'Only persistedQuery version 1 is supported: send version 1, or the query itself',
      },
      {
        code: 'PAYLOAD_TOO_LARGE',
        status: 413,
        zh: '请求体超过上限（见“限额”）；extensions.limit 是上限字节数',
        en: 'Request body over the limit (see Limits); extensions.limit is the limit in bytes',
      },
      {
        code: 'NOT_FOUND',
        status: 404,
        zh: '地址不对（接口只在 /graphql）',
        en: 'Wrong path (the API is at /graphql only)',
      },
      {
        code: 'INTERNAL_SERVER_ERROR',
        status: 200,
        zh: '服务器出错；信息不含细节。稍后重试，仍有问题请告诉运营方',
        en: 'Server fault; the message carries no details. Retry later, tell the operator if it persists',
      },
    ],
  },
  {
    zh: '限额',
    en: 'Limits',
    codes: [
      {
        code: 'QUERY_TOO_COSTLY',
        status: 400,
        zh: '查询成本超过上限，未执行；extensions.cost 和 extensions.limit 给出数值',
        en: 'Query cost over the limit, not run; extensions.cost and extensions.limit give the numbers',
      },
      { code: 'QUERY_TOO_DEEP', status: 400, zh: '嵌套层数超过上限', en: 'Selections nested too deep' },
      { code: 'TOO_MANY_ALIASES', status: 400, zh: '别名太多', en: 'Too many aliases' },
      {
        code: 'TOO_MANY_FIELDS',
        status: 400,
        zh: '字段太多（片段展开后计）',
        en: 'Too many fields (fragments expanded)',
      },
      { code: 'TOO_MANY_DIRECTIVES', status: 400, zh: '指令太多', en: 'Too many directives' },
      {
        code: 'TOO_MANY_TOKENS',
        status: 400,
        zh: '查询文本太长（词法单元太多）',
        en: 'Query text too long (too many tokens)',
      },
      {
        code: 'RATE_LIMITED',
        status: 429,
        zh: '本小时的点数不够了；extensions.resetAt 和 Retry-After / x-ratelimit-reset 头给出何时再试',
        en: 'Not enough points left this hour; extensions.resetAt and the Retry-After / x-ratelimit-reset headers say when to retry',
      },
      {
        code: 'IMPORT_BUSY',
        status: 503,
        zh: '服务器正在处理的上传已满（每个进程同时处理的导入和排队数有上限）；Retry-After 和 extensions.retryAfterSeconds 给出几秒后再试',
        en: 'Too many uploads in progress (each process runs and queues a bounded number); retry after Retry-After / extensions.retryAfterSeconds seconds',
      },
      {
        code: 'QUERY_TIMEOUT',
        status: 503,
        zh: '执行超时（extensions.limit 毫秒），其 SQL 已被取消；缩小查询范围再试。/data 下载长时间没有进展时也这样回答',
        en: 'Execution timed out (extensions.limit ms) and its SQL was cancelled; ask for less. Also a /data download that stopped making progress',
      },
      {
        code: 'DATABASE_UNAVAILABLE',
        status: 503,
        zh: '数据库暂时连不上（重启或切换中）；按 Retry-After 头稍后重试，已确认的写入不会丢失',
        en: 'The database is briefly unreachable (restarting or failing over); retry after the Retry-After header, confirmed writes are never lost',
      },
    ],
  },
  {
    zh: '登录和权限',
    en: 'Sign-in and permissions',
    codes: [
      {
        code: 'UNAUTHENTICATED',
        status: 200,
        zh: '需要登录。过期或作废的会话令牌按匿名处理，所以也得到这个代码',
        en: 'Sign-in needed. An expired or revoked session token counts as anonymous, so it gets this code too',
      },
      {
        code: 'INVALID_API_KEY',
        status: 401,
        zh: 'Authorization 头里的 API 密钥（mbk_ 开头）不存在或已作废；请求未执行',
        en: 'The API key (starting mbk_) in Authorization is unknown or revoked; nothing ran',
      },
      { code: 'FORBIDDEN', status: 200, zh: '已登录，但没有这项权限', en: 'Signed in, but not allowed to do this' },
      { code: 'LOGIN_FAILED', status: 200, zh: '用户名或密码不正确', en: 'Wrong username or password' },
      {
        code: 'LOGIN_THROTTLED',
        status: 200,
        zh: '登录失败次数过多（按用户名和按 IP 计），extensions.retryAfterSeconds 秒后再试',
        en: 'Too many failed sign-ins (per username and per IP); retry after extensions.retryAfterSeconds seconds',
      },
      { code: 'USER_EXISTS', status: 200, zh: '用户名已被使用', en: 'Username already taken' },
      {
        code: 'SECOND_ADMIN_REQUIRED',
        status: 200,
        zh: '能上传或公开账目的角色须由另一位管理员确认：授权人和被授权人都不能确认',
        en: 'A role that can upload or publish must be confirmed by another admin, neither the granter nor the grantee',
      },
    ],
  },
  {
    zh: '村委会操作和账目规则（mutation）',
    en: 'Committee actions and ledger rules (mutations)',
    codes: [
      {
        code: 'PERIOD_NOT_SUBMITTED',
        status: 200,
        zh: '这个月还没有提交审核，不能公开',
        en: 'The month has not been submitted for review, so it cannot be published',
      },
      {
        code: 'UPLOADER_CANNOT_PUBLISH',
        status: 200,
        zh: '上传账目的人不能自己公开',
        en: 'Whoever uploaded the ledger cannot publish it',
      },
      {
        code: 'REVIEW_REQUIRED',
        status: 200,
        zh: '还不能公开：须有监督员审核通过当前上传的内容（之后再上传须重新审核），且每个红旗都有村委会的书面答复；消息写明缺什么',
        en: 'Not publishable yet: a supervisor must approve the current upload (an upload after the approval needs a new one) and every red flag needs the committee’s written answer; the message says what is missing',
      },
      {
        code: 'RULES_INVALID',
        status: 200,
        zh: '红旗规则的阈值不合要求（缺少、重复、不认识的名称，不是整数，超出范围，审批额没有从低到高），或生效日期写法不对；extensions.threshold 指出哪个阈值',
        en: 'Red-flag thresholds refused (missing, repeated or unknown name, not a whole number, out of bounds, approval tiers not rising) or a malformed effective date; extensions.threshold names the threshold',
      },
      {
        code: 'FLAG_NOT_FOUND',
        status: 200,
        zh: '本月现在没有这个红旗（标识写错，或改动账目后规则不再标出它）；extensions.flagKey 是所给的标识',
        en: 'The month has no red flag with that key now (a typo, or the rules no longer raise it after a change); extensions.flagKey echoes it',
      },
      {
        code: 'ANSWER_INVALID',
        status: 200,
        zh: '红旗的答复为空或太长（1 到 2000 个字）',
        en: 'The answer to a red flag is empty or too long (1 to 2,000 characters)',
      },
      {
        code: 'MONTH_NOT_ENDED',
        status: 200,
        zh: '这个月（按北京时间）还没有结束，不能上传或公开；extensions.endsAt 是结束时刻',
        en: 'The month has not ended (in Beijing time), so it cannot be uploaded or published; extensions.endsAt says when it ends',
      },
      { code: 'PERIOD_NOT_OPEN', status: 200, zh: '这个月不在录入状态', en: 'The month is not open for entries' },
      { code: 'PERIOD_ALREADY_OPEN', status: 200, zh: '这个月已经在录入或更正中', en: 'The month is already open' },
      {
        code: 'PERIOD_OUT_OF_ORDER',
        status: 200,
        zh: '月份要按顺序开：上个月还没有公开',
        en: 'Months open in order: the previous month is not published',
      },
      { code: 'REASON_REQUIRED', status: 200, zh: '更正必须写明原因', en: 'A correction needs a reason' },
      { code: 'VOUCHER_UNBALANCED', status: 200, zh: '凭证借贷不平', en: 'Voucher debits differ from credits' },
      { code: 'VOUCHER_TOO_FEW_LINES', status: 200, zh: '凭证少于两条分录', en: 'Voucher has fewer than two lines' },
      { code: 'AMOUNT_NOT_POSITIVE', status: 200, zh: '金额必须大于 0', en: 'Amount must be above zero' },
      { code: 'ACCOUNT_UNKNOWN', status: 200, zh: '科目不在科目表里', en: 'Account not in the chart' },
      {
        code: 'ACCOUNT_NAME_REQUIRED',
        status: 200,
        zh: '新的明细科目要写名称',
        en: 'A new sub-account needs a name',
      },
      { code: 'DATE_OUTSIDE_PERIOD', status: 200, zh: '凭证日期不在这个月', en: 'Voucher date outside the month' },
      { code: 'DUPLICATE_VOUCHER_NUMBER', status: 200, zh: '凭证号重复', en: 'Voucher number used twice' },
      { code: 'SUMMARY_MISSING', status: 200, zh: '凭证没有摘要', en: 'Voucher has no memo' },
      {
        code: 'OPENING_BALANCES_UNBALANCED',
        status: 200,
        zh: '期初余额借贷不平',
        en: 'Opening balances do not balance',
      },
      { code: 'OPENING_BALANCES_MISSING', status: 200, zh: '缺少期初余额', en: 'Opening balances missing' },
      { code: 'VOUCHER_NOT_FOUND', status: 200, zh: '没有这张凭证', en: 'No such voucher' },
    ],
  },
  {
    zh: '村民提问（askQuestion、answerQuestion、hideQuestion）',
    en: 'Villagers’ questions (askQuestion, answerQuestion, hideQuestion)',
    codes: [
      {
        code: 'QUESTION_INVALID',
        status: 200,
        zh:
          '问题、答复或理由为空、太长（问题 1–500 字，答复 1–2000 字，理由 1–200 字）或含控制字符；联系方式超过 50 字或不像姓名电话；' +
          '所问月份未公开，凭证号或更正版本不存在；extensions.field 指出哪一项。什么都没有写入',
        en:
          'A question, answer or reason is empty, too long (1–500, 1–2,000, 1–200 characters) or holds control ' +
          'characters; the contact is over 50 characters or not a name or phone; the month is not published, or the ' +
          'voucher or revision does not exist; extensions.field names which. Nothing was written',
      },
      {
        code: 'QUESTION_RATE_LIMITED',
        status: 200,
        zh:
          '提问太频繁：同一地址每小时 5 个、同一个村每小时 60 个（可配置）；extensions.scope 为 address 或 village，' +
          'extensions.retryAt 是可以再问的时刻。什么都没有写入',
        en:
          'Too many questions: per address (5 an hour) or per village (60 an hour), configurable; extensions.scope is ' +
          'address or village, extensions.retryAt when to ask again. Nothing was written',
      },
      {
        code: 'QUESTION_NOT_FOUND',
        status: 200,
        zh: '这个村没有这个编号的问题（编号形如 付村-2026-0012 或 2026-0012）',
        en: 'The village has no question with that number (付村-2026-0012 or 2026-0012)',
      },
      {
        code: 'QUESTION_ANSWERED',
        status: 200,
        zh: '这个问题已经答复过，答复公开后不能再改',
        en: 'The question already has its answer, which is never changed',
      },
    ],
  },
  {
    zh:
      '附件（attachFile、setRedactions、confirmAttachment、removeAttachment；上传地址 POST /attachments/{村}/{年-月} ' +
      '的错误代码相同，HTTP 状态见各条）',
    en:
      'Attachments (attachFile, setRedactions, confirmAttachment, removeAttachment; the upload route POST ' +
      '/attachments/{village}/{yyyy-mm} answers the same codes, with the HTTP status each says)',
    codes: [
      {
        code: 'FILE_TOO_LARGE',
        status: 200,
        zh: '附件超过 20 MB（导入账目文件时为 importLedger 的问题代码）。上传地址以 413 拒绝，不等读完请求体。什么都没有保存',
        en:
          'The attachment is over 20 MB (for ledger files, an importLedger problem code). The upload route answers ' +
          '413 before reading the whole body. Nothing was stored',
      },
      {
        code: 'FILE_TYPE_UNSUPPORTED',
        status: 200,
        zh:
          '只接受 JPEG、PNG、WebP 图片和 PDF；SVG（可含脚本）、HEIC 等暂不接受，extensions.found 说明收到的是什么' +
          '（服务器未装 poppler-utils 时 PDF 也不接受，extensions.reason 说明）；上传地址收到其他 Content-Type 时以 415 ' +
          '拒绝（extensions.contentType）。什么都没有保存',
        en:
          'Only JPEG, PNG and WebP images and PDFs are accepted; SVG (scripts), HEIC and others are refused, ' +
          'extensions.found says what arrived (PDFs too when the server lacks poppler-utils: extensions.reason); the ' +
          'upload route answers 415 to any other Content-Type (extensions.contentType). Nothing was stored',
      },
      {
        code: 'FILE_TYPE_MISMATCH',
        status: 200,
        zh: '文件名的扩展名（或上传地址的 Content-Type）与内容不符（如 .png 的文件其实是 JPEG）。什么都没有保存',
        en:
          'The file name’s extension (or the upload route’s Content-Type) does not match the content (a .png that ' +
          'is a JPEG). Nothing was stored',
      },
      {
        code: 'FILE_POLYGLOT',
        status: 200,
        zh: '图片里还夹带了其他文件（ZIP、网页或脚本，或 PNG/WebP 结束后的数据）。什么都没有保存',
        en: 'The image also carries another file (ZIP, HTML or script, or data after a PNG/WebP ends). Nothing was stored',
      },
      {
        code: 'FILE_UNREADABLE',
        status: 200,
        zh: '图片已损坏、不完整或处理超时。什么都没有保存',
        en: 'The image is broken, truncated or took too long to process. Nothing was stored',
      },
      {
        code: 'IMAGE_TOO_MANY_PIXELS',
        status: 200,
        zh: '图片超过 4000 万像素（可能是“解压炸弹”）。什么都没有保存',
        en: 'The image has over 40 megapixels (a decompression bomb, perhaps). Nothing was stored',
      },
      {
        code: 'REDACTION_INVALID',
        status: 200,
        zh: '遮盖区域不对：x、y、w、h 是占图片宽高的比例（0–1），须在图片内、不为空，最多 50 个；page 须是文件有的页',
        en:
          'A redaction rectangle is invalid: x, y, w, h are fractions (0–1) inside the image, not empty, at most 50; ' +
          'page must be a page the file has',
      },
      {
        code: 'PDF_TOO_MANY_PAGES',
        status: 200,
        zh: 'PDF 超过 20 页（extensions.pages 是它的页数）；只上传证明这笔收支的那几页。什么都没有保存',
        en: 'The PDF has over 20 pages (extensions.pages); send the pages that prove the payment. Nothing was stored',
      },
      {
        code: 'PDF_ENCRYPTED',
        status: 200,
        zh: 'PDF 加了密码或加密，不能转换成图片。什么都没有保存',
        en: 'The PDF is encrypted or password-protected and cannot be rendered. Nothing was stored',
      },
      {
        code: 'ATTACHMENT_BUSY',
        status: 503,
        zh:
          '正在上传、处理的附件太多，排队已满；Retry-After 秒后再上传（图片处理队列满时为 200 的 GraphQL 错误，' +
          'extensions.queued）。什么都没有保存',
        en:
          'Too many uploads being received or processed, the queue is full; retry after Retry-After seconds (a 200 ' +
          'GraphQL error with extensions.queued when the image queue itself is full). Nothing was stored',
      },
      {
        code: 'ATTACHMENT_NOT_FOUND',
        status: 200,
        zh: '这个月份正在准备的版本没有这个编号的附件（或确认时给出的 sha256 已不是现在的公开图片）',
        en: 'No attachment with that number in the revision being prepared (or the sha256 given is no longer its view)',
      },
    ],
  },
];

/** Codes of `importLedger { problems { code } }`: a rejected file lists every problem with its row and column. */
export const IMPORT_PROBLEM_CODES: ErrorCode[] = [
  { code: 'FILE_TOO_LARGE', status: 200, zh: '文件（或 xlsx 解压后）太大', en: 'File (or unzipped xlsx) too large' },
  {
    code: 'FILE_TOO_COMPLEX',
    status: 200,
    zh: 'xlsx 里不同的文字太多，或读这个文件需要的内存超过一次导入的上限',
    en: 'Too many distinct texts in the xlsx, or reading the file needs more memory than an import may use',
  },
  { code: 'FILE_EMPTY', status: 200, zh: '空文件或只有表头', en: 'Empty file, or a header only' },
  {
    code: 'COLUMN_DUPLICATE',
    status: 200,
    zh: '表头里同一列出现了两次',
    en: 'The same column appears twice in the header',
  },
  { code: 'TEXT_TOO_LONG', status: 200, zh: '单元格文字太长', en: 'A text cell is too long' },
  {
    code: 'ENCODING_UNDECODABLE',
    status: 200,
    zh: '既不是 UTF-8 也不是 GB18030',
    en: 'Neither UTF-8 nor GB18030',
  },
  { code: 'XLSX_INVALID', status: 200, zh: 'xlsx 损坏或是旧版 .xls', en: 'Broken xlsx, or an old .xls' },
  { code: 'LAYOUT_UNKNOWN', status: 200, zh: '认不出表头', en: 'No known header row' },
  { code: 'COLUMN_MISSING', status: 200, zh: '缺少必需的列', en: 'A required column is missing' },
  { code: 'DATE_INVALID', status: 200, zh: '日期无效或缺少', en: 'Date missing or invalid' },
  { code: 'DATE_OUTSIDE_MONTH', status: 200, zh: '凭证日期不在所选月份', en: 'Voucher date outside the chosen month' },
  { code: 'MONTH_AMBIGUOUS', status: 200, zh: '没选月份且日期跨月', en: 'No month chosen and dates span months' },
  { code: 'AMOUNT_INVALID', status: 200, zh: '金额无法读取', en: 'Amount unreadable' },
  { code: 'AMOUNT_NOT_POSITIVE', status: 200, zh: '金额为 0 或负数', en: 'Amount zero or negative' },
  { code: 'AMOUNT_TOO_LARGE', status: 200, zh: '金额超过 10 万亿元', en: 'Amount over 10 trillion yuan' },
  { code: 'AMOUNT_BOTH_SIDES', status: 200, zh: '借方和贷方都填了', en: 'Both debit and credit filled in' },
  { code: 'SUMMARY_MISSING', status: 200, zh: '凭证没有摘要', en: 'Voucher has no memo' },
  { code: 'ACCOUNT_INVALID', status: 200, zh: '科目编码不合规则', en: 'Account code malformed' },
  { code: 'ACCOUNT_UNKNOWN', status: 200, zh: '科目不在科目表中', en: 'Account not in the chart' },
  {
    code: 'VOUCHER_NUMBER_INVALID',
    status: 200,
    zh: '凭证号缺少或不是正整数',
    en: 'Voucher number missing or invalid',
  },
  { code: 'VOUCHER_DUPLICATE', status: 200, zh: '凭证号重复', en: 'Voucher number used twice' },
  { code: 'VOUCHER_UNBALANCED', status: 200, zh: '借贷不平', en: 'Debits differ from credits' },
  { code: 'VOUCHER_TOO_FEW_LINES', status: 200, zh: '凭证少于两条分录', en: 'Fewer than two lines' },
  {
    code: 'MONTH_SUBMITTED',
    status: 200,
    zh: '这个月已提交审核，先撤回',
    en: 'Month submitted for review; withdraw it first',
  },
  {
    code: 'MONTH_PUBLISHED',
    status: 200,
    zh: '这个月已公开，先开更正',
    en: 'Month published; open a correction first',
  },
  {
    code: 'VOUCHER_LINES_REPEATED',
    status: 200,
    zh: '提醒（在 warnings 里）：这张凭证的每条分录都出现了两次，像是导出粘贴了两遍',
    en: 'Warning (in warnings): every line of this voucher appears twice, as if an export was pasted in twice',
  },
  {
    code: 'VOUCHER_REPEATED',
    status: 200,
    zh: '提醒（在 warnings 里）：这张凭证除了凭证号与前面一张完全相同，而文件里这样的凭证占四分之一以上，像是粘贴了两遍',
    en: 'Warning (in warnings): this voucher equals an earlier one but for its number, and a quarter of the file does so',
  },
  {
    code: 'REPEATED_LINES_UNCONFIRMED',
    status: 200,
    zh: '有上面那样的凭证，上传时没有确认是有意的（confirmRepeatedLines），没有导入',
    en: 'Such vouchers, and the upload did not confirm they are meant (confirmRepeatedLines): nothing imported',
  },
  {
    code: 'TOO_MANY_PROBLEMS',
    status: 200,
    zh: '问题太多，只列出前面一部分；这最后一条说还有几个没有列出',
    en: 'Too many problems to list them all: this last entry says how many more there are',
  },
];
