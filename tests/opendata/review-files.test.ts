// The review in the bulk files: flags.csv lists every red flag of a published month with the committee's answer,
// names masked as the API shows them; statements.csv carries the approval and the rule version. Read back with a
// CSV reader of the test's own, over HTTP, from a month that went through the real review.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { queryRows } from '@mingbai/db/client';
import { changeReviewStatus, openPeriod } from '@mingbai/db/ledger/periods';
import { postVouchers } from '@mingbai/db/ledger/post';
import { publishSubmitted } from '@mingbai/db/ledger/publish';
import { reviewMonth } from '@mingbai/db/ledger/approvals';
import { publicDigest, type PublicFlag, type PublicVoucher } from '@mingbai/db/ledger/digest';
import { useTestApi } from '../support/api.ts';
import { aMonth, aVillage, aVoucher, approveForPublication, credit, debit } from '../support/builders.ts';

const cacheDir = mkdtempSync(join(tmpdir(), 'mingbai-opendata-review-'));
process.env.MINGBAI_OPENDATA_DIR = cacheDir;
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

const t = useTestApi();
const get = (path: string) => fetch(new URL(path, t.api.url));

/** RFC 4180 rows as objects keyed by the header, after the BOM. */
async function csvRecords(path: string): Promise<Record<string, string>[]> {
  const res = await get(path);
  expect(res.status).toBe(200);
  const text = (await res.text()).replace(/^\ufeff/, '');
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted && c === '"' && text[i + 1] === '"') {
      cell += '"';
      i++;
    } else if (c === '"') quoted = !quoted;
    else if (quoted || (c !== ',' && c !== '\n')) cell += c;
    else {
      row.push(cell);
      cell = '';
      if (c === '\n') {
        rows.push(row);
        row = [];
      }
    }
  }
  const [header, ...body] = rows;
  return body.map((r) => Object.fromEntries(header!.map((name, i) => [name, r[i]!])));
}

/**
 * 2025-04 with a ¥1,200 cash payment to 张三 (CASH_OVER_LIMIT:2), a supervisor's flag on voucher 3 whose reason
 * starts like a formula, published long after 10 May (LATE_PUBLICATION:month); approved by 王建国 with a note,
 * every flag answered by 李明华.
 */
async function aReviewedMonth() {
  const village = await aVillage(t.handle.db);
  const key = { villageId: village.id, year: 2025, month: 4 };
  await t.handle.db.transaction(async (tx) => {
    const { revision } = await openPeriod(tx, { ...key, actor: 'test' });
    await postVouchers(tx, {
      ...key,
      revision,
      actor: 'test',
      vouchers: [
        aVoucher(1, '2025-04-02', '收到镇拨运转经费', debit('101', 500_000), credit('503', 500_000)),
        aVoucher(
          2,
          '2025-04-08',
          '支付张三劳务费',
          debit('51301', 120_000, { accountName: '劳务费' }),
          credit('101', 120_000, { paymentMethod: 'cash', counterparty: { name: '张三', isPerson: true } }),
        ),
        aVoucher(3, '2025-04-09', '购买办公用品', debit('51301', 8_000), credit('101', 8_000)),
      ],
    });
    await tx.execute(sql`insert into voucher_flags (village_id, year, month, revision, voucher_number, author, reason)
                         values (${village.id}, 2025, 4, ${revision}, 3, '赵卫东', '=发票抬头不是本村')`);
    await changeReviewStatus(tx, { ...key, actor: 'test', to: 'submitted' });
  });
  await approveForPublication(t.handle.db, key, { supervisor: '王建国', committee: '李明华' });
  // The supervisor's latest decision counts: approved again, with a note, on the same content.
  await t.handle.db.transaction((tx) =>
    reviewMonth(tx, { ...key, actor: '王建国', decision: 'approved', note: '已核对银行回单，出纳电话13812345678' }),
  );
  await t.handle.db.transaction((tx) => publishSubmitted(tx, { ...key, actor: 'test-director' }));
  return village;
}

