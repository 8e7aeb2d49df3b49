// Issue 12.7, end to end: personal data written the ways accountants write it goes in through a real CSV import and,
// once the month is published, appears in clear in none of the public outputs: GraphQL, the month's CSV and JSON
// Lines under /data (village and national), the portal's month and voucher pages. Job titles and organisations stay.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { queryRows } from '@mingbai/db/client';
import { publishPeriod } from '@mingbai/db/ledger/publish';
import { aVillage } from '../support/builders.ts';
import { useTestPortal } from '../support/portal.ts';
import { aUser, TEST_PASSWORD } from '../support/users.ts';

const cacheDir = mkdtempSync(join(tmpdir(), 'mingbai-privacy-test-'));
process.env.MINGBAI_OPENDATA_DIR = cacheDir;
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

const t = useTestPortal();

// The hostile strings of issue 12.7, one voucher each (two lines), with the payee where the file names one.
const ROWS: [summary: string, payee: string, isPerson: string][] = [
  ['退还押金 联系电话138 1234 5678', '欧阳凤兰', '是'],
  ['支付误工补贴 电话138-1234-5678 经办人郑小军', '', ''],
  ['退还保证金 联系人手机+86-139-8765-4321', '', ''],
  ['退还押金 联系电话１３８１２３４５６７８', '', ''],
  ['退还押金 身份证120111 19800101 1237', '', ''],
  ['发放补贴 打入卡号6228-4801-2345-6789-015', '', ''],
  ['陈大明领取误工补贴 手机+8613611112222', '', ''],
  ['刘会计报销差旅费', '刘会计', ''],
  ['赵主任经手 支付付村村民委员会电费', '付村村民委员会', '否'],
];

/** Never public, in any spelling: each is what a person wrote, or what the old masker made of it. */
const SECRETS = ['郑小军', '陈大明', '欧阳凤兰', '+8613 ****2222', '欧**兰'];
/** Public, as written or masked exactly as DESIGN.md says. */
const SHOWN = ['138****5678', '+86 139****4321', '120111********1237', '6228 ****9015', '+86 136****2222'];
const SHOWN_NAMES = ['郑*军', '陈*明', '欧阳*兰', '刘会计', '赵主任', '付村村民委员会'];

/**
 * Mobile, ID and card numbers in a body however written (after full-width digits are made ASCII), by patterns that
 * share nothing with the masker: the ones /work/shared/tools/leak-scan.py uses.
 */
function numbersInClear(body: string): string[] {
  const plain = body
    .replace(/[\uff10-\uff19]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xff10 + 48))
    .replace(/\uff0d/g, '-')
    .replace(/\u3000/g, ' ');
  const sep = '[ \\-.\\u00a0]?';
  const left = '(?<![0-9A-Za-z.*])';
  const right = '(?![0-9A-Za-z*])';
  const patterns = [
    new RegExp(`${left}\\d{6}${sep}(?:19|20)\\d{2}${sep}\\d{2}${sep}\\d{2}${sep}\\d{3}[\\dXx]${right}`, 'g'),
    new RegExp(`${left}(?:\\+?86${sep})?1[3-9]\\d${sep}\\d{4}${sep}\\d{4}${right}`, 'g'),
    new RegExp(`${left}(?:62|4\\d|5[1-5])\\d{2}(?:${sep}\\d{3,4}){3,4}${right}`, 'g'),
  ];
  return patterns.flatMap((p) => [...plain.matchAll(p)].map((m) => m[0]));
}

function expectNothingInClear(label: string, body: string, { masked = true } = {}): void {
  expect(numbersInClear(body), label).toEqual([]);
  for (const secret of SECRETS) expect(body, `${label}: ${secret}`).not.toContain(secret);
  if (masked) for (const shown of [...SHOWN, ...SHOWN_NAMES]) expect(body, `${label}: ${shown}`).toContain(shown);
}

