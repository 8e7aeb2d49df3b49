// The worked example printed in docs/DIGEST.md and on /docs/digest is what the one canonical text (digest.ts) writes,
// and its hash is the one the documents state: a reader who reproduces it reproduces the real thing.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { canonicalText, publicDigest, type PublicDigestInput } from '@mingbai/db/ledger/digest';
import { DIGEST_EXAMPLE_V3 } from '../../portal/src/lib/docs/digest-example.ts';

const example = (format: PublicDigestInput['format']): PublicDigestInput => ({
  format,
  villageCode: '120111102201',
  year: 2025,
  month: 8,
  revision: 1,
  standard: '2023',
  previousDigest: '3b5d0c4e9a8f7e6d5c4b3a29180706f5e4d3c2b1a09f8e7d6c5b4a3928170605',
  reason: null,
  vouchers: [
    {
      number: 1,
      date: '2025-08-05',
      summaryPublic: '支付8月保洁费',
      attachments: 1,
      preparer: '刘*计',
      reviewer: '赵*任',
      approver: '王*国',
      lines: [
        {
          lineNo: 1,
          accountCode: '51301',
          side: 'debit',
          amountFen: '120000',
          summaryPublic: null,
          counterpartyPublic: '张*静',
          paymentMethod: 'bank',
        },
        {
          lineNo: 2,
          accountCode: '102',
          side: 'credit',
          amountFen: '120000',
          summaryPublic: null,
          counterpartyPublic: null,
          paymentMethod: 'bank',
        },
      ],
    },
  ],
  review: {
    approvedBy: '李*华',
    approvedAt: '2025-09-03T02:15:30.120Z',
    approvalNote: '已核对银行回单',
    rules: 'builtin-1',
    flags: [
      [
        'CASH_OVER_LIMIT:1',
        'CASH_OVER_LIMIT',
        1,
        '120000',
        '现金支付1200.00元，超过1000元',
        null,
        ['已改为转账，附回单', '刘*计', '2025-09-02T08:00:00.000Z'],
      ],
    ],
  },
  // Given out of order: the text sorts them (the month's documents first).
  attachments: [
    { voucherNumber: 1, kind: 'receipt', sha256: 'a'.repeat(64), thumbnailSha256: 'b'.repeat(64), pageSha256s: [] },
    {
      voucherNumber: null,
      kind: 'minutes',
      sha256: 'c'.repeat(64),
      thumbnailSha256: 'd'.repeat(64),
      pageSha256s: ['e'.repeat(64)],
    },
  ],
});

describe('the worked example of docs/DIGEST.md and /docs/digest', () => {
  it('is the canonical text digest.ts writes, with the hashes the documents state', () => {
    const v3 = [...canonicalText(example('mingbai-period-v3'))];
    expect(v3).toEqual(DIGEST_EXAMPLE_V3.map((l) => `${l}\n`));
    const hash = publicDigest(example('mingbai-period-v3'));
    expect(createHash('sha256').update(v3.join('')).digest('hex')).toBe(hash);

    const doc = readFileSync(new URL('../../docs/DIGEST.md', import.meta.url), 'utf8');
    for (const line of DIGEST_EXAMPLE_V3) expect(doc).toContain(line);
    expect(doc).toContain(hash);
    expect(doc).toContain(publicDigest(example('mingbai-period-v1')));
    expect(doc).toContain(publicDigest(example('mingbai-period-v2')));
  });

  it('changes with any covered byte: an attachment hash, the reason, a flag answer', () => {
    const base = publicDigest(example('mingbai-period-v3'));
    const e = example('mingbai-period-v3');
    expect(publicDigest({ ...e, attachments: [{ ...e.attachments[0]!, sha256: 'e'.repeat(64) }] })).not.toBe(base);
    expect(
      publicDigest({ ...e, attachments: [e.attachments[0]!, { ...e.attachments[1]!, pageSha256s: [] }] }),
    ).not.toBe(base);
    expect(publicDigest({ ...e, reason: '补记一笔' })).not.toBe(base);
    expect(publicDigest({ ...e, review: { ...e.review!, flags: [] } })).not.toBe(base);
  });
});
