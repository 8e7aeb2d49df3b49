// Month pages per second through the front with one API process and with two (docs/SCALING.md), on the recipe's
// topology: a primary and a streaming replica of it, both made here in temp folders from a copy of a database of the
// shared server (pg_dump, read only there), and removed at the end. Rounds alternate (1, 2, 1, 2, …) so both see the
// same machine load; API CPU per request is read from /proc.
//
//   pnpm tsx scripts/cluster/measure.ts --from mingbai_bench_district --seconds 10 --connections 16 --rounds 2 [--cold]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { load } from '../../bench/suite/load.ts';
import { cpuMs, freePort, startChild, type Child } from '../lib/processes.ts';
import { pgCommand, pgRun } from '../lib/postgres-tools.ts';
import { ensureServerBuilt, serverArgs } from '../lib/server-build.ts';
import { isGraphQLError, monthPageBody, type MonthRef } from '../../bench/suite/workload.ts';
import { startFront } from './front.ts';
import { startPrimary, startReplica, type Cluster } from './pg.ts';

const { values } = parseArgs({
  options: {
    from: { type: 'string', default: 'mingbai_bench_district' },
    source: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432' },
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '16' },
    rounds: { type: 'string', default: '2' },
    // The response cache off: every request is the API's and PostgreSQL's work (cold). With it on, the 200 months
    // are cached after their first request, and the rounds measure the cache's hits (warm).
    cold: { type: 'boolean', default: false },
  },
});
const DATABASE = 'mingbai';
const seconds = Number(values.seconds);
const connections = Number(values.connections);
const rounds = Number(values.rounds);

/** user + system CPU seconds of a process so far. */
const cpuSeconds = (pid: number) => cpuMs(pid) / 1000;

/** pg_dump of the source database piped into the new primary's (custom format, restored with 2 jobs' worth). */
async function copyInto(primary: Cluster): Promise<void> {
  await pgRun('createdb', ['-h', '127.0.0.1', '-p', String(primary.port), '-U', 'postgres', DATABASE]);
  const source = new URL(`${values.source}/${values.from}`);
  const dump = spawn(
    ...pgCommand('pg_dump', [
      '-h',
      source.hostname,
      '-p',
      source.port || '5432',
      '-U',
      source.username || 'postgres',
      '--no-owner',
      values.from!,
    ]),
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const restore = spawn(
    ...pgCommand('psql', [
      '-q',
      '-h',
      '127.0.0.1',
      '-p',
      String(primary.port),
      '-U',
      'postgres',
      '-v',
      'ON_ERROR_STOP=1',
      DATABASE,
    ]),
    { stdio: ['pipe', 'ignore', 'inherit'] },
  );
  dump.stdout.pipe(restore.stdin);
  const done = (child: { once(event: 'exit', listener: (code: number | null) => void): unknown }) =>
    new Promise<void>((resolve, reject) =>
      child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`exit ${code}`)))),
    );
  await Promise.all([done(dump), done(restore)]);
  await pgRun('vacuumdb', ['-h', '127.0.0.1', '-p', String(primary.port), '-U', 'postgres', '-z', DATABASE], 600_000);
}

const scratch = mkdtempSync(join(tmpdir(), 'mingbai-measure-'));
let primary: Cluster | undefined;
let replica: Cluster | undefined;
const apis: Child[] = [];
try {
  const started = Date.now();
  primary = await startPrimary();
  await copyInto(primary);
  replica = await startReplica(primary.port);
  console.log(
    `primary :${primary.port} (copy of ${values.from}), replica :${replica.port}: ${Date.now() - started} ms`,
  );
  // The same sample as the bench's (bench/suite/workload.ts sampleMonths), read with psql from the replica.
  const months = JSON.parse(
    await pgRun('psql', [
      '-h',
      '127.0.0.1',
      '-p',
      String(replica.port),
      '-U',
      'postgres',
      '-At',
      '-d',
      DATABASE,
      '-c',
      `select coalesce(json_agg(m), '[]') from (
         select v.slug, v.id as "villageId", p.year, p.month, p.revision, p.line_count as "lineCount"
           from periods p join villages v on v.id = p.village_id
          where p.status = 'published' and p.line_count <= 5000
            and p.revision = (select max(q.revision) from periods q where q.village_id = p.village_id
                                and q.year = p.year and q.month = p.month and q.status = 'published')
          order by md5(v.code || ':' || p.year || ':' || p.month) limit 200) m`,
    ]),
  ) as MonthRef[];
  if (months.length === 0) throw new Error(`${values.from} has no published month`);

  await ensureServerBuilt();
  for (let i = 0; i < 2; i++) {
    const port = await freePort();
    apis.push(
      await startChild({
        name: `api${i + 1}`,
        args: serverArgs('main'),
        env: {
          DATABASE_URL: primary.url(DATABASE),
          DATABASE_READ_URL: replica.url(DATABASE),
          API_PORT: String(port),
          MINGBAI_SEED_DEMO: 'false',
          MINGBAI_RATE_LIMIT_ANONYMOUS: String(Number.MAX_SAFE_INTEGER),
          MINGBAI_CHECKPOINT_KEY_FILE: join(scratch, 'checkpoint.pem'),
          MINGBAI_OPENDATA_DIR: join(scratch, 'opendata'),
          MINGBAI_FILES_DIR: join(scratch, 'files'),
          MINGBAI_FILES_SWEEP_HOURS: '0',
          MINGBAI_IMAGE_WORKERS: '1',
          NODE_ENV: 'production',
          MALLOC_ARENA_MAX: '2',
          MINGBAI_RESPONSE_CACHE: values.cold ? 'false' : 'true',
        },
        port,
        readyPath: '/healthz',
        timeoutMs: 10 * 60_000,
      }),
    );
  }
  const rows: string[] = [];
  for (let round = 1; round <= rounds; round++) {
    for (const n of [1, 2]) {
      const upstreams = apis.slice(0, n);
      const front = await startFront({
        port: 0,
        api: upstreams.map((a) => a.url),
        portal: ['http://127.0.0.1:9'],
      });
      const run = (s: number) =>
        load({
          url: `${front.url}/graphql`,
          connections,
          seconds: s,
          request: (i) => ({
            method: 'POST',
            path: '/graphql',
            headers: { 'content-type': 'application/json' },
            body: monthPageBody(months[i % months.length]!),
          }),
          isError: isGraphQLError,
        });
      await run(2); // warm: plans, compiled documents, pools
      const cpuBefore = upstreams.map((a) => cpuSeconds(a.pid));
      const result = await run(seconds);
      const cpu = upstreams.reduce((sum, a, i) => sum + cpuSeconds(a.pid) - cpuBefore[i]!, 0);
      await front.close();
      const perRequest = ((cpu * 1000) / Math.max(1, result.requests)).toFixed(2);
      const row = `| ${round} | ${n} | ${result.rps} | ${result.p50} | ${result.p99} | ${perRequest} | ${result.errors} |`;
      rows.push(row);
      console.log(row);
    }
  }
  console.log(
    `\nmonth page (${months.length} months of ${values.from}), c=${connections}, ${seconds} s a round, through the front, ` +
      (values.cold ? 'response cache off (cold):' : 'response cache on (warm after each month’s first request):'),
  );
  console.log('| round | API processes | req/s | p50 ms | p99 ms | API CPU ms/request | errors |');
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const row of rows) console.log(row);
} finally {
  for (const api of apis) await api.stop();
  await replica?.destroy();
  await primary?.destroy();
  rmSync(scratch, { recursive: true, force: true });
}
