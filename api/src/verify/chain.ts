/**
 * A village's digest chain recomputed from its public bulk files alone (never the database): every published
 * revision's digest from `lines.jsonl`, `digests.jsonl` and `attachments.csv` through the one canonical text
 * (db/src/ledger/digest.ts), then every link. Each problem names the village, month and revision, with a stable code.
 */
import {
  DIGEST_FORMAT,
  DIGEST_FORMAT_V3,
  DIGEST_FORMATS,
  publicDigest,
  type DigestFormat,
  type PublicAttachment,
  type PublicFlag,
  type PublicReview,
  type PublicVoucher,
} from '@mingbai/db/ledger/digest';
import { Damaged, Fields, parseCsv, parseJsonl } from './parse.ts';
import type { Source } from './source.ts';

export type ProblemCode =
  | 'CATALOG_UNREADABLE'
  | 'NOTHING_PUBLISHED'
  | 'FILE_MISSING'
  | 'FILE_DAMAGED'
  | 'FILES_DISAGREE'
  | 'FORMAT_UNKNOWN'
  | 'DIGEST_MISMATCH'
  | 'LINK_BROKEN'
  | 'CHAIN_GAP'
  | 'CHAIN_FORK';

export interface Problem {
  code: ProblemCode;
  /** `2025-08 r1`, or null for the village as a whole. */
  month: string | null;
  message: string;
  expected?: string | undefined;
  computed?: string | undefined;
}

export interface Publication {
  month: string;
  year: number;
  monthNumber: number;
  revision: number;
  chainSeq: number;
  format: string;
  digest: string;
  previousDigest: string | null;
  computed: string | null;
  bytes: number;
  ok: boolean;
}

export interface VillageReport {
  village: string;
  ok: boolean;
  publications: Publication[];
  problems: Problem[];
  /** Bytes of bulk files read: the bench's MB/s. */
  bytes: number;
}

const ym = (year: number, month: number) => `${year}-${String(month).padStart(2, '0')}`;

interface Revision {
  year: number;
  month: number;
  revision: number;
}

/** Recomputes and checks the whole chain of `slug`. Never throws for anything a file may hold. */
export async function verifyVillage(source: Source, slug: string): Promise<VillageReport> {
  const report: VillageReport = { village: slug, ok: false, publications: [], problems: [], bytes: 0 };
  const problem = (p: Problem) => report.problems.push(p);
  const read = async (path: string) => {
    const got = await source.read(path);
    if (got.ok) report.bytes += got.bytes;
    return got;
  };

  const catalog = await read('catalog.json');
  let months: { year: number; month: number }[];
  try {
    if (!catalog.ok) throw new Damaged(catalog.why);
    const parsed = JSON.parse(catalog.text) as { months?: unknown };
    if (!Array.isArray(parsed.months)) throw new Damaged('catalog.json 没有 months');
    months = parsed.months.map((m, i) => {
      const f = new Fields(m as Record<string, unknown>, `catalog.json months[${i}]`);
      return { year: f.int('year'), month: f.int('month') };
    });
  } catch (error) {
    problem({ code: 'CATALOG_UNREADABLE', month: null, message: `读不到数据目录：${(error as Error).message}` });
    return report;
  }

  // Which revisions the village published, month by month: the current revision's statements.csv names the latest.
  const revisions: Revision[] = [];
  for (const { year, month } of months) {
    const path = `v/${slug}/${ym(year, month)}/statements.csv`;
    const got = await read(path);
    if (!got.ok) {
      if (!got.missing) problem({ code: 'FILE_DAMAGED', month: ym(year, month), message: got.why });
      continue; // not published that month: a gap this leaves in the chain shows below
    }
    try {
      const [row] = parseCsv(got.text, path);
      if (!row) throw new Damaged(`${path} 没有数据行`);
      const latest = new Fields(row, path).csvInt('revision')!;
      if (latest < 1 || latest > 32_767) throw new Damaged(`${path}：版本号 ${latest} 无效`);
      for (let r = 1; r <= latest; r++) revisions.push({ year, month, revision: r });
    } catch (error) {
      problem({ code: 'FILE_DAMAGED', month: ym(year, month), message: (error as Error).message });
    }
  }
  if (revisions.length === 0 && report.problems.length === 0) {
    problem({ code: 'NOTHING_PUBLISHED', month: null, message: `找不到村 ${slug} 的任何公开月份` });
  }

  for (const r of revisions) {
    const publication = await checkRevision(read, slug, r, problem);
    if (publication) report.publications.push(publication);
  }
  checkLinks(report.publications, problem);
  report.ok = report.problems.length === 0;
  return report;
}

