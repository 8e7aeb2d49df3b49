// The demo's receipts are public on first start, and the operator's CLI attaches and confirms like the API.
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import sharp from 'sharp';
import { describe, expect, inject, it } from 'vitest';
import { queryRows } from '@mingbai/db/client';
import { readStoredFile } from '@mingbai/db/files/store';
import { openPeriod } from '@mingbai/db/ledger/periods';
import { postVouchers } from '@mingbai/db/ledger/post';
import { useTestApi } from '../support/api.ts';
import { aVillage, aVoucher, credit, debit } from '../support/builders.ts';
import { cli } from '../support/cli.ts';
import { aUser } from '../support/users.ts';
import { aPhoto } from './images.ts';

const t = useTestApi();

describe('the demo', () => {
  it('shows confirmed, redacted receipts on some of 付村’s payments', async () => {
    const res = await t.api.query<{
      village: { statement: { lines: { nodes: { voucherNumber: number }[] } } };
    }>(
      `{ village(slug: "fucun") { statement(year: 2026, month: 10) { lines(first: 50) { nodes { voucherNumber } } } } }`,
    );
    expect(res.errors).toBeUndefined();
    const numbers = [...new Set(res.data!.village.statement.lines.nodes.map((n) => n.voucherNumber))];
    const found = await t.api.query<{
      village: Record<string, { attachments: { sha256: string; url: string }[] } | null>;
    }>(
      `{ village(slug: "fucun") { ${numbers
        .slice(0, 20)
        .map((n) => `v${n}: voucher(year: 2026, month: 10, number: ${n}) { attachments { sha256 url } }`)
        .join(' ')} } }`,
    );
    expect(found.errors).toBeUndefined();
    const attachments = Object.values(found.data!.village).flatMap((v) => v?.attachments ?? []);
    expect(attachments.length).toBeGreaterThanOrEqual(1);
    const view = readStoredFile(attachments[0]!.sha256)!;
    expect((await sharp(view).metadata()).exif).toBeUndefined();
    const [row] = await queryRows<{ n: number; unconfirmed: number }>(
      t.handle.db,
      sql`select count(*)::int as n, count(*) filter (where confirmed_by is null)::int as unconfirmed
            from attachments a join villages v on v.id = a.village_id where v.slug = 'fucun'`,
    );
    expect(row!.n).toBeGreaterThanOrEqual(4);
    expect(row!.unconfirmed).toBe(0);
  });
});

describe('pnpm cli attach / confirm-attachment', () => {
  // PGlite serves one process: the CLI can only share the test's database on a PostgreSQL server.
  it.skipIf(!inject('databaseUrl'))(
    'attaches with a redaction as the accountant, refuses the accountant’s confirmation, takes the supervisor’s',
    async () => {
      const village = await aVillage(t.handle.db);
      const accountant = await aUser(t.handle.db, ['accountant', village.slug]);
      const supervisor = await aUser(t.handle.db, ['supervisor', village.slug]);
      const key = { villageId: village.id, year: 2025, month: 3 };
      await t.handle.db.transaction(async (tx) => {
        const { revision } = await openPeriod(tx, { ...key, actor: 'test' });
        await postVouchers(tx, {
          ...key,
          revision,
          actor: 'test',
          vouchers: [
            aVoucher(
              3,
              '2025-03-05',
              '购买办公用品',
              debit('51301', 8_000, { accountName: '办公费' }),
              credit('101', 8_000),
            ),
          ],
        });
      });
      const file = join(mkdtempSync(join(tmpdir(), 'mingbai-att-')), 'receipt.jpg');
      writeFileSync(file, await aPhoto(11));
      const common = ['--village', village.slug, '--month', '2025-03'];
      const attached = await cli(
        'attach',
        '--as',
        accountant,
        ...common,
        '--voucher',
        '3',
        '--file',
        file,
        '--redact',
        '0,0,0.5,0.1',
      );
      expect(attached.failed).toBe(false);
      const result = attached.report.result as { id: number; redactions: unknown[]; confirmedBy: string | null };
      expect(result.redactions).toHaveLength(1);
      const refused = await cli('confirm-attachment', '--as', accountant, ...common, '--id', String(result.id));
      expect(refused.failed).toBe(true);
      expect((refused.report.error as { code: string }).code).toBe('FORBIDDEN');
      const confirmed = await cli('confirm-attachment', '--as', supervisor, ...common, '--id', String(result.id));
      expect(confirmed.failed).toBe(false);
      expect((confirmed.report.result as { confirmedBy: string }).confirmedBy).toBe(supervisor);
    },
  );
});
