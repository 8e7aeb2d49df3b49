import type { GraphQLFormattedError } from 'graphql';
import type { ApiErrorCode } from './errors.ts';

/**
 * graphql-js and Apollo Server refuse broken requests in English. People read these messages (the explorer shows them
 * as they come), so each gets a Chinese one; the English original stays in `extensions.englishMessage` for search
 * engines and the libraries' own documentation.
 */

type Translation = [RegExp, (m: RegExpExecArray) => string];

const q = (s: string | undefined) => `“${s ?? ''}”`;

/** The messages of graphql-js 16 and Apollo Server 5 a client can meet, most specific first. */
const TRANSLATIONS: Translation[] = [
  // Parsing (graphql-js language/parser, lexer)
  [/^Syntax Error: Unexpected <EOF>\.$/, () => '查询文本有语法错误：没写完就结束了（括号或引号没有闭合？）'],
  [/^Syntax Error: Expected (.+), found (.+)\.$/, (m) => `查询文本有语法错误：这里应是 ${m[1]}，却是 ${m[2]}`],
  [/^Syntax Error: Unexpected (.+)\.$/, (m) => `查询文本有语法错误：不该出现 ${m[1]}`],
  [/^Syntax Error: Unterminated string\.$/, () => '查询文本有语法错误：字符串没有结束的引号'],
  [/^Syntax Error: Document contains more than \d+ tokens\./, () => '查询文本太长（词法单元太多）'],
  [/^Syntax Error: /, () => '查询文本有语法错误'],
  // Validation (graphql-js validation/rules)
  [/^Cannot query field "([^"]+)" on type "([^"]+)"\./, (m) => `类型 ${q(m[2])} 没有字段 ${q(m[1])}`],
  [/^Unknown argument "([^"]+)" on field "([^"]+)"\./, (m) => `字段 ${q(m[2])} 没有参数 ${q(m[1])}`],
  [/^Unknown argument "([^"]+)" on directive "([^"]+)"\./, (m) => `指令 ${q(m[2])} 没有参数 ${q(m[1])}`],
  [
    /^Field "([^"]+)" argument "([^"]+)" of type "([^"]+)" is required, but it was not provided\./,
    (m) => `字段 ${q(m[1])} 缺少必填参数 ${q(m[2])}（类型 ${m[3]}）`,
  ],
  [
    /^Field "([^"]+)" of type "([^"]+)" must have a selection of subfields\./,
    (m) => `字段 ${q(m[1])}（类型 ${m[2]}）要列出想要的子字段，例如 ${m[1]} { … }`,
  ],
  [
    /^Field "([^"]+)" must not have a selection since type "([^"]+)" has no subfields\./,
    (m) => `字段 ${q(m[1])}（类型 ${m[2]}）没有子字段，后面不能跟 { … }`,
  ],
  [/^Unknown type "([^"]+)"\./, (m) => `没有类型 ${q(m[1])}`],
  [/^Unknown directive "([^"]+)"\./, (m) => `没有指令 ${q(m[1])}`],
  [/^Unknown fragment "([^"]+)"\./, (m) => `没有片段 ${q(m[1])}`],
  [/^Fragment "([^"]+)" is never used\./, (m) => `片段 ${q(m[1])} 定义了但没有用到`],
  [/^Variable "\$([^"]+)" is never used/, (m) => `变量 $${m[1]} 声明了但没有用到`],
  [/^Variable "\$([^"]+)" is not defined/, (m) => `变量 $${m[1]} 没有在操作里声明`],
  [/^There can be only one variable named "\$([^"]+)"\./, (m) => `变量 $${m[1]} 声明了不止一次`],
  [/^There can be only one operation named "([^"]+)"\./, (m) => `操作名 ${q(m[1])} 用了不止一次`],
  [/^This anonymous operation must be the only defined operation\./, () => '文档里有多个操作时，每个都要有名字'],
  [
    /^Variable "\$([^"]+)" of type "([^"]+)" used in position expecting type "([^"]+)"\./,
    (m) => `变量 $${m[1]} 的类型是 ${m[2]}，这里要的是 ${m[3]}`,
  ],
  [/^Variable "\$([^"]+)" cannot be non-input type "([^"]+)"\./, (m) => `变量 $${m[1]} 不能是输出类型 ${m[2]}`],
  [/^Fields "([^"]+)" conflict because/, (m) => `同一个名字 ${q(m[1])} 指向了不同的字段或参数，请换一个别名`],
  [/^Cannot spread fragment "([^"]+)" within itself/, (m) => `片段 ${q(m[1])} 引用了自己`],
  [/^Directive "@([^"]+)" may not be used on /, (m) => `指令 @${m[1]} 不能用在这里`],
  [/^The directive "@([^"]+)" can only be used once at this location\./, (m) => `指令 @${m[1]} 在这里只能用一次`],
  [/^Subscriptions are not supported/, () => '本接口不提供订阅（subscription）'],
  [/^Schema is not configured to execute subscription operation\./, () => '本接口不提供订阅（subscription）'],
  [/^Schema is not configured to execute mutation operation\./, () => '本接口不提供这种修改操作'],
  // Variables and argument values (graphql-js execution/values, type/scalars)
  [
    /^Variable "\$([^"]+)" of required type "([^"]+)" was not provided\./,
    (m) => `缺少必填变量 $${m[1]}（类型 ${m[2]}）`,
  ],
  [
    /^Variable "\$([^"]+)" of non-null type "([^"]+)" must not be null\./,
    (m) => `变量 $${m[1]}（类型 ${m[2]}）不能是 null`,
  ],
  [/^Variable "\$([^"]+)" got invalid value/, (m) => `变量 $${m[1]} 的值不合要求（类型或格式不对）`],
  [/^(Int|Float|String|Boolean|ID) cannot represent/, (m) => `参数的值不是 ${m[1]} 类型能表示的值`],
  [/^Expected value of type "([^"]+)", found (.+?);/, (m) => `这里要 ${m[1]} 类型的值，却是 ${m[2]}`],
  [/^Expected value of type "([^"]+)", found (.+)\.$/, (m) => `这里要 ${m[1]} 类型的值，却是 ${m[2]}`],
  [/^Value "([^"]*)" does not exist in "([^"]+)" enum\./, (m) => `${q(m[1])} 不是 ${m[2]} 的可选值`],
  // Operation selection (Apollo Server, graphql-js execution)
  [
    /^Must provide operation name if query contains multiple operations\./,
    () => '文档里有多个操作，请用 operationName 指明执行哪一个',
  ],
  [/^Unknown operation named "([^"]+)"\./, (m) => `文档里没有名为 ${q(m[1])} 的操作`],
  [/^Must provide an operation\./, () => '文档里没有可执行的操作'],
  // The HTTP request (Apollo Server runHttpQuery, requestPipeline)
  [
    /^GraphQL operations must contain a non-empty `query` or a `persistedQuery` extension\./,
    () => '请求里没有查询：请给出非空的 query（或 persistedQuery 扩展）',
  ],
  [
    /^POST body missing, invalid Content-Type, or JSON object has no keys\./,
    () => '请求体为空、Content-Type 不是 application/json，或 JSON 对象里什么也没有',
  ],
  [/^GraphQL queries must be strings\./, () => 'query 必须是字符串'],
  [
    /^`variables` in a POST body should be provided as an object/,
    () => 'variables 必须是 JSON 对象，不能是编码成字符串的 JSON',
  ],
  [
    /^`extensions` in a POST body should be provided as an object/,
    () => 'extensions 必须是 JSON 对象，不能是编码成字符串的 JSON',
  ],
  [/^`extensions` in a POST body must be an object if provided\./, () => 'extensions 必须是 JSON 对象'],
  [/^`variables` in a POST body must be an object if provided\./, () => 'variables 必须是 JSON 对象'],
  [/^`operationName` in a POST body must be a string if provided\./, () => 'operationName 必须是字符串'],
  [/^The '([^']+)' search parameter may only be specified once\./, (m) => `网址参数 ${m[1]} 只能出现一次`],
  [/^The (\w+) search parameter contains invalid JSON\./, (m) => `网址参数 ${m[1]} 不是有效的 JSON`],
  [/^The (\w+) search parameter should contain a JSON-encoded object\./, (m) => `网址参数 ${m[1]} 应是 JSON 对象`],
  [
    /^GET requests may not have a content-type header other than application\/json\./,
    () => 'GET 请求的 Content-Type 只能是 application/json',
  ],
  [/^Apollo Server supports only GET\/POST requests\./, () => 'GraphQL 接口只接受 GET 和 POST'],
  [
    /^GET requests only support query operations, not (\w+) operations/,
    (m) => `GET 只能用来查询；${m[1]} 请用 POST 发送`,
  ],
  [
    /^An 'accept' header was provided for this request which does not accept /,
    () => 'Accept 头里既没有 application/json，也没有 application/graphql-response+json，无法回答',
  ],
  [/incremental delivery/, () => '本接口不支持 @defer / @stream 的增量返回'],
  [
    /^provided sha does not match query$/,
    () => 'persistedQuery 的 sha256Hash 与随附的 query 不符：请按 query 的 UTF-8 文本重新计算',
  ],
  [/^Unsupported persisted query version$/, () => '只支持 persistedQuery 第 1 版（version: 1）'],
];

