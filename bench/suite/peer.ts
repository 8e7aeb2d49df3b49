// 10 (`--peer`): this API beside PostGraphile 5 (amber preset) on the same database, for the query shapes PostGraphile
// can answer from the tables. bench/peer/ holds the peer (its own package.json and lockfile, installed here with
// `npm ci` on first use, never by `pnpm install`; Node 22 from the npm `node` package when this Node is older). Each
// shape is checked to return the same data from both servers before any timing; then each concurrency level runs
// both servers in turn (which goes first alternates), with the CPU time of each server process and of its PostgreSQL
// backends read from /proc.
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import type { Sql } from 'postgres';
import { load, type LoadResult } from './load.ts';
import { freePort, ROOT, startApi, type Child } from './procs.ts';
import { round } from './stats.ts';
import { isGraphQLError, type MonthRef } from './workload.ts';

const PEER_DIR = `${ROOT}/bench/peer`;
const PEER_APPLICATION_NAME = 'mingbai-peer';
/** db/src/client.ts APPLICATION_NAME: the API's pool connections (its watchdog's are `mingbai-watchdog`). */
const API_APPLICATION_NAME = 'mingbai';
const JSON_POST = { 'content-type': 'application/json' };
const TICK_MS = 1000 / Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim() || 100);

/* eslint-disable @typescript-eslint/no-explicit-any -- GraphQL answers are read loosely, then normalised */

// ---------------------------------------------------------------------------------------------------------------
// The shapes: the same data asked of both servers, and each answer brought to one comparable form.

interface VoucherRef {
  slug: string;
  year: number;
  month: number;
  number: number;
}

interface Workload {
  villages: string[];
  months: MonthRef[];
  vouchers: VoucherRef[];
}

interface Shape {
  name: string;
  ours(w: Workload, i: number): { query: string; variables: Record<string, unknown> };
  peer(w: Workload, i: number): { query: string; variables: Record<string, unknown> };
  /** Both answers in one form: same data ⇔ deep-equal. */
  fromOurs(data: any): unknown;
  fromPeer(data: any): unknown;
}

const iso = (t: string) => new Date(t).toISOString();
const pick = <T>(list: T[], i: number) => list[i % list.length]!;
/** The lines page cycles through no filter and two kinds, so both servers filter as often as they do not. */
const KINDS = [null, 'spending', 'income'] as const;

const OURS_VILLAGE = `query Village($slug: String!) { village(slug: $slug) { name code
  periods(first: 24) { totalCount nodes { year month revision publishedAt } } } }`;
const PEER_VILLAGE = `query Village($slug: String!) { villageBySlug(slug: $slug) { name code
  periodsByVillageId(condition: { status: "published" }, orderBy: [YEAR_DESC, MONTH_DESC], first: 24) {
    totalCount nodes { year month revision publishedAt } } } }`;

const OURS_LINES = `query Lines($slug: String!, $year: Int!, $month: Int!, $kind: FlowKind) { village(slug: $slug) {
  statement(year: $year, month: $month) { revision digest voucherCount lineCount
    lines(first: 50, kind: $kind, orderBy: DATE_ASC) { totalCount
      nodes { date kind voucherNumber amount { fen } account { code } } } } } }`;
// A condition field set to null means IS NULL to PostGraphile, so "no filter" is an empty condition.
const PEER_LINES = `query Lines($slug: String!, $year: Int!, $month: Int!, $lines: StatementLineCondition!) { villageBySlug(slug: $slug) {
  periodsByVillageId(condition: { year: $year, month: $month, status: "published" }, orderBy: REVISION_DESC, first: 1) {
    nodes { revision digest voucherCount lineCount
      statementLinesByVillageIdAndYearAndMonthAndRevision(condition: $lines, orderBy: SEQ_ASC, first: 50) {
        totalCount nodes { kind accountCode amountFen voucher { date number } } } } } } }`;

const OURS_VOUCHER = `query Voucher($slug: String!, $year: Int!, $month: Int!, $number: Int!) { village(slug: $slug) {
  voucher(year: $year, month: $month, number: $number) { number date summary
    lines { lineNo side amount { fen } summary account { code name } counterparty { name } } } } }`;