type Reader = Source['read'];

/** One revision: its stated digest and chain position, and the digest recomputed from its files. */
async function checkRevision(
  read: Reader,
  slug: string,
  r: Revision,
  problem: (p: Problem) => void,
): Promise<Publication | undefined> {
  const label = `${ym(r.year, r.month)} r${r.revision}`;
  const base = `v/${slug}/${ym(r.year, r.month)}/r${r.revision}`;
  const files: Record<string, string> = {};
  let bytes = 0;
  for (const name of ['statements.csv', 'digests.jsonl', 'lines.jsonl', 'attachments.csv']) {
    const got = await read(`${base}/${name}`);
    if (!got.ok) {
      problem({ code: got.missing ? 'FILE_MISSING' : 'FILE_DAMAGED', month: label, message: got.why });
      return undefined;
    }
    files[name] = got.text;
    bytes += got.bytes;
  }
  try {
    const [statement, extra] = parseCsv(files['statements.csv']!, `${base}/statements.csv`);
    if (!statement || extra) throw new Damaged(`${base}/statements.csv 应恰有一行`);
    const s = new Fields(statement, `${base}/statements.csv`);
    const [inputs, more] = parseJsonl(files['digests.jsonl']!, `${base}/digests.jsonl`);
    if (!inputs || more) throw new Damaged(`${base}/digests.jsonl 应恰有一行`);
    const d = new Fields(inputs, `${base}/digests.jsonl`);

    const stated = {
      digest: s.str('digest'),
      previousDigest: s.csvStr('previous_digest'),
      chainSeq: s.csvInt('chain_seq')!,
      format: s.str('digest_format'),
    };
    const publication: Publication = {
      month: ym(r.year, r.month),
      year: r.year,
      monthNumber: r.month,
      revision: r.revision,
      ...stated,
      computed: null,
      bytes,
      ok: false,
    };
    // The two files describing the revision must say the same thing; the digest itself is the statement's.
    const disagree = [
      ['village_code', s.str('village_code'), d.str('village_code')],
      ['year', String(s.csvInt('year')), String(d.int('year'))],
      ['month', String(s.csvInt('month')), String(d.int('month'))],
      ['revision', String(s.csvInt('revision')), String(d.int('revision'))],
      ['digest', stated.digest, d.str('digest')],
      ['previous_digest', String(stated.previousDigest), String(d.strOrNull('previous_digest'))],
      ['chain_seq', String(stated.chainSeq), String(d.int('chain_seq'))],
      ['digest_format', stated.format, d.str('digest_format')],
      ['account_standard', s.str('account_standard'), d.str('account_standard')],
    ].filter(([, a, b]) => a !== b);
    if (s.csvInt('revision') !== r.revision || s.csvInt('year') !== r.year || s.csvInt('month') !== r.month) {
      throw new Damaged(`${base}/statements.csv 写的是另一个月份或版本`);
    }
    if (disagree.length > 0) {
      problem({
        code: 'FILES_DISAGREE',
        month: label,
        message: `statements.csv 与 digests.jsonl 不一致：${disagree.map(([n, a, b]) => `${n} ${a} ≠ ${b}`).join('；')}`,
      });
      return publication;
    }
    if (!(DIGEST_FORMATS as readonly string[]).includes(stated.format)) {
      problem({ code: 'FORMAT_UNKNOWN', month: label, message: `不认识的摘要格式 ${stated.format}` });
      return publication;
    }
    const format = stated.format as DigestFormat;
    const computed = publicDigest({
      format,
      villageCode: s.str('village_code'),
      year: r.year,
      month: r.month,
      revision: r.revision,
      standard: s.str('account_standard'),
      previousDigest: stated.previousDigest,
      reason: d.strOrNull('reason'),
      vouchers: vouchersOf(files['lines.jsonl']!, `${base}/lines.jsonl`, d),
      review: format === DIGEST_FORMAT ? null : reviewOf(d),
      attachments:
        format === DIGEST_FORMAT_V3 ? attachmentsOf(files['attachments.csv']!, `${base}/attachments.csv`) : [],
    });
    publication.computed = computed;
    if (computed !== stated.digest) {
      problem({
        code: 'DIGEST_MISMATCH',
        month: label,
        message: '按公开文件重算的摘要与公布的不同：这一版的内容（凭证、分录、签字、审核、红旗、附件）被改过',
        expected: stated.digest,
        computed,
      });
    } else publication.ok = true;
    return publication;
  } catch (error) {
    if (!(error instanceof Damaged)) throw error;
    problem({ code: 'FILE_DAMAGED', month: label, message: error.message });
    return undefined;
  }
}