/** Apollo Server gives these two refusals no code of their own; clients need one to tell them from a fault of ours. */
const PERSISTED_QUERY_CODES: Record<string, ApiErrorCode> = {
  'provided sha does not match query': 'PERSISTED_QUERY_HASH_MISMATCH',
  'Unsupported persisted query version': 'PERSISTED_QUERY_UNSUPPORTED_VERSION',
};

/** Codes whose English message is the protocol: older APQ links match `PersistedQueryNotFound` by its text. */
const MESSAGE_IS_PROTOCOL = new Set(['PERSISTED_QUERY_NOT_FOUND', 'PERSISTED_QUERY_NOT_SUPPORTED']);

const HAN = /\p{Script=Han}/u;

/** The code Apollo Server should have given an error it leaves uncoded, if it is one of ours to name. */
export function persistedQueryCode(message: string): ApiErrorCode | undefined {
  return PERSISTED_QUERY_CODES[message];
}

/** The Chinese for an English message of graphql-js or Apollo Server, or undefined when there is none. */
export function chineseFor(english: string): string | undefined {
  for (const [pattern, say] of TRANSLATIONS) {
    const m = pattern.exec(english);
    if (m) return say(m);
  }
  return undefined;
}

/** Generic wording by code, for an English message no pattern knows (a newer library, a rare rule). */
const BY_CODE: Record<string, string> = {
  GRAPHQL_PARSE_FAILED: '查询文本有语法错误',
  GRAPHQL_VALIDATION_FAILED: '查询不符合接口的 schema（字段、参数或类型不对）',
  BAD_USER_INPUT: '参数或变量的值不合要求',
  BAD_REQUEST: '请求格式不对',
  OPERATION_RESOLUTION_FAILURE: '无法确定要执行文档里的哪个操作',
};

/**
 * A formatted error whose message a person reads in Chinese; an English message moves to `extensions.englishMessage`.
 * Messages already in Chinese (ours) pass unchanged.
 */
export function inChinese(formatted: GraphQLFormattedError): GraphQLFormattedError {
  const code = String(formatted.extensions?.code ?? '');
  if (HAN.test(formatted.message) || MESSAGE_IS_PROTOCOL.has(code)) return formatted;
  const zh = chineseFor(formatted.message) ?? BY_CODE[code] ?? '请求无法处理';
  return { ...formatted, message: zh, extensions: { ...formatted.extensions, englishMessage: formatted.message } };
}