const PEER_VOUCHER = `query Voucher($slug: String!, $year: Int!, $month: Int!, $number: Int!) { villageBySlug(slug: $slug) {
  periodsByVillageId(condition: { year: $year, month: $month, status: "published" }, orderBy: REVISION_DESC, first: 1) {
    nodes { vouchersByVillageIdAndYearAndMonthAndRevision(condition: { number: $number }) {
      nodes { number date summaryPublic
        lines(orderBy: LINE_NO_ASC) { nodes { lineNo side amountFen summaryPublic account { code name }
          counterpartyPublic } } } } } } } }`;

const OURS_FEED = `query Feed($year: Int!, $month: Int!) { statements(year: $year, month: $month, last: 20) {
  nodes { year month revision publishedAt digest village { slug name } } } }`;
const PEER_FEED = `query Feed($year: Int!, $month: Int!) {
  allPeriods(condition: { year: $year, month: $month, status: "published" },
    orderBy: [PUBLISHED_AT_DESC, VILLAGE_ID_DESC, YEAR_DESC, MONTH_DESC, REVISION_DESC], first: 20) {
    nodes { year month revision publishedAt digest villageByVillageId { slug name } } } }`;

const SHAPES: Shape[] = [
  {
    name: 'village and its published months',
    ours: (w, i) => ({ query: OURS_VILLAGE, variables: { slug: pick(w.villages, i) } }),
    peer: (w, i) => ({ query: PEER_VILLAGE, variables: { slug: pick(w.villages, i) } }),
    fromOurs: (d) => ({
      name: d.village.name,
      code: d.village.code,
      count: d.village.periods.totalCount,
      months: d.village.periods.nodes.map((p: any) => ({ ...p, publishedAt: iso(p.publishedAt) })),
    }),
    fromPeer: (d) => ({
      name: d.villageBySlug.name,
      code: d.villageBySlug.code,
      count: d.villageBySlug.periodsByVillageId.totalCount,
      months: d.villageBySlug.periodsByVillageId.nodes.map((p: any) => ({ ...p, publishedAt: iso(p.publishedAt) })),
    }),
  },
  {
    name: "month's lines page (50, by date, by kind)",
    ours: (w, i) => {
      const m = pick(w.months, i);
      const kind = KINDS[i % KINDS.length];
      return {
        query: OURS_LINES,
        variables: { slug: m.slug, year: m.year, month: m.month, kind: kind?.toUpperCase() ?? null },
      };
    },
    peer: (w, i) => {
      const m = pick(w.months, i);
      const kind = KINDS[i % KINDS.length];
      return {
        query: PEER_LINES,
        variables: { slug: m.slug, year: m.year, month: m.month, lines: kind ? { kind } : {} },
      };
    },
    fromOurs: (d) => {
      const s = d.village.statement;
      return {
        revision: s.revision,
        digest: s.digest,
        vouchers: s.voucherCount,
        lines: s.lineCount,
        count: s.lines.totalCount,
        page: s.lines.nodes.map((l: any) => ({
          date: l.date,
          kind: l.kind.toLowerCase(),
          voucher: l.voucherNumber,
          fen: l.amount.fen,
          code: l.account.code,
        })),
      };
    },
    fromPeer: (d) => {
      const p = d.villageBySlug.periodsByVillageId.nodes[0];
      const lines = p.statementLinesByVillageIdAndYearAndMonthAndRevision;
      return {
        revision: p.revision,
        digest: p.digest,
        vouchers: p.voucherCount,
        lines: p.lineCount,
        count: lines.totalCount,
        page: lines.nodes.map((l: any) => ({
          date: l.voucher.date,
          kind: l.kind,
          voucher: l.voucher.number,
          fen: String(l.amountFen),
          code: l.accountCode,
        })),
      };
    },
  },
  {
    name: 'voucher with its lines',
    ours: (w, i) => ({ query: OURS_VOUCHER, variables: { ...pick(w.vouchers, i) } }),
    peer: (w, i) => ({ query: PEER_VOUCHER, variables: { ...pick(w.vouchers, i) } }),
    fromOurs: (d) => {
      const v = d.village.voucher;
      return {
        number: v.number,
        date: v.date,
        summary: v.summary,
        lines: v.lines.map((l: any) => ({
          lineNo: l.lineNo,
          side: l.side.toLowerCase(),
          fen: l.amount.fen,
          summary: l.summary,
          code: l.account.code,
          account: l.account.name,
          counterparty: l.counterparty?.name ?? null,
        })),
      };
    },
    fromPeer: (d) => {
      const v = d.villageBySlug.periodsByVillageId.nodes[0].vouchersByVillageIdAndYearAndMonthAndRevision.nodes[0];
      // Ours names a line without a counterparty by its voucher's first one (the cash side of a payment); the peer
      // returns every line's, so the client derives it from the same answer.
      const first = v.lines.nodes.find((l: any) => l.counterpartyPublic !== null)?.counterpartyPublic ?? null;
      return {
        number: v.number,
        date: v.date,
        summary: v.summaryPublic,
        lines: v.lines.nodes.map((l: any) => ({
          lineNo: l.lineNo,
          side: l.side,
          fen: String(l.amountFen),
          summary: l.summaryPublic,
          code: l.account.code,
          account: l.account.name,
          counterparty: l.counterpartyPublic ?? first,
        })),
      };
    },
  },
  {
    name: "publication feed (a month's 20 latest)",
    ours: (w, i) => ({ query: OURS_FEED, variables: { year: pick(w.months, i).year, month: pick(w.months, i).month } }),
    peer: (w, i) => ({ query: PEER_FEED, variables: { year: pick(w.months, i).year, month: pick(w.months, i).month } }),
    // Ours pages the feed oldest first (the last 20 are the newest, in ascending order), the peer newest first.
    fromOurs: (d) => feedSet(d.statements.nodes.map((n: any) => ({ ...n, village: n.village }))),
    fromPeer: (d) => feedSet(d.allPeriods.nodes.map((n: any) => ({ ...n, village: n.villageByVillageId }))),
  },
];