describe('the review in the bulk files', () => {
  it('lists every flag of the month with its answer in flags.csv, names masked, formulas neutralised', async () => {
    // Setup
    const village = await aReviewedMonth();
    // Action
    const flags = await csvRecords(`/data/v/${village.slug}/2025-04/flags.csv`);
    // Assertions
    expect(flags.map((f) => f.flag_key)).toEqual([
      'CASH_OVER_LIMIT:2',
      expect.stringMatching(/^supervisor:[0-9]+$/),
      'LATE_PUBLICATION:month',
    ]);
    expect(flags[0]).toMatchObject({
      village_slug: village.slug,
      year: '2025',
      month: '4',
      revision: '1',
      source: 'RULE',
      rule_code: 'CASH_OVER_LIMIT',
      rule_title: '大额现金支付',
      voucher_number: '2',
      amount_fen: '120000',
      raised_by: '',
      answer: '已核实，凭证齐全。',
      answered_by: '李*华',
      answered_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
    });
    expect(flags[0]!.detail).not.toContain('张三');
    expect(flags[1]).toMatchObject({
      source: 'SUPERVISOR',
      rule_code: 'SUPERVISOR',
      voucher_number: '3',
      amount_fen: '',
      detail: "'=发票抬头不是本村",
      raised_by: '赵*东',
      answered_by: '李*华',
    });
    expect(flags[2]).toMatchObject({ voucher_number: '', rule_code: 'LATE_PUBLICATION' });
    // The same flags the API shows the public, in the same masked form.
    const api = await t.api.query<{ village: { statement: { redFlags: { key: string }[] } } }>(
      `query ($s: String!) { village(slug: $s) { statement(year: 2025, month: 4) { redFlags { key } } } }`,
      { s: village.slug },
    );
    expect(new Set(api.data!.village.statement.redFlags.map((f) => f.key))).toEqual(
      new Set(flags.map((f) => f.flag_key)),
    );
  });

  it('records the approval and the rule version in statements.csv, and describes flags.csv in the data package', async () => {
    // Setup
    const village = await aReviewedMonth();
    const quiet = await aVillage(t.handle.db);
    await aMonth(t.handle.db, quiet.id, 2025, 4, [
      aVoucher(1, '2025-04-02', '电费', debit('513', 1_000), credit('102', 1_000)),
    ]);
    // Action
    const [statement] = await csvRecords(`/data/v/${village.slug}/2025-04/statements.csv`);
    const [approvedAt] = await queryRows<{ at: string }>(
      t.handle.db,
      sql`select to_char(approved_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as at from periods
           where village_id = ${village.id} and year = 2025 and month = 4`,
    );
    const [quietStatement] = await csvRecords(`/data/v/${quiet.slug}/2025-04/statements.csv`);
    const quietFlags = await get(`/data/v/${quiet.slug}/2025-04/flags.csv`);
    const pkg = (await (await get(`/data/v/${village.slug}/2025-04/datapackage.json`)).json()) as {
      resources: { path: string; schema: { fields: { name: string }[]; primaryKey: string[] } }[];
    };
    const national = await csvRecords(`/data/months/2025-04/flags.csv`);
    // Assertions
    expect(statement).toMatchObject({
      approved_at: approvedAt!.at,
      // The note is public: stored on the period, and so written here, with the phone number masked.
      approval_note: '已核对银行回单，出纳电话138****5678',
      red_flag_rules: 'builtin-1',
      red_flag_count: '3',
    });
    // A month published without a review (the builder publishes directly) has empty approval cells.
    expect(quietStatement).toMatchObject({ approved_at: '', approval_note: '', red_flag_rules: 'builtin-1' });
    const quietText = (await quietFlags.text()).replace(/^\ufeff/, '');
    expect(quietText.split('\n').filter(Boolean)).toHaveLength(1 + Number(quietStatement!.red_flag_count));
    const flagsResource = pkg.resources.find((r) => r.path === 'r1/flags.csv')!;
    expect(flagsResource.schema.primaryKey).toEqual(['village_code', 'year', 'month', 'revision', 'flag_key']);
    expect(flagsResource.schema.fields.map((f) => f.name)).toContain('answered_by');
    expect(national.filter((f) => f.village_slug === village.slug)).toHaveLength(3);
  });

  it('carries every input of the v3 digest, masked: recomputed from the downloads alone, it matches', async () => {
    // Setup
    const village = await aReviewedMonth();
    const base = `/data/v/${village.slug}/2025-04/r1`;
    // Action: only what anyone can download
    const [statement] = await csvRecords(`${base}/statements.csv`);
    const inputsText = await (await get(`${base}/digests.jsonl`)).text();
    const inputs = JSON.parse(inputsText) as {
      digest_format: string;
      reason: string | null;
      vouchers: [number, string | null, string | null, string | null][];
      review: {
        approved_by: string;
        approved_at: string;
        approval_note: string;
        red_flag_rules: string;
        flags: PublicFlag[];
      };
    };
    const lines = (await (await get(`${base}/lines.jsonl`)).text())
      .split('\n')
      .filter(Boolean)
      .map(
        (l) =>
          JSON.parse(l) as {
            voucher_number: number;
            voucher_date: string;
            summary: string;
            attachments: number;
            line_no: number;
            account_code: string;
            side: string;
            amount_fen: string;
            line_summary: string | null;
            counterparty: string | null;
            payment_method: string | null;
          },
      );
    const pkg = (await (await get(`/data/v/${village.slug}/2025-04/datapackage.json`)).json()) as {
      mingbai: { digestFormat: string };
    };
    const vouchers = inputs.vouchers.map(([number, preparer, reviewer, approver]): PublicVoucher => {
      const own = lines.filter((l) => l.voucher_number === number);
      return {
        number,
        date: own[0]!.voucher_date,
        summaryPublic: own[0]!.summary,
        attachments: own[0]!.attachments,
        preparer,
        reviewer,
        approver,
        lines: own.map((l) => ({
          lineNo: l.line_no,
          accountCode: l.account_code,
          side: l.side,
          amountFen: l.amount_fen,
          summaryPublic: l.line_summary,
          counterpartyPublic: l.counterparty,
          paymentMethod: l.payment_method,
        })),
      };
    });
    const computed = publicDigest({
      format: 'mingbai-period-v3',
      villageCode: statement!.village_code!,
      year: 2025,
      month: 4,
      revision: 1,
      standard: statement!.account_standard!,
      previousDigest: statement!.previous_digest || null,
      reason: inputs.reason,
      vouchers,
      review: {
        approvedBy: inputs.review.approved_by,
        approvedAt: inputs.review.approved_at,
        approvalNote: inputs.review.approval_note,
        rules: inputs.review.red_flag_rules,
        flags: inputs.review.flags,
      },
      attachments: [],
    });
    // Assertions
    expect(statement!.digest_format).toBe('mingbai-period-v3');
    expect(inputs.digest_format).toBe('mingbai-period-v3');
    expect(pkg.mingbai.digestFormat).toBe('mingbai-period-v3');
    expect(computed).toBe(statement!.digest);
    // Masked: the approver, the supervisor who flagged, the committee member who answered, the payee.
    expect(inputs.review.approved_by).toBe('王*国');
    expect(inputsText).not.toMatch(/王建国|李明华|赵卫东|张三/);
    expect(inputs.review.flags.map((f) => f[0])).toEqual(
      expect.arrayContaining(['CASH_OVER_LIMIT:2', 'LATE_PUBLICATION:month']),
    );
  });
});