/** The vouchers of lines.jsonl, in number order, lines in line order, with digests.jsonl's signatures. */
function vouchersOf(text: string, file: string, d: Fields): PublicVoucher[] {
  const signatures = new Map<number, [string | null, string | null, string | null]>();
  const list = d.raw('vouchers');
  if (!Array.isArray(list)) throw new Damaged(`${file.replace('lines.jsonl', 'digests.jsonl')}：vouchers 应为数组`);
  for (const entry of list) {
    const ok =
      Array.isArray(entry) &&
      entry.length === 4 &&
      Number.isSafeInteger(entry[0]) &&
      entry.slice(1).every((x) => x === null || typeof x === 'string');
    if (!ok) throw new Damaged(`digests.jsonl：凭证签字项 ${JSON.stringify(entry)} 格式不对`);
    signatures.set(entry[0] as number, entry.slice(1) as [string | null, string | null, string | null]);
  }
  const byNumber = new Map<number, PublicVoucher>();
  parseJsonl(text, file).forEach((row, n) => {
    const f = new Fields(row, `${file} 第 ${n + 1} 行`);
    const number = f.int('voucher_number');
    let voucher = byNumber.get(number);
    if (!voucher) {
      const sig = signatures.get(number);
      if (!sig) throw new Damaged(`digests.jsonl 缺第 ${number} 号凭证的签字`);
      voucher = {
        number,
        date: f.str('voucher_date'),
        summaryPublic: f.str('summary'),
        attachments: f.int('attachments'),
        preparer: sig[0],
        reviewer: sig[1],
        approver: sig[2],
        lines: [],
      };
      byNumber.set(number, voucher);
    }
    const amount = f.str('amount_fen');
    if (!/^\d+$/.test(amount)) throw new Damaged(`${file} 第 ${n + 1} 行：金额 ${amount} 不是整数分`);
    voucher.lines.push({
      lineNo: f.int('line_no'),
      accountCode: f.str('account_code'),
      side: f.str('side'),
      amountFen: amount,
      summaryPublic: f.strOrNull('line_summary'),
      counterpartyPublic: f.strOrNull('counterparty'),
      paymentMethod: f.strOrNull('payment_method'),
    });
  });
  if (signatures.size !== byNumber.size) {
    throw new Damaged(`digests.jsonl 有 ${signatures.size} 张凭证的签字，lines.jsonl 有 ${byNumber.size} 张凭证`);
  }
  const vouchers = [...byNumber.values()].sort((a, b) => a.number - b.number);
  for (const v of vouchers) v.lines.sort((a, b) => a.lineNo - b.lineNo);
  return vouchers;
}