function feedSet(nodes: any[]) {
  return nodes
    .map((n) => ({
      slug: n.village.slug,
      name: n.village.name,
      year: n.year,
      month: n.month,
      revision: n.revision,
      publishedAt: iso(n.publishedAt),
      digest: n.digest,
    }))
    .sort((a, b) => (a.publishedAt + a.slug < b.publishedAt + b.slug ? -1 : 1));
}

// ---------------------------------------------------------------------------------------------------------------
// The peer process.

/**
 * Installs bench/peer with `npm ci` unless what is installed came from this very lockfile (a stamp beside it holds the
 * lockfile's hash); returns the Node to run it: this one from 22 on, else the npm `node` package's.
 */
function ensurePeer(log: (s: string) => void): string {
  const lock = createHash('sha256')
    .update(readFileSync(`${PEER_DIR}/package-lock.json`))
    .digest('hex');
  const stamp = `${PEER_DIR}/node_modules/.mingbai-lock-sha256`;
  if (!existsSync(stamp) || readFileSync(stamp, 'utf8') !== lock) {
    log('  installing bench/peer (npm ci: PostGraphile, Node 22)…');
    execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: PEER_DIR, stdio: 'inherit' });
    writeFileSync(stamp, lock);
  }
  const major = Number(process.versions.node.split('.')[0]);
  return major >= 22 ? process.execPath : `${PEER_DIR}/node_modules/node/bin/node`;
}

