/** Facts the docs state that are not examples, limits or codes. */

/** The query of the curl examples (GET, APQ): short enough for a URL. */
export const APQ_QUERY = '{ village(slug: "fucun") { name latestStatement { year month revision } } }';

export const DATA_LICENCE = {
  name: 'CC-BY-4.0',
  url: 'https://creativecommons.org/licenses/by/4.0/',
} as const;

/** Bulk files on the API server; see api/src/opendata. */
export const BULK_PATHS: { path: string; zh: string; en: string }[] = [
  { path: '/data/catalog.json', zh: '目录：所有可下载的月份和文件', en: 'Catalogue: every month and file there is' },
  {
    path: '/data/months/{YYYY-MM}/lines.csv',
    zh: '全部村该月的每一笔收支（CSV，UTF-8）',
    en: 'Every payment and receipt of all villages that month (CSV, UTF-8)',
  },
  {
    path: '/data/months/{YYYY-MM}/lines.jsonl',
    zh: '同上，每行一个 JSON 对象',
    en: 'The same, one JSON object a line',
  },
  {
    path: '/data/months/{YYYY-MM}/statements.csv',
    zh: '全部村该月的月报表汇总（版本、收入、支出、余额、摘要，监督员审核通过的时间和意见、红旗规则版本、红旗数）',
    en: 'All villages’ statement totals that month (revision, income, spending, balances, digest, the supervisor’s approval time and note, red-flag rule version, red-flag count)',
  },
  {
    path: '/data/months/{YYYY-MM}/flags.csv',
    zh: '全部村该月的每个红旗一行：规则或监督员、凭证号、金额、说明、村委会答复（姓名遮盖）',
    en: 'Every red flag of all villages that month: rule or supervisor, voucher, amount, detail, the committee’s answer (names masked)',
  },
  {
    path: '/data/months/{YYYY-MM}/digests.jsonl',
    zh: '全部村该月每个版本一行：摘要的其余输入（格式、上一摘要、签字人、审核、红旗与答复，均为公开形式），见 /docs/digest',
    en: 'One line per village revision that month: every other input of its digest (format, previous digest, signatures, review, flags and answers, in public form); see /en/docs/digest',
  },
  {
    path: '/data/months/{YYYY-MM}/attachments.csv',
    zh: '全部村该月每个公开附件一行：凭证号、类别、图片和缩略图的 SHA-256 与地址',
    en: 'Every published attachment of all villages that month: voucher, kind, SHA-256 and path of the view and thumbnail',
  },
  {
    path: '/data/months/{YYYY-MM}/datapackage.json',
    zh: '数据包说明（Frictionless Data Package：字段、类型、许可）',
    en: 'Frictionless Data Package descriptor: fields, types, licence',
  },
  {
    path: '/data/v/{slug}/{YYYY-MM}/…',
    zh: '一个村该月当前版本的同样七个文件',
    en: 'The same seven files for one village’s month, current revision',
  },
  {
    path: '/data/v/{slug}/{YYYY-MM}/r{n}/…',
    zh: '一个村该月第 n 版（永不改变，可永久缓存）',
    en: 'Revision n of one village’s month (never changes, cacheable for ever)',
  },
  {
    path: '/data/r/{regionSlug}/{YYYY-MM}/…',
    zh: '一个区或镇的同样文件',
    en: 'The same files for one district or town',
  },
];
