/**
 * Fills a fresh PostgreSQL database with a scale run's villages through `COPY … FROM STDIN`: regions, villages,
 * their accounts and 期初余额, and every month published exactly as `publishPeriod` would publish it (rollups with
 * balances carried forward, digests chained by chain_seq, computed here with db/src/ledger/digest.ts on the very rows
 * copied). The ledger triggers would refuse rows of published months, so the load sessions run with
 * `session_replication_role = replica`; secondary indexes and constraints are dropped around the copy and put back
 * with their exact definitions, which is checked before the run ends.
 */
import { createHash } from 'node:crypto';
import postgres from 'postgres';
import { migrateDb, openDb } from '@mingbai/db/client';
import type { YearMonth } from '@mingbai/db/demo/calendar';
import { createRng, hashSeed } from '@mingbai/db/demo/random';
import { carryForward } from '@mingbai/db/ledger/carry-forward';
import { periodDigest, type DigestVoucher } from '@mingbai/db/ledger/digest';
import { derivePublishedStatements } from '@mingbai/db/ledger/publish';
import { createTextMasker, maskName } from '@mingbai/db/ledger/privacy';
import type { AccountClass, AccountStandard } from '@mingbai/db/schema/accounts';
import { CopyWriter } from './copy.ts';
import { buildCast, openingBalances, planMonth, SUB_ACCOUNT_NAMES, type Balances, type Party } from './ledger.ts';
import { buildPlaceTree, type PlacedVillage } from './places.ts';
import type { Scale } from './scales.ts';

export interface LoadOptions {
  /** postgres://… of the server; its database is the target unless `database` is given. */
  databaseUrl: string;
  database?: string | undefined;
  scale: Scale;
  seed: number;
  /** Allows resetting a database whose name does not start with `mingbai_bench_`. */
  force?: boolean | undefined;
  log?: ((message: string) => void) | undefined;
  /** Hears of each village written: villages done of all, lines copied so far (for a progress line at a terminal). */
  progress?: ((p: { villages: number; totalVillages: number; lines: number }) => void) | undefined;
}

export interface BigMonth {
  slug: string;
  year: number;
  month: number;
  lines: number;
}

export interface LoadSummary {
  scale: string;
  seed: number;
  database: string;
  months: { from: string; to: string; count: number };
  places: { districts: number; towns: number; villages: number; communities: number };
  rows: Record<string, number>;
  copiedBytes: number;
  databaseBytes: number;
  phasesMs: Record<string, number>;
  totalMs: number;
  linesPerSecond: number;
  bigMonths: BigMonth[];
  /** SHA-256 over every village's code and last digest, read back from the database: equal runs, equal value. */
  chainHeadsDigest: string;
  node: string;
  startedAt: string;
}

const ACTOR = 'bench-data';
const STANDARD: AccountStandard = '2023';
/** The tables the copy fills in bulk, whose indexes are built after it. */
const BULK_TABLES = ['periods', 'vouchers', 'voucher_lines', 'statement_rollups'];

export function targetUrl(databaseUrl: string, database: string | undefined): { url: string; name: string } {
  const url = new URL(databaseUrl);
  if (database) url.pathname = `/${database}`;
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!name) throw new Error('DATABASE_URL names no database; add one or pass --database');
  return { url: url.toString(), name };
}

