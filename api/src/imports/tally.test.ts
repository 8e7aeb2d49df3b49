import { describe, expect, it } from 'vitest';
import type { VoucherInput } from '@mingbai/db/ledger/voucher-input';
import { voucherHash, voucherHashOfText } from './tally.ts';

const voucher = (over: Partial<VoucherInput> = {}): VoucherInput => ({
  number: 7,
  date: '2026-11-03',
  summary: '支付村委会电费',
  attachments: 1,
  lines: [
    {
      accountCode: '51302',
      accountName: '水电费',
      side: 'debit',
      amountFen: 123456n,
      counterparty: { name: '西青区供电公司', isPerson: false, bankAccount: '6222000011112222' },
      paymentMethod: 'bank',
    },
    { accountCode: '102', side: 'credit', amountFen: 123456n, summary: '电费（二）' },
  ],
  ...over,
});

describe('voucherHash, fed field by field', () => {
  it('is the hash of the voucher text, as when the text was built first', () => {
    const cases: VoucherInput[] = [
      voucher(),
      voucher({ summary: '' }),
      voucher({ lines: [] }),
      voucher({ lines: [{ accountCode: '101', side: 'debit', amountFen: 9_000_000_000_000_000n }] }),
      voucher({ lines: [{ accountCode: '101', side: 'credit', amountFen: -5n }] }),
      voucher({ date: '2026-11-30', summary: '𠀋代发低保金（王桂兰）' }),
    ];
    for (const v of cases) expect(voucherHash(v)).toBe(voucherHashOfText(v));
  });

  it('tells vouchers apart by a payee, an amount or the place of a separator', () => {
    const base = voucherHash(voucher());
    const [debit, credit] = voucher().lines as [VoucherInput['lines'][0], VoucherInput['lines'][0]];
    expect(voucherHash(voucher({ lines: [{ ...debit, amountFen: 123457n }, credit] }))).not.toBe(base);
    expect(
      voucherHash(voucher({ lines: [{ ...debit, counterparty: { name: '精武镇财政所', isPerson: false } }, credit] })),
    ).not.toBe(base);
    expect(voucherHash(voucher({ summary: '支付村委会', date: '2026-11-03电费' }))).not.toBe(base);
    // Numbers and account names are not part of it: a voucher pasted in twice is the same but for its number.
    expect(voucherHash(voucher({ number: 8 }))).toBe(base);
  });
});