function reviewOf(d: Fields): PublicReview {
  const raw = d.raw('review');
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new Damaged('digests.jsonl：这一格式的摘要需要 review 对象');
  }
  const r = new Fields(raw as Record<string, unknown>, 'digests.jsonl review');
  const flags = r.raw('flags');
  if (!Array.isArray(flags) || !flags.every(isFlag)) throw new Damaged('digests.jsonl：review.flags 格式不对');
  return {
    approvedBy: r.strOrNull('approved_by'),
    approvedAt: r.strOrNull('approved_at'),
    approvalNote: r.strOrNull('approval_note'),
    rules: r.str('red_flag_rules'),
    flags: flags,
  };
}

const strOrNull = (x: unknown) => x === null || typeof x === 'string';

function isFlag(x: unknown): x is PublicFlag {
  if (!Array.isArray(x) || x.length !== 7) return false;
  const [key, rule, voucher, amount, detail, by, answer] = x as unknown[];
  const answerOk =
    answer === null || (Array.isArray(answer) && answer.length === 3 && answer.every((a) => typeof a === 'string'));
  return (
    typeof key === 'string' &&
    typeof rule === 'string' &&
    (voucher === null || Number.isSafeInteger(voucher)) &&
    strOrNull(amount) &&
    typeof detail === 'string' &&
    strOrNull(by) &&
    answerOk
  );
}

function attachmentsOf(text: string, file: string): PublicAttachment[] {
  return parseCsv(text, file).map((row, n) => {
    const f = new Fields(row, `${file} 第 ${n + 2} 行`);
    const sha = (name: string) => {
      const v = f.str(name);
      if (!/^[0-9a-f]{64}$/.test(v)) throw new Damaged(`${file} 第 ${n + 2} 行：${name} 不是 SHA-256`);
      return v;
    };
    const pages = f.str('page_sha256s').split(' ').filter(Boolean);
    if (!pages.every((p) => /^[0-9a-f]{64}$/.test(p))) {
      throw new Damaged(`${file} 第 ${n + 2} 行：page_sha256s 不是以空格分隔的 SHA-256`);
    }
    return {
      voucherNumber: f.csvInt('voucher_number', true),
      kind: f.str('kind'),
      sha256: sha('sha256'),
      thumbnailSha256: sha('thumbnail_sha256'),
      pageSha256s: pages,
    };
  });
}

/** The chain in publishing order: positions 1…n without gap or repeat, each linking to the digest before. */
function checkLinks(publications: Publication[], problem: (p: Problem) => void): void {
  publications.sort((a, b) => a.chainSeq - b.chainSeq);
  let previous: Publication | undefined;
  for (const p of publications) {
    const label = `${p.month} r${p.revision}`;
    const expectedSeq = (previous?.chainSeq ?? 0) + 1;
    if (previous && p.chainSeq === previous.chainSeq) {
      problem({
        code: 'CHAIN_FORK',
        month: label,
        message: `链分叉：${previous.month} r${previous.revision} 与本版都在第 ${p.chainSeq} 位`,
      });
      continue;
    }
    if (p.chainSeq !== expectedSeq) {
      problem({
        code: 'CHAIN_GAP',
        month: label,
        message: `链上缺了第 ${p.chainSeq - 1 > expectedSeq ? `${expectedSeq}–${p.chainSeq - 1}` : expectedSeq} 个公开（本版在第 ${p.chainSeq} 位）：有月份或版本的文件不见了或读不了`,
      });
    }
    const want = p.chainSeq === 1 ? null : (previous?.digest ?? null);
    if (p.chainSeq === expectedSeq && p.previousDigest !== want) {
      problem({
        code: 'LINK_BROKEN',
        month: label,
        message: previous
          ? `上一摘要应是 ${previous.month} r${previous.revision} 的摘要`
          : '链上第一个公开不应有上一摘要',
        expected: want ?? '（无）',
        computed: p.previousDigest ?? '（无）',
      });
      p.ok = false;
    }
    previous = p;
  }
}