async function startPeer(node: string, databaseUrl: string): Promise<Child> {
  const port = await freePort();
  const child = spawn(node, ['server.mjs'], {
    cwd: PEER_DIR,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PEER_PORT: String(port),
      PEER_APPLICATION_NAME,
      NODE_ENV: 'production',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (d: Buffer) => (output = (output + d.toString()).slice(-20_000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline && child.exitCode === null) {
    try {
      const res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: JSON_POST,
        body: '{"query":"{ __typename }"}',
        signal: AbortSignal.timeout(2_000),
      });
      await res.arrayBuffer();
      if (res.ok) return { url, pid: child.pid!, process: child, output: () => output, stop };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  await stop();
  throw new Error(`PostGraphile did not start (exit ${child.exitCode}). Output:\n${output}`);
}

// ---------------------------------------------------------------------------------------------------------------
// CPU from /proc: the server process (all its threads) and its PostgreSQL backends, found by application name.

function cpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return undefined;
  }
}

async function backendCpu(sql: Sql, applicationName: string): Promise<Map<number, number>> {
  const rows = await sql<{ pid: number }[]>`
    select pid from pg_stat_activity where datname = current_database() and application_name = ${applicationName}`;
  const out = new Map<number, number>();
  for (const { pid } of rows) {
    const ms = cpuMs(pid);
    if (ms !== undefined) out.set(pid, ms);
  }
  return out;
}

interface ServerPoint extends LoadResult {
  /** CPU of the server process per request, ms; null when no request was answered. */
  serverCpuMs: number | null;
  /** CPU of its PostgreSQL backends per request, ms; null when no request was answered. */
  postgresCpuMs: number | null;
  /** Backends seen at the start and end; one that closed during the run is missed. */
  backends: { before: number; after: number; closed: number };
}

async function measure(
  sql: Sql,
  server: { url: string; pid: number; applicationName: string },
  shape: Shape,
  side: 'ours' | 'peer',
  workload: Workload,
  connections: number,
  seconds: number,
): Promise<ServerPoint> {
  const body = (i: number) => JSON.stringify(shape[side](workload, i));
  const request = (i: number) => ({ method: 'POST' as const, path: '/graphql', headers: JSON_POST, body: body(i) });
  // A second at the same concurrency first: the pool opens its connections and the code paths are warm.
  await load({ url: `${server.url}/graphql`, connections, seconds: 1, request, isError: isGraphQLError });
  const pgBefore = await backendCpu(sql, server.applicationName);
  const procBefore = cpuMs(server.pid)!;
  const result = await load({ url: `${server.url}/graphql`, connections, seconds, request, isError: isGraphQLError });
  const procAfter = cpuMs(server.pid)!;
  const pgAfter = await backendCpu(sql, server.applicationName);
  let pgMs = 0;
  for (const [pid, after] of pgAfter) pgMs += after - (pgBefore.get(pid) ?? 0);
  const closed = [...pgBefore.keys()].filter((pid) => !pgAfter.has(pid)).length;
  // No answer within the point (a loaded machine at c=64 with --seconds 1): no cost per request to speak of.
  const n = result.requests;
  return {
    ...result,
    serverCpuMs: n ? round((procAfter - procBefore) / n, 2) : null,
    postgresCpuMs: n ? round(pgMs / n, 2) : null,
    backends: { before: pgBefore.size, after: pgAfter.size, closed },
  };
}

// ---------------------------------------------------------------------------------------------------------------

async function graphql(url: string, body: { query: string; variables: Record<string, unknown> }): Promise<any> {
  const res = await fetch(`${url}/graphql`, { method: 'POST', headers: JSON_POST, body: JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok || isGraphQLError(text)) throw new Error(`${url}: ${res.status} ${text.slice(0, 500)}`);
  return JSON.parse(text);
}

/** Every shape, for the first `count` requests of the run: the same data from both servers, or the run stops. */
async function checkSameData(ours: string, peer: string, workload: Workload, count: number) {
  const checked: { shape: string; requests: number; rows: number; ourStatements: number }[] = [];
  for (const shape of SHAPES) {
    let rows = 0;
    let ourStatements = 0;
    for (let i = 0; i < count; i++) {
      const answer = await graphql(ours, shape.ours(workload, i));
      // The API counts its SQL statements per request (MINGBAI_SQL_STATS, set by startApi): the most seen.
      ourStatements = Math.max(ourStatements, answer.extensions?.sql?.statements ?? -1);
      const a = shape.fromOurs(answer.data);
      const b = shape.fromPeer((await graphql(peer, shape.peer(workload, i))).data);
      if (!isDeepStrictEqual(a, b)) {
        throw new Error(
          `peer: ${shape.name}, request ${i} (${JSON.stringify(shape.ours(workload, i).variables)}): the two servers ` +
            `answer differently.\nours: ${JSON.stringify(a).slice(0, 1500)}\npeer: ${JSON.stringify(b).slice(0, 1500)}`,
        );
      }
      rows += JSON.stringify(a).split('{').length - 1;
    }
    checked.push({ shape: shape.name, requests: count, rows, ourStatements });
  }
  return checked;
}

export interface PeerPoint {
  shape: string;
  concurrency: number;
  first: 'ours' | 'peer';
  ours: ServerPoint;
  peer: ServerPoint;
  /** Our req/s ÷ PostGraphile's (null if it answered nothing); the target is ≥ 1.2. */
  ratio: number | null;
}

export async function peerRun(options: {
  databaseUrl: string;
  sql: Sql;
  months: MonthRef[];
  villages: string[];
  levels: number[];
  seconds: number;
  log: (s: string) => void;
}) {
  const { sql, log } = options;
  const node = ensurePeer(log);
  const nodeVersion = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
  const peerVersion = JSON.parse(readFileSync(`${PEER_DIR}/node_modules/postgraphile/package.json`, 'utf8')).version;
  // A voucher of each sampled month, spread over its numbers (vouchers are numbered 1…voucher_count).
  const counts = await sql<{ key: string; voucherCount: number }[]>`
    select village_id || '/' || year || '/' || month as key, voucher_count as "voucherCount" from periods
     where status = 'published' and village_id = any(${[...new Set(options.months.map((m) => m.villageId))]})`;
  const byMonth = new Map(counts.map((c) => [c.key, c.voucherCount]));
  const vouchers = options.months.map((m, i) => ({
    slug: m.slug,
    year: m.year,
    month: m.month,
    number: 1 + ((i * 7919) % Math.max(1, byMonth.get(`${m.villageId}/${m.year}/${m.month}`) ?? 1)),
  }));
  const workload: Workload = { villages: options.villages, months: options.months, vouchers };

  const api = await startApi(options.databaseUrl);
  let peer: Child | undefined;
  try {
    peer = await startPeer(node, options.databaseUrl);
    log(`  PostGraphile ${peerVersion} on Node ${nodeVersion} (pid ${peer.pid}); API pid ${api.pid}`);
    const checked = await checkSameData(api.url, peer.url, workload, 12);
    log(
      `  same data from both: ${checked.map((c) => `${c.shape} (${c.requests} requests; ours ≤ ${c.ourStatements} statements)`).join('; ')}`,
    );
    const servers = {
      ours: { url: api.url, pid: api.pid, applicationName: API_APPLICATION_NAME },
      peer: { url: peer.url, pid: peer.pid, applicationName: PEER_APPLICATION_NAME },
    };
    const points: PeerPoint[] = [];
    let turn = 0;
    for (const shape of SHAPES) {
      for (const c of options.levels) {
        const first = turn++ % 2 === 0 ? 'ours' : 'peer';
        const second = first === 'ours' ? 'peer' : 'ours';
        const a = await measure(sql, servers[first], shape, first, workload, c, options.seconds);
        const b = await measure(sql, servers[second], shape, second, workload, c, options.seconds);
        const ours = first === 'ours' ? a : b;
        const theirs = first === 'ours' ? b : a;
        const ratio = theirs.rps ? round(ours.rps / theirs.rps, 2) : null;
        points.push({ shape: shape.name, concurrency: c, first, ours, peer: theirs, ratio });
        const fmt = (p: ServerPoint) =>
          `${p.rps} req/s p50 ${p.p50} p99 ${p.p99} ms, CPU ${p.serverCpuMs} + PG ${p.postgresCpuMs} ms/req` +
          (p.errors ? ` (${p.errors} errors)` : '');
        log(`  ${shape.name} c=${c}: ours ${fmt(ours)}; peer ${fmt(theirs)}; ours ÷ peer ${ratio ?? '–'}×`);
        if (ours.errors || theirs.errors) throw new Error(`peer: ${shape.name} at c=${c}: failed responses`);
      }
    }
    return { postgraphile: peerVersion, node: nodeVersion, apiNode: process.version, checked, points };
  } finally {
    await peer?.stop();
    await api.stop();
  }
}
