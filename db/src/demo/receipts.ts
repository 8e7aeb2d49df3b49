// The demo's receipts: invoice-like pictures drawn in memory (an SVG composited by sharp), each with a fake
// taxpayer number and a payee ID number whose area is redacted, attached to a few payments of 付村's last published
// months through the same pipeline and ledger rows as an upload, and confirmed by the demo supervisor.
import sharp from 'sharp';
import type { Tx } from '../client.ts';
import { processUpload, type Redaction } from '../files/image.ts';
import { putFile } from '../files/store.ts';
import { attach, confirm } from '../ledger/attachments.ts';
import type { PeriodKey } from '../ledger/periods.ts';
import type { VoucherInput } from '../ledger/voucher-input.ts';
import { formatYuan } from '../ledger/money.ts';

/** Which demo months get receipts: 付村's last two published months, their first expense payments. */
export const DEMO_RECEIPTS = { villageSlug: 'fucun', months: ['2026-9', '2026-10'], perMonth: 2 } as const;

const WIDTH = 1000;
const HEIGHT = 640;
/** Where the payee's ID number is printed, as a fraction of the picture: redacted in the published view. */
const ID_AREA: Redaction = { x: 0.52, y: 0.66, w: 0.42, h: 0.09 };

const escape = (s: string) =>
  s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);

function receiptSvg(v: VoucherInput, seed: number): string {
  const amountFen = v.lines.filter((l) => l.side === 'debit').reduce((s, l) => s + BigInt(l.amountFen), 0n);
  const taxpayer = `91120111MA0${String(100000 + seed * 7919).slice(-6)}X${seed % 10}`;
  const id = `120111${1960 + (seed % 40)}0${(seed % 9) + 1}1${seed % 10}${String(1000 + seed).slice(-4)}`;
  const row = (y: number, label: string, value: string) =>
    `<text x="60" y="${y}" font-size="26" fill="#333">${escape(label)}</text>` +
    `<text x="330" y="${y}" font-size="26" fill="#111">${escape(value)}</text>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}">
  <rect width="100%" height="100%" fill="#fbf7ee"/>
  <rect x="24" y="24" width="${WIDTH - 48}" height="${HEIGHT - 48}" fill="none" stroke="#b33" stroke-width="3"/>
  <text x="${WIDTH / 2}" y="92" font-size="40" text-anchor="middle" fill="#b33">天津增值税普通发票（演示）</text>
  <text x="${WIDTH / 2}" y="130" font-size="20" text-anchor="middle" fill="#b33">DEMO INVOICE · NOT A REAL DOCUMENT</text>
  ${row(200, '发票号码 No.', String(24000000 + seed * 131))}
  ${row(250, '开票日期 Date', v.date)}
  ${row(300, '项目 Item', v.summary.slice(0, 18))}
  ${row(350, '金额 Amount', `¥ ${formatYuan(amountFen)}`)}
  ${row(400, '纳税人识别号 Tax ID', taxpayer)}
  <text x="60" y="${HEIGHT * 0.72}" font-size="26" fill="#333">收款人身份证号 Payee ID</text>
  <text x="${WIDTH * 0.53}" y="${HEIGHT * 0.72}" font-size="28" fill="#111">${id}</text>
  <circle cx="${WIDTH - 150}" cy="${HEIGHT - 110}" r="70" fill="none" stroke="#d22" stroke-width="5"/>
  <text x="${WIDTH - 150}" y="${HEIGHT - 102}" font-size="22" text-anchor="middle" fill="#d22">发票专用章</text>
</svg>`;
}

/** A receipt photo for a voucher: JPEG, as a phone would send it. */
export async function demoReceipt(v: VoucherInput, seed: number): Promise<Buffer> {
  return sharp(Buffer.from(receiptSvg(v, seed)))
    .jpeg({ quality: 82 })
    .toBuffer();
}

/** The first `count` payments of an expense account, by number. */
export function receiptVouchers(vouchers: readonly VoucherInput[], count: number): VoucherInput[] {
  return vouchers
    .filter((v) => v.lines.some((l) => l.side === 'debit' && l.accountCode.startsWith('5')))
    .slice(0, count);
}

/**
 * Attaches a receipt to each voucher (redacting the payee ID) and has the supervisor confirm it, inside the month's
 * transaction, before the review: the approval's content mark covers the published views.
 */
export async function attachDemoReceipts(
  tx: Tx,
  key: PeriodKey,
  vouchers: readonly VoucherInput[],
  people: { uploader: string; supervisor: string; at: Date },
): Promise<number> {
  let n = 0;
  for (const v of vouchers) {
    const seed = key.year * 100 + key.month * 10 + v.number;
    const bytes = await demoReceipt(v, seed);
    const upload = await processUpload(bytes, `receipt-${key.year}-${key.month}-${v.number}.jpg`, [ID_AREA]);
    putFile(bytes);
    putFile(upload.view.bytes);
    putFile(upload.thumbnail.bytes);
    const { id } = await attach(tx, {
      ...key,
      actor: people.uploader,
      voucherNumber: v.number,
      kind: 'receipt',
      filename: `发票-${v.number}.jpg`,
      upload,
      redactions: [ID_AREA],
      at: people.at,
    });
    await confirm(tx, { ...key, actor: people.supervisor, id, at: people.at });
    n++;
  }
  return n;
}