export async function loadScaleData(options: LoadOptions): Promise<LoadSummary> {
  const log = options.log ?? (() => {});
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const phasesMs: Record<string, number> = {};
  let phaseStart = performance.now();
  const phase = (name: string) => {
    const now = performance.now();
    phasesMs[name] = Math.round(now - phaseStart);
    phaseStart = now;
    log(`${name}: ${(phasesMs[name]! / 1000).toFixed(1)} s`);
  };

  const target = targetUrl(options.databaseUrl, options.database);
  if (!target.name.startsWith('mingbai_bench_') && !options.force) {
    throw new Error(
      `refusing to reset database "${target.name}": scale data goes into a database named mingbai_bench_…; ` +
        'pass --database mingbai_bench_<name>, or --force to reset this one',
    );
  }
  await resetDatabase(options.databaseUrl, target.name);
  const handle = await openDb({ databaseUrl: target.url, poolSize: 2 });
  try {
    await migrateDb(handle);
  } finally {
    await handle.close();
  }
  phase('create and migrate');

  const sql = postgres(target.url, { max: 10, onnotice: () => {}, connection: { application_name: 'mingbai-bench' } });
  try {
    const national = await sql<{ code: string; name: string; class: AccountClass }[]>`
      select code, name, class from accounts where standard = ${STANDARD}`;
    const nationalName = new Map(national.map((a) => [a.code, a.name]));
    const classes = new Map(national.map((a) => [a.code, a.class]));
    const classOf = (standard: AccountStandard, top: string) => (standard === STANDARD ? classes.get(top) : undefined);

    const schemaBefore = await schemaSnapshot(sql);
    const dropped = await dropBulkIndexes(sql);
    phase('drop indexes');

    const copy = await openCopies(sql);
    const stats = await generate(options, copy, { nationalName, classOf, log });
    for (const w of Object.values(copy)) await w.end();
    phase('generate and copy');

    await rebuildBulkIndexes(sql, dropped, log);
    await sql`select setval(pg_get_serial_sequence('vouchers', 'id'), (select coalesce(max(id), 1) from vouchers))`;
    await sql`select setval(pg_get_serial_sequence('villages', 'id'), (select coalesce(max(id), 1) from villages))`;
    await sql`select setval(pg_get_serial_sequence('regions', 'id'), (select coalesce(max(id), 1) from regions))`;
    phase('build indexes');
    // What publishPeriod derives for the month page besides rollups, by the same SQL, for every month at once.
    const derive = await openDb({ databaseUrl: target.url, poolSize: 1 });
    try {
      await derivePublishedStatements(derive.db);
    } finally {
      await derive.close();
    }
    phase('derive statement lines');
    await sql`analyze`;
    phase('analyze');

    const schemaAfter = await schemaSnapshot(sql);
    if (schemaAfter !== schemaBefore) {
      throw new Error('the schema after the load differs from the migrations: an index or constraint was not restored');
    }
    const rows: Record<string, number> = {};
    for (const table of [
      'regions',
      'villages',
      'village_accounts',
      'opening_balances',
      'periods',
      'vouchers',
      'voucher_lines',
      'statement_rollups',
    ]) {
      const [r] = await sql<{ n: string }[]>`select count(*)::text as n from ${sql(table)}`;
      rows[table] = Number(r!.n);
      if (rows[table] !== copy[table]!.rows) {
        throw new Error(`${table}: copied ${copy[table]!.rows} rows, found ${rows[table]}`);
      }
    }
    const heads = await sql<{ code: string; digest: string }[]>`
      select distinct on (v.id) v.code, p.digest
        from villages v join periods p on p.village_id = v.id
       where p.chain_seq is not null
       order by v.id, p.chain_seq desc`;
    const headHash = createHash('sha256');
    for (const h of heads) headHash.update(`${h.code} ${h.digest}\n`);
    const [size] = await sql<{ bytes: string }[]>`select pg_database_size(current_database())::text as bytes`;
    phase('count and check');

    const totalMs = Math.round(performance.now() - started);
    const last = addMonths(options.scale.months.from, options.scale.months.count - 1);
    return {
      scale: options.scale.name,
      seed: options.seed,
      database: target.name,
      months: { from: ymText(options.scale.months.from), to: ymText(last), count: options.scale.months.count },
      places: stats.places,
      rows,
      copiedBytes: Object.values(copy).reduce((n, w) => n + w.bytes, 0),
      databaseBytes: Number(size!.bytes),
      phasesMs,
      totalMs,
      linesPerSecond: Math.round(rows.voucher_lines! / (totalMs / 1000)),
      bigMonths: stats.bigMonths,
      chainHeadsDigest: headHash.digest('hex'),
      node: process.version,
      startedAt,
    };
  } finally {
    await sql.end({ timeout: 5 });
  }
}

