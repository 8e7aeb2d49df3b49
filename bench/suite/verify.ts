// 9: recomputing every digest from bulk files (issue 17: ≥ 50 MB/s). A mirror folder of village chains is written in
// the bulk files' exact formats (lines.jsonl with every column, digests.jsonl, statements.csv, attachments.csv), with
// the bench data's shape (bench/data/ledger.ts: 24 months a village, v1 like the scale loader's, vouchers of two to
// four lines, Chinese memos); then `pnpm verify`'s own code (api/src/verify/chain.ts) reads it back from the folder,
// recomputes every digest and link, and the bytes it read over the seconds it took is the figure. Writing the mirror is
// not timed. It needs no scale database: the verifier never reads one, and the bytes are the same.
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DIGEST_FORMAT, publicDigest, type PublicVoucher } from '@mingbai/db/ledger/digest';
import {
  auditPaths,
  CHECKPOINT_FORMAT,
  checkpointRoot,
  checkpointText,
  checkSignature,
  keyId,
  leafBytes,
  leafHash,
  parsePublicKey,
  rootFromPath,
  signCheckpoint,
} from '@mingbai/db/ledger/merkle';
import { verifyVillage } from '../../api/src/verify/chain.ts';
import { verifyCheckpoints } from '../../api/src/verify/checkpoints.ts';
import { openSource } from '../../api/src/verify/source.ts';
import { round } from './stats.ts';

export interface VerifyResult {
  villages: number;
  villageMonths: number;
  lines: number;
  bytes: number;
  seconds: number;
  mbPerSecond: number;
  ok: boolean;
}

const MB = 1024 * 1024;
const MONTHS = 24;

/** A small deterministic generator: the same mirror every run. */
function rng(seed: number) {
  let s = seed >>> 0 || 1;
  return (n: number) => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) % n;
  };
}

const MEMOS = ['支付村委会办公用品费', '支付保洁员工资', '收到镇财政转移支付', '支付路灯电费', '支付绿化养护费'];
const PEOPLE = ['张*静', '李*华', '王*', '刘*明', null];
const STATEMENT_HEADER =
  'village_code,village_slug,village_name,district,town,year,month,revision,reason,published_at,account_standard,' +
  'digest,previous_digest,digest_format,chain_seq,voucher_count,line_count,approved_at,approval_note,' +
  'red_flag_rules,red_flag_count,opening_balance_fen,closing_balance_fen,income_fen,spending_fen';

/** One village of the mirror: its code, slug and every digest of its chain in order. */
interface MirrorVillage {
  code: string;
  slug: string;
  digests: string[];
}

function writeMirror(
  dir: string,
  villages: number,
  vouchersPerMonth: number,
): { lines: number; chains: MirrorVillage[] } {
  const next = rng(17);
  let lines = 0;
  const chains: MirrorVillage[] = [];
  const months: { year: number; month: number }[] = [];
  for (let i = 0; i < MONTHS; i++) months.push({ year: 2024 + Math.floor(i / 12), month: (i % 12) + 1 });
  writeFileSync(join(dir, 'catalog.json'), JSON.stringify({ months }));
  for (let v = 0; v < villages; v++) {
    const slug = `bench-${v}`;
    const code = String(120111000000 + v);
    let previous: string | null = null;
    const digests: string[] = [];
    chains.push({ code, slug, digests });
    months.forEach(({ year, month }, index) => {
      const ym = `${year}-${String(month).padStart(2, '0')}`;
      const vouchers: PublicVoucher[] = [];
      const jsonl: string[] = [];
      for (let n = 1; n <= vouchersPerMonth; n++) {
        const amount = String(100 + next(5_000_000));
        const count = 2 + next(3);
        const date = `${ym}-${String(1 + next(28)).padStart(2, '0')}`;
        const memo = `${MEMOS[next(MEMOS.length)]}${n}`;
        const voucher: PublicVoucher = {
          number: n,
          date,
          summaryPublic: memo,
          attachments: next(4),
          preparer: '刘*计',
          reviewer: '赵*任',
          approver: '王*国',
          lines: [],
        };
        for (let l = 1; l <= count; l++) {
          const debit = l < count;
          const fen = debit ? String(Math.max(1, Math.floor(Number(amount) / (count - 1)))) : amount;
          const line = {
            lineNo: l,
            accountCode: debit ? '51301' : '102',
            side: debit ? 'debit' : 'credit',
            amountFen: fen,
            summaryPublic: null,
            counterpartyPublic: debit ? PEOPLE[next(PEOPLE.length)]! : null,
            paymentMethod: 'bank',
          };
          voucher.lines.push(line);
          jsonl.push(
            JSON.stringify({
              village_code: code,
              village_slug: slug,
              village_name: `基准${v}村`,
              district: '西青区',
              town: '精武镇',
              year,
              month,
              revision: 1,
              voucher_number: n,
              voucher_date: date,
              line_no: l,
              account_standard: '2023',
              account_code: line.accountCode,
              account_name: debit ? '办公费' : '银行存款',
              account_class: debit ? 'expense' : 'asset',
              kind: debit ? 'spending' : null,
              side: line.side,
              amount_fen: fen,
              amount_yuan: (Number(fen) / 100).toFixed(2),
              counterparty: line.counterpartyPublic,
              counterparty_is_person: line.counterpartyPublic !== null,
              payment_method: 'bank',
              summary: memo,
              line_summary: null,
              attachments: voucher.attachments,
              digest: '',
            }),
          );
        }
        lines += count;
        vouchers.push(voucher);
      }
      const digest = publicDigest({
        format: DIGEST_FORMAT,
        villageCode: code,
        year,
        month,
        revision: 1,
        standard: '2023',
        previousDigest: previous,
        reason: null,
        vouchers,
        review: null,
        attachments: [],
      });
      const base = join(dir, 'v', slug, ym);
      mkdirSync(join(base, 'r1'), { recursive: true });
      const statements =
        `\ufeff${STATEMENT_HEADER}\n${code},${slug},基准${v}村,西青区,精武镇,${year},${month},1,,${ym}-10T00:00:00Z,2023,` +
        `${digest},${previous ?? ''},${DIGEST_FORMAT},${index + 1},${vouchers.length},0,,,builtin-1,0,0,0,0,0\n`;
      writeFileSync(join(base, 'statements.csv'), statements);
      writeFileSync(join(base, 'r1', 'statements.csv'), statements);
      writeFileSync(
        join(base, 'r1', 'lines.jsonl'),
        jsonl.map((l) => l.replace('"digest":""', `"digest":"${digest}"`)).join('\n') + '\n',
      );
      writeFileSync(
        join(base, 'r1', 'digests.jsonl'),
        JSON.stringify({
          village_code: code,
          village_slug: slug,
          year,
          month,
          revision: 1,
          digest_format: DIGEST_FORMAT,
          account_standard: '2023',
          reason: null,
          previous_digest: previous,
          digest,
          chain_seq: index + 1,
          vouchers: vouchers.map((x) => [x.number, x.preparer, x.reviewer, x.approver]),
          review: null,
        }) + '\n',
      );
      writeFileSync(
        join(base, 'r1', 'attachments.csv'),
        '\ufeffvillage_code,village_slug,year,month,revision,voucher_number,kind,media_type,width,height,pages,sha256,url,thumbnail_sha256,thumbnail_url,page_sha256s\n',
      );
      previous = digest;
      digests.push(digest);
    });
  }
  return { lines, chains };
}

