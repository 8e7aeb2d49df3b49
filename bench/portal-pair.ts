// `pnpm exec tsx bench/portal-pair.ts --database URL [--pages 300] [--connections 8] [--profile] BUILD_A BUILD_B`:
// two builds of the portal compared side by side on a machine shared with other jobs, where runs in turn measure the
// neighbours more than the builds. Both portals start at once, each in front of its own API on the same database,
// and are loaded at the same time with disjoint months never asked twice (every answer a rendered page); prints each
// portal's and each API's CPU per page (from /proc). BUILD_A and BUILD_B are build folders under portal/ (so their
// imports resolve): `cd portal && ./node_modules/.bin/astro build --outDir .ab/before`. With --profile both portals
// are sampled during the load (suite/portal-profiler.mjs) and each profile is printed by part (suite/cpu-profile.ts).
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { summarizeProfile } from './suite/cpu-profile.ts';
import { freePort, startApi, startChild, type Child } from './suite/procs.ts';
import { sampleMonths, ym, type MonthRef } from './suite/workload.ts';

const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    database: { type: 'string' },
    pages: { type: 'string', default: '300' },
    connections: { type: 'string', default: '8' },
    profile: { type: 'boolean', default: false },
  },
});
const database = args.database ?? process.env.DATABASE_URL;
if (!database || positionals.length !== 2) {
  console.error('usage: bench/portal-pair.ts --database URL [--pages N] [--connections N] [--profile] BUILD_A BUILD_B');
  process.exit(2);
}
const builds = positionals as [string, string];
const pages = Number(args.pages);
const connections = Number(args.connections);

/** CPU time of a process so far, ms (utime + stime in 10 ms ticks). */
const cpuMs = (pid: number) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
};
const profileFile = (i: number) => join(tmpdir(), `mingbai-portal-pair-${process.pid}-${i}.cpuprofile`);

const sql = postgres(database, { max: 2 });
const months = await sampleMonths(sql, 80 + 2 * pages);
await sql.end();

const apis: Child[] = [];
const portals: Child[] = [];
try {
  for (const [i, build] of builds.entries()) {
    const api = await startApi(database);
    apis.push(api);
    const port = await freePort();
    portals.push(
      await startChild({
        name: `portal ${build}`,
        args: [...(args.profile ? ['--import', './bench/suite/portal-profiler.mjs'] : []), `${build}/server/entry.mjs`],
        env: {
          PORT: String(port),
          HOST: '127.0.0.1',
          MINGBAI_API_URL: `${api.url}/graphql`,
          NODE_ENV: 'production',
          MINGBAI_PORTAL_REQUESTS_PER_HOUR: '0',
          ...(args.profile ? { MINGBAI_BENCH_PORTAL_PROFILE: profileFile(i) } : {}),
        },
        port,
        readyPath: '/favicon.ico',
        anyAnswer: true,
      }),
    );
  }

  const agent = new Agent({ keepAlive: true, maxSockets: 4 * connections });
  const failures: string[][] = [[], []];
  /** One page as a phone asks it; its gzipped size, or 0 when it was not a rendered 200 (kept in failures). */
  const get = (i: number, month: MonthRef) =>
    new Promise<number>((resolve, reject) => {
      const path = `/v/${month.slug}/${ym(month)}`;
      const req = request(
        portals[i]!.url + path,
        { agent, headers: { 'accept-encoding': 'gzip, deflate, br', accept: 'text/html' } },
        (res) => {
          let bytes = 0;
          res.on('data', (d: Buffer) => (bytes += d.length));
          res.on('end', () => {
            if (res.statusCode === 200 && res.headers['x-cache'] === 'MISS') return resolve(bytes);
            failures[i]!.push(`${path} ${res.statusCode}`);
            resolve(0);
          });
        },
      );
      req.on('error', reject);
      req.end();
    });
  const load = async (i: number, list: MonthRef[]) => {
    let next = 0;
    let bytes = 0;
    await Promise.all(
      Array.from({ length: connections }, async () => {
        while (next < list.length) {
          const got = await get(i, list[next++]!);
          bytes += got;
        }
      }),
    );
    return bytes;
  };

  // Warm-up on months of their own, then A the even months of the rest, B the odd ones.
  await Promise.all(months.slice(0, 80).map((m, k) => get(k % 2, m)));
  const rest = months.slice(80);
  const lists = [0, 1].map((i) => rest.filter((_, k) => k % 2 === i).slice(0, pages));
  if (args.profile) {
    for (const [i, p] of portals.entries()) {
      rmSync(profileFile(i), { force: true });
      p.process.kill('SIGUSR2');
    }
  }
  const pids = [...portals, ...apis].map((c) => c.pid);
  const before = pids.map(cpuMs);
  const started = performance.now();
  const bytes = await Promise.all([0, 1].map((i) => load(i, lists[i]!)));
  const seconds = (performance.now() - started) / 1000;
  const after = pids.map(cpuMs);
  const perPage = (k: number, i: number) => Math.round(((after[k]! - before[k]!) / lists[i]!.length) * 100) / 100;
  const load1 = readFileSync('/proc/loadavg', 'utf8').split(' ')[0];
  console.log(`${Math.round(seconds)} s, load ${load1}, ${connections} connections each`);
  for (const i of [0, 1]) {
    const ok = lists[i]!.length - failures[i]!.length;
    console.log(
      `${builds[i]}: ${lists[i]!.length} pages, portal ${perPage(i, i)} ms CPU a page, its API ${perPage(2 + i, i)} ms; ` +
        `${Math.round(bytes[i]! / Math.max(1, ok))} B gzip a page; ${failures[i]!.length} not rendered ${failures[i]!.slice(0, 5).join(', ')}`,
    );
  }
  if (args.profile) {
    for (const p of portals) p.process.kill('SIGUSR2');
    for (const i of [0, 1]) {
      for (let k = 0; k < 300 && !existsSync(profileFile(i)); k++) await new Promise((r) => setTimeout(r, 100));
      const summary = summarizeProfile(profileFile(i));
      const ms = perPage(i, i);
      console.log(`${builds[i]} profile, per page:`);
      for (const p of summary.parts)
        console.log(`  ${(p.share * ms).toFixed(2)} ms  ${(p.share * 100).toFixed(1)}%  ${p.part}`);
      for (const l of summary.leaves.slice(0, 12)) console.log(`    ${(l.share * 100).toFixed(1)}%  ${l.name}`);
    }
  }
} finally {
  for (const c of [...portals, ...apis]) await c.stop();
}