async function resetDatabase(databaseUrl: string, name: string): Promise<void> {
  const admin = new URL(databaseUrl);
  admin.pathname = '/postgres';
  const sql = postgres(admin.toString(), { max: 1, onnotice: () => {} });
  try {
    await sql`drop database if exists ${sql(name)} with (force)`;
    await sql`create database ${sql(name)}`;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

type Sql = postgres.Sql;

const COLUMNS: Record<string, string[]> = {
  regions: ['id', 'parent_id', 'level', 'code', 'slug', 'name'],
  villages: ['id', 'town_id', 'kind', 'code', 'slug', 'name'],
  village_accounts: ['village_id', 'standard', 'code', 'top_code', 'name'],
  opening_balances: ['village_id', 'year', 'month', 'standard', 'account_code', 'balance_fen'],
  periods: [
    'village_id',
    'year',
    'month',
    'revision',
    'status',
    'standard',
    'reason',
    'opened_at',
    'opened_by',
    'submitted_at',
    'submitted_by',
    'published_at',
    'published_by',
    'digest',
    'previous_digest',
    'chain_seq',
    'voucher_count',
    'line_count',
  ],
  vouchers: [
    'village_id',
    'id',
    'year',
    'month',
    'revision',
    'number',
    'date',
    'summary',
    'summary_public',
    'attachments',
    'preparer',
    'reviewer',
    'approver',
    'import_id',
    'created_at',
    'created_by',
  ],
  voucher_lines: [
    'village_id',
    'voucher_id',
    'line_no',
    'standard',
    'account_code',
    'side',
    'amount_fen',
    'summary',
    'summary_public',
    'counterparty_name',
    'counterparty_is_person',
    'counterparty_public',
    'counterparty_id_number',
    'counterparty_phone',
    'counterparty_bank_account',
    'payment_method',
  ],
  statement_rollups: [
    'village_id',
    'year',
    'month',
    'revision',
    'standard',
    'account_code',
    'opening_fen',
    'debit_fen',
    'credit_fen',
    'closing_fen',
    'line_count',
  ],
};

type Copies = Record<string, CopyWriter>;

/** One reserved connection per table, each in replica mode so the ledger triggers and FK triggers stay quiet. */
async function openCopies(sql: Sql): Promise<Copies> {
  const out: Copies = {};
  for (const [table, columns] of Object.entries(COLUMNS)) {
    const conn = await sql.reserve();
    await conn`set session_replication_role = replica`;
    await conn`set synchronous_commit = off`;
    const stream = await conn`copy ${sql(table)} (${sql(columns)}) from stdin`.writable();
    stream.once('close', () => conn.release());
    out[table] = new CopyWriter(table, stream);
  }
  return out;
}

interface Catalog {
  /** Foreign keys touching the bulk tables, then their primary and unique keys, then plain indexes. */
  foreignKeys: { table: string; name: string; def: string }[];
  keys: { table: string; name: string; def: string }[];
  indexes: { name: string; def: string }[];
}

/** Every index and constraint definition of the public schema, to prove the load leaves them as migrated. */
async function schemaSnapshot(sql: Sql): Promise<string> {
  const constraints = await sql<{ t: string; name: string; def: string }[]>`
    select conrelid::regclass::text as t, conname as name, pg_get_constraintdef(oid) as def
      from pg_constraint where connamespace = 'public'::regnamespace order by 1, 2`;
  const indexes = await sql<{ name: string; def: string }[]>`
    select indexname as name, indexdef as def from pg_indexes where schemaname = 'public' order by 1`;
  return JSON.stringify([constraints, indexes]);
}

async function dropBulkIndexes(sql: Sql): Promise<Catalog> {
  const foreignKeys = await sql<{ table: string; name: string; def: string }[]>`
    select conrelid::regclass::text as table, conname as name, pg_get_constraintdef(oid) as def
      from pg_constraint
     where contype = 'f' and (conrelid::regclass::text in ${sql(BULK_TABLES)}
                              or confrelid::regclass::text in ${sql(BULK_TABLES)})
     order by 1, 2`;
  const keys = await sql<{ table: string; name: string; def: string }[]>`
    select conrelid::regclass::text as table, conname as name, pg_get_constraintdef(oid) as def
      from pg_constraint
     where contype in ('p', 'u') and conrelid::regclass::text in ${sql(BULK_TABLES)}
     order by 1, 2`;
  const indexes = await sql<{ name: string; def: string }[]>`
    select i.indexname as name, i.indexdef as def
      from pg_indexes i
     where i.schemaname = 'public' and i.tablename in ${sql(BULK_TABLES)}
       and not exists (select 1 from pg_constraint c where c.conname = i.indexname and c.contype in ('p', 'u'))
     order by 1`;
  for (const fk of foreignKeys) await sql`alter table ${sql(fk.table)} drop constraint ${sql(fk.name)}`;
  for (const k of keys) await sql`alter table ${sql(k.table)} drop constraint ${sql(k.name)}`;
  for (const i of indexes) await sql`drop index ${sql(i.name)}`;
  return { foreignKeys, keys, indexes };
}

/** Keys and indexes per table on parallel connections (the big tables build at the same time), then the FKs. */
async function rebuildBulkIndexes(sql: Sql, c: Catalog, log: (m: string) => void): Promise<void> {
  const byTable = new Map<string, string[]>();
  const push = (table: string, statement: string) => byTable.set(table, [...(byTable.get(table) ?? []), statement]);
  for (const k of c.keys) push(k.table, `alter table ${quote(k.table)} add constraint ${quote(k.name)} ${k.def}`);
  for (const i of c.indexes) push(/ ON public\.(\w+) /.exec(i.def)?.[1] ?? 'x', i.def);
  await Promise.all(
    [...byTable].map(([table, statements]) =>
      sql.begin(async (tx) => {
        await tx`set local maintenance_work_mem = '512MB'`;
        for (const s of statements) {
          const t0 = performance.now();
          await tx.unsafe(s);
          log(`  ${table}: ${s.slice(0, 90)} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
        }
      }),
    ),
  );
  for (const fk of c.foreignKeys) {
    const t0 = performance.now();
    await sql.unsafe(`alter table ${quote(fk.table)} add constraint ${quote(fk.name)} ${fk.def}`);
    log(`  ${fk.table}: ${fk.name} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  }
}

function quote(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function addMonths(from: YearMonth, n: number): YearMonth {
  const i = from.year * 12 + from.month - 1 + n;
  return { year: Math.floor(i / 12), month: (i % 12) + 1 };
}

function ymText(ym: YearMonth): string {
  return `${ym.year}-${String(ym.month).padStart(2, '0')}`;
}

/** Fixed clock readings, so equal runs are equal to the byte: 08:30 the month opens, 16:00 some days after it ends. */
function stamps(ym: YearMonth, villageId: number): { opened: string; created: string; published: string } {
  const next = addMonths(ym, 1);
  const day = String(3 + (villageId % 7)).padStart(2, '0');
  return {
    opened: `${ymText(ym)}-01 08:30:00+08`,
    created: `${ymText(next)}-${day} 10:00:00+08`,
    published: `${ymText(next)}-${day} 16:00:00+08`,
  };
}

interface GenerateContext {
  nationalName: Map<string, string>;
  classOf: (standard: AccountStandard, top: string) => AccountClass | undefined;
  log: (message: string) => void;
}

async function generate(
  options: LoadOptions,
  copy: Copies,
  ctx: GenerateContext,
): Promise<{ places: LoadSummary['places']; bigMonths: BigMonth[] }> {
  const { scale, seed } = options;
  const tree = buildPlaceTree(
    { districts: scale.districts, communityShare: scale.communityShare },
    createRng(hashSeed(`${seed}/places/${scale.name}`)),
  );
  const w = (table: string, values: Parameters<CopyWriter['row']>[0]) => copy[table]!.row(values);

  // Regions: the city, districts, towns; ids in that order.
  let regionId = 0;
  const cityId = ++regionId;
  await w('regions', [cityId, null, 'city', tree.city.code, tree.city.slug, tree.city.name]);
  const districtIds = new Map<string, number>();
  for (const d of tree.districts) {
    districtIds.set(d.code, ++regionId);
    await w('regions', [regionId, cityId, 'district', d.code, d.slug, d.name]);
  }
  const townIds: number[] = [];
  for (const t of tree.towns) {
    townIds.push(++regionId);
    await w('regions', [regionId, districtIds.get(t.district.code)!, 'town', t.code, t.slug, t.name]);
  }
  for (const v of tree.villages) {
    await w('villages', [v.id, townIds[v.townIndex]!, v.kind, v.code, v.slug, v.name]);
  }

  // A few villages get one month of `lines` lines.
  const pickRng = createRng(hashSeed(`${seed}/big-months/${scale.name}`));
  const candidates = tree.villages.filter((v) => v.kind === 'village');
  const bigMonths = new Map<number, { index: number; lines: number }>();
  for (const v of pickRng.sample(candidates, scale.bigMonths.villages)) {
    bigMonths.set(v.id, { index: pickRng.int(0, scale.months.count - 1), lines: scale.bigMonths.lines });
  }
  const bigReport: BigMonth[] = [];

  const months = Array.from({ length: scale.months.count }, (_, i) => addMonths(scale.months.from, i));
  let voucherId = 0;
  const t0 = performance.now();
  let lastLog = t0;
  for (const village of tree.villages) {
    voucherId = await writeVillage(village, months, bigMonths.get(village.id), voucherId, seed, w, ctx, (ym, n) => {
      bigReport.push({ slug: village.slug, year: ym.year, month: ym.month, lines: n });
    });
    const lineCount = copy.voucher_lines!.rows;
    options.progress?.({ villages: village.id, totalVillages: tree.villages.length, lines: lineCount });
    const now = performance.now();
    if (now - lastLog > 5_000 || village.id === tree.villages.length) {
      lastLog = now;
      const s = (now - t0) / 1000;
      ctx.log(
        `  ${village.id}/${tree.villages.length} villages, ${voucherId.toLocaleString('en')} vouchers, ` +
          `${lineCount.toLocaleString('en')} lines, ${Math.round(lineCount / s).toLocaleString('en')} lines/s, ` +
          `rss ${Math.round(process.memoryUsage().rss / 1e6)} MB`,
      );
    }
  }
  return {
    places: {
      districts: tree.districts.length,
      towns: tree.towns.length,
      villages: tree.villages.length,
      communities: tree.villages.filter((v) => v.kind === 'community').length,
    },
    bigMonths: bigReport,
  };
}

type Write = (table: string, values: Parameters<CopyWriter['row']>[0]) => Promise<void> | undefined;

/** All months of one village, in publishing order, with what `publishPeriod` derives from each. */
async function writeVillage(
  village: PlacedVillage,
  months: YearMonth[],
  big: { index: number; lines: number } | undefined,
  firstVoucherId: number,
  seed: number,
  w: Write,
  ctx: GenerateContext,
  onBig: (ym: YearMonth, lines: number) => void,
): Promise<number> {
  let voucherId = firstVoucherId;
  const cast = buildCast(village, seed);
  const opening = openingBalances(village, seed);
  const first = months[0]!;
  const accountsUsed = new Set<string>();
  for (const o of opening) {
    accountsUsed.add(o.code);
    await w('opening_balances', [village.id, first.year, first.month, STANDARD, o.code, o.balance]);
  }
  const balances: Balances = {
    cash: opening.find((o) => o.code === '101')?.balance ?? 0,
    bank: opening.find((o) => o.code === '10201')?.balance ?? 0,
  };
  let openingFen = new Map(opening.map((o) => [o.code, BigInt(o.balance)]));
  const persons = new Set<string>();
  let masker = createTextMasker([]);
  let maskerSize = -1;
  let previousDigest: string | null = null;

  for (const [index, ym] of months.entries()) {
    const bigLines = big?.index === index ? big.lines : undefined;
    const vouchers = planMonth(village, cast, seed, ym, balances, bigLines);
    // Like postVouchers: every person the village has dealt with so far, this batch included, masks the 摘要.
    for (const v of vouchers) for (const l of v.lines) if (l.party?.isPerson) persons.add(l.party.name.trim());
    if (persons.size !== maskerSize) {
      masker = createTextMasker(persons);
      maskerSize = persons.size;
    }
    const masked = new Map<string, string>();
    const mask = (text: string) => {
      let out = masked.get(text);
      if (out === undefined) {
        out = masker(text);
        masked.set(text, out);
      }
      return out;
    };
    const partyPublic = (p: Party) => (p.isPerson ? maskName(p.name) : mask(p.name.trim()));

    const time = stamps(ym, village.id);
    const movements = new Map<string, { debit: number; credit: number; lines: number }>();
    const ledger: DigestVoucher[] = [];
    let lines = 0;
    for (const v of vouchers) {
      const id = ++voucherId;
      const summaryPublic = mask(v.summary);
      const wait = w('vouchers', [
        village.id,
        id,
        ym.year,
        ym.month,
        1,
        v.number,
        v.date,
        v.summary,
        summaryPublic,
        v.attachments,
        cast.staff.preparer,
        cast.staff.reviewer,
        cast.staff.approver,
        null,
        time.created,
        ACTOR,
      ]);
      if (wait) await wait;
      const digestLines: DigestVoucher['lines'] = [];
      for (const [i, l] of v.lines.entries()) {
        const summary = l.summary;
        const summaryPublicLine = summary ? mask(summary) : null;
        const counterpartyPublic = l.party ? partyPublic(l.party) : null;
        const wait = w('voucher_lines', [
          village.id,
          id,
          i + 1,
          STANDARD,
          l.code,
          l.side,
          l.amount,
          summary,
          summaryPublicLine,
          l.party ? l.party.name.trim() : null,
          l.party?.isPerson ?? false,
          counterpartyPublic,
          l.party?.idNumber ?? null,
          l.party?.phone ?? null,
          l.party?.bankAccount ?? null,
          l.method,
        ]);
        if (wait) await wait;
        digestLines.push({
          lineNo: i + 1,
          accountCode: l.code,
          side: l.side,
          amountFen: BigInt(l.amount),
          summaryPublic: summaryPublicLine,
          counterpartyPublic,
          paymentMethod: l.method,
        });
        let m = movements.get(l.code);
        if (!m) {
          m = { debit: 0, credit: 0, lines: 0 };
          movements.set(l.code, m);
          accountsUsed.add(l.code);
        }
        if (l.side === 'debit') m.debit += l.amount;
        else m.credit += l.amount;
        m.lines++;
      }
      lines += v.lines.length;
      ledger.push({
        number: v.number,
        date: v.date,
        summaryPublic,
        attachments: v.attachments,
        preparer: cast.staff.preparer,
        reviewer: cast.staff.reviewer,
        approver: cast.staff.approver,
        lines: digestLines,
      });
    }
    if (bigLines !== undefined) onBig(ym, lines);

    // writeRollups: one row per account with an opening balance or a movement, closing = opening + debit − credit.
    const closing = new Map<string, bigint>();
    for (const code of [...new Set([...openingFen.keys(), ...movements.keys()])].sort()) {
      const open = openingFen.get(code) ?? 0n;
      const m = movements.get(code) ?? { debit: 0, credit: 0, lines: 0 };
      const close = open + BigInt(m.debit) - BigInt(m.credit);
      closing.set(code, close);
      await w('statement_rollups', [
        village.id,
        ym.year,
        ym.month,
        1,
        STANDARD,
        code,
        open,
        m.debit,
        m.credit,
        close,
        m.lines,
      ]);
    }
    const digest = periodDigest(
      { villageCode: village.code, year: ym.year, month: ym.month, revision: 1, standard: STANDARD, previousDigest },
      ledger,
    );
    await w('periods', [
      village.id,
      ym.year,
      ym.month,
      1,
      'published',
      STANDARD,
      null,
      time.opened,
      ACTOR,
      null,
      null,
      time.published,
      ACTOR,
      digest,
      previousDigest,
      index + 1,
      vouchers.length,
      lines,
    ]);
    previousDigest = digest;
    const next = months[index + 1];
    if (next) {
      openingFen = carryForward({
        closing,
        from: { year: ym.year, standard: STANDARD },
        to: { year: next.year, standard: STANDARD },
        classOf: ctx.classOf,
      });
    }
  }

  for (const code of [...accountsUsed].sort()) {
    const top = code.slice(0, 3);
    const name = code.length === 3 ? ctx.nationalName.get(code) : SUB_ACCOUNT_NAMES.get(code);
    if (!name) throw new Error(`account ${code} has no name`);
    await w('village_accounts', [village.id, STANDARD, code, top, name]);
  }
  return voucherId;
}