export async function verifyRun(options: {
  villages: number;
  vouchersPerMonth: number;
  log: (s: string) => void;
}): Promise<VerifyResult> {
  const dir = mkdtempSync(join(tmpdir(), 'mingbai-bench-verify-'));
  try {
    options.log(`   writing a mirror of ${options.villages} villages × ${MONTHS} months`);
    const { lines } = writeMirror(dir, options.villages, options.vouchersPerMonth);
    const source = openSource(dir);
    let bytes = 0;
    let ok = true;
    const started = process.hrtime.bigint();
    for (let v = 0; v < options.villages; v++) {
      const report = await verifyVillage(source, `bench-${v}`);
      bytes += report.bytes;
      ok &&= report.ok && report.publications.length === MONTHS;
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return {
      villages: options.villages,
      villageMonths: options.villages * MONTHS,
      lines,
      bytes,
      seconds: round(seconds, 2),
      mbPerSecond: round(bytes / MB / seconds, 1),
      ok,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface VerifyCheckpointsResult {
  villages: number;
  villageMonths: number;
  /** `pnpm verify --checkpoints --saved`: signature, root, every chain recomputed, every inclusion proof, the saved
   * checkpoint against the server's and its consistency proof. */
  seconds: number;
  mbPerSecond: number;
  /** The proofs alone (no chain recomputed): latest's signature and root, and every village's inclusion proof read
   * and checked. */
  proofSeconds: number;
  inclusionProofsPerSecond: number;
  ok: boolean;
}

/**
 * The mirror of verifyRun plus what a site serves under /data/checkpoints: a key, checkpoint 1 when every village had
 * published 12 months and checkpoint 2 (the latest) at 24, every village's inclusion proof in both, and the consistency
 * proof from 1 to 2; a second folder holds what a mirror kept of checkpoint 1. Then `pnpm verify --checkpoints
 * --saved` (api/src/verify/checkpoints.ts) runs over it, timed; and the proofs alone, timed.
 */
export async function verifyCheckpointsRun(options: {
  villages: number;
  vouchersPerMonth: number;
  log: (s: string) => void;
}): Promise<VerifyCheckpointsResult> {
  const dir = mkdtempSync(join(tmpdir(), 'mingbai-bench-checkpoints-'));
  const saved = mkdtempSync(join(tmpdir(), 'mingbai-bench-checkpoints-saved-'));
  try {
    options.log(`   writing a mirror of ${options.villages} villages × ${MONTHS} months with two checkpoints`);
    const { chains } = writeMirror(dir, options.villages, options.vouchersPerMonth);
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const pem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
    const cpDir = join(dir, 'checkpoints');
    mkdirSync(cpDir, { recursive: true });
    mkdirSync(join(saved, 'checkpoints'), { recursive: true });
    writeFileSync(join(cpDir, 'key.pub'), pem);
    writeFileSync(join(saved, 'checkpoints', 'key.pub'), pem);
    const sorted = [...chains].sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
    const signed = (number: number, length: number) => {
      const leaves = sorted.map((c) => ({ code: c.code, slug: c.slug, length, head: c.digests[length - 1]! }));
      const hashes = leaves.map((l) => leafHash(leafBytes(l)));
      const head = {
        number,
        timestamp: new Date(Date.now() - (2 - number) * 3_600_000).toISOString(),
        treeSize: leaves.length,
        root: checkpointRoot(leaves),
      };
      const text = checkpointText(head);
      const cp = {
        format: CHECKPOINT_FORMAT,
        ...head,
        keyId: keyId(publicKey),
        signature: signCheckpoint(head, privateKey),
        text,
        leaves,
      };
      const paths = auditPaths(hashes).map((p) => p.map((h) => h.toString('hex')));
      const proofs = leaves.map((leaf, i) => ({
        checkpoint: number,
        treeSize: leaves.length,
        root: head.root,
        leafIndex: i,
        leaf,
        leafText: leafBytes(leaf).toString('utf8'),
        path: paths[i]!,
      }));
      mkdirSync(join(cpDir, String(number), 'inclusion'), { recursive: true });
      for (const p of proofs) writeFileSync(join(cpDir, String(number), 'inclusion', p.leaf.code), JSON.stringify(p));
      writeFileSync(join(cpDir, `${number}.json`), JSON.stringify(cp));
      return { cp, proofs };
    };
    const first = signed(1, 12);
    const second = signed(2, MONTHS);
    writeFileSync(join(cpDir, 'latest.json'), JSON.stringify(second.cp));
    writeFileSync(join(saved, 'checkpoints', '1.json'), JSON.stringify(first.cp));
    mkdirSync(join(cpDir, '2', 'consistency'), { recursive: true });
    writeFileSync(
      join(cpDir, '2', 'consistency', '1'),
      JSON.stringify({
        from: 1,
        to: 2,
        villages: sorted.map((c, i) => ({
          code: c.code,
          slug: c.slug,
          from: first.proofs[i],
          to: second.proofs[i],
          chain: c.digests.slice(11),
        })),
      }),
    );

    const source = openSource(dir);
    let bytes = 0;
    const counting = {
      label: source.label,
      async read(path: string) {
        const got = await source.read(path);
        if (got.ok) bytes += got.bytes;
        return got;
      },
    };
    const started = process.hrtime.bigint();
    const report = await verifyCheckpoints(counting, { saved });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;

    // The proofs alone: what a reader pays on top of recomputing the chains.
    const proofStart = process.hrtime.bigint();
    let proofsOk = true;
    const latest = JSON.parse(readFileSync(join(cpDir, 'latest.json'), 'utf8')) as typeof second.cp;
    proofsOk &&= checkSignature(latest, latest.signature, parsePublicKey(readFileSync(join(cpDir, 'key.pub'), 'utf8')));
    proofsOk &&= checkpointRoot(latest.leaves) === latest.root;
    for (const leaf of latest.leaves) {
      const got = await source.read(`checkpoints/2/inclusion/${leaf.code}`);
      if (!got.ok) {
        proofsOk = false;
        continue;
      }
      const proof = JSON.parse(got.text) as { leafIndex: number; path: string[] };
      const root = rootFromPath(
        proof.leafIndex,
        latest.treeSize,
        leafHash(leafBytes(leaf)),
        proof.path.map((h) => Buffer.from(h, 'hex')),
      );
      proofsOk &&= root?.toString('hex') === latest.root;
    }
    const proofSeconds = Number(process.hrtime.bigint() - proofStart) / 1e9;
    if (!report.ok)
      options.log(
        `   problems: ${report.problems
          .slice(0, 3)
          .map((p) => `${p.code} ${p.message}`)
          .join('; ')}`,
      );
    return {
      villages: options.villages,
      villageMonths: options.villages * MONTHS,
      seconds: round(seconds, 2),
      mbPerSecond: round(bytes / MB / seconds, 1),
      proofSeconds: round(proofSeconds, 3),
      inclusionProofsPerSecond: Math.round(options.villages / proofSeconds),
      ok: report.ok && report.saved.join() === '1' && proofsOk,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(saved, { recursive: true, force: true });
  }
}

// `tsx bench/suite/verify.ts --checkpoints [--villages N]`: this figure alone, without the rest of the suite.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1] && process.argv.includes('--checkpoints')) {
  const at = process.argv.indexOf('--villages');
  const villages = at > 0 ? Number(process.argv[at + 1]) : 200;
  const result = await verifyCheckpointsRun({ villages, vouchersPerMonth: 80, log: (s) => console.error(s) });
  console.log(JSON.stringify(result, null, 2));
  process.exitCode = result.ok ? 0 : 1;
}