async function publishedHostileMonth(): Promise<{ id: number; slug: string }> {
  const village = await aVillage(t.handle.db, '隐私村');
  const csv = ['凭证号,日期,摘要,科目编码,借方金额,贷方金额,收款人,是否个人'];
  ROWS.forEach(([summary, payee, isPerson], i) => {
    const day = `2025-03-${String(i + 2).padStart(2, '0')}`;
    csv.push(`${i + 1},${day},${summary},513,${i + 1}00.00,,${payee},${isPerson}`);
    csv.push(`${i + 1},${day},${summary},102,,${i + 1}00.00,,`);
  });
  const accountant = await aUser(t.handle.db, ['accountant', village.slug]);
  const as = t.api.as(await t.api.login(accountant, TEST_PASSWORD));
  const res = await as<{ importLedger: { status: string; problems: { code: string; message: string }[] } }>(
    `mutation ($v: String!, $c: String!) {
      importLedger(villageSlug: $v, filename: "hostile-privacy.csv", contentBase64: $c, dryRun: false) {
        status problems { code message } } }`,
    { v: village.slug, c: Buffer.from(csv.join('\n') + '\n').toString('base64') },
  );
  expect(res.errors).toBeUndefined();
  expect(res.data!.importLedger.problems).toEqual([]);
  expect(res.data!.importLedger.status).toBe('COMMITTED');
  await t.handle.db.transaction((tx) =>
    publishPeriod(tx, { villageId: village.id, year: 2025, month: 3, actor: 'test-director' }),
  );
  return village;
}

describe('personal data written differently (issue 12.7)', () => {
  it('is masked in GraphQL, /data CSV and JSON Lines, and the portal pages of a published month', async () => {
    const village = await publishedHostileMonth();
    // What was stored in clear is the committee's own text; the public columns are what every output reads.
    const stored = await queryRows<{ summary: string }>(
      t.handle.db,
      sql`select summary from vouchers where village_id = ${village.id} order by number`,
    );
    expect(stored.map((r) => r.summary)).toEqual(ROWS.map((r) => r[0]));

    const gql = await t.api.query(
      `query ($slug: String!) { village(slug: $slug) { statement(year: 2025, month: 3) {
        lines(first: 100) { totalCount nodes { summary counterparty { name isPerson }
          voucher { number summary approvals { role name } lines { summary counterparty { name } } } } } } } }`,
      { slug: village.slug },
    );
    expect(gql.errors).toBeUndefined();
    expect(gql.text).toContain('"totalCount":9');
    expectNothingInClear('GraphQL', gql.text);

    const bodies: [string, string][] = [];
    for (const path of [
      `/data/v/${village.slug}/2025-03/lines.csv`,
      `/data/v/${village.slug}/2025-03/lines.jsonl`,
      `/data/months/2025-03/lines.csv`,
      `/data/months/2025-03/lines.jsonl`,
    ]) {
      const res = await fetch(new URL(path, t.api.url));
      expect(res.status, path).toBe(200);
      bodies.push([path, await res.text()]);
    }
    for (const [path, body] of bodies) expectNothingInClear(path, body);
    // Every other input of the digest is public too (issue 17), and only in masked form.
    for (const path of [
      `/data/v/${village.slug}/2025-03/digests.jsonl`,
      `/data/months/2025-03/digests.jsonl`,
      `/data/months/2025-03/attachments.csv`,
    ]) {
      const res = await fetch(new URL(path, t.api.url));
      expect(res.status, path).toBe(200);
      expectNothingInClear(path, await res.text(), { masked: false });
    }

    const page = await fetch(`${t.portal.url}/v/${village.slug}/2025-03`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expectNothingInClear('portal month page', html.replace(/&#x2B;|&#43;/gi, '+'), { masked: false });
    for (const shown of ['138****5678', '郑*军', '陈*明', '刘会计']) expect(html).toContain(shown);

    for (let number = 1; number <= ROWS.length; number++) {
      const res = await fetch(`${t.portal.url}/v/${village.slug}/2025-03/${number}`);
      expect(res.status, `voucher ${number}`).toBe(200);
      expectNothingInClear(`portal voucher ${number}`, await res.text(), { masked: false });
    }
  });
});
