// 5: the month page as villagers get it: the built portal (node portal/dist/server/entry.mjs) in front of the API.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import autocannon from 'autocannon';
import { freePort, ROOT, startChild, type Child } from './procs.ts';
import type { LoadResult } from './load.ts';
import { summarizeProfile, type ProfileSummary } from './cpu-profile.ts';
import { percentile, round } from './stats.ts';
import { ym, type MonthRef } from './workload.ts';

/** What a phone browser sends: it takes compressed pages. */
const BROWSER = { 'accept-encoding': 'gzip, deflate, br', accept: 'text/html' };

export function buildPortal(): void {
  execFileSync('./node_modules/.bin/astro', ['build'], {
    cwd: `${ROOT}/portal`,
    env: { ...process.env, ASTRO_TELEMETRY_DISABLED: '1' },
    stdio: 'pipe',
  });
}

/**
 * MINGBAI_BENCH_PORTAL_PROFILE=file.cpuprofile: the portal samples its CPU during the load of every-month-different
 * pages (portal-profiler.mjs) and the run prints where it went (cpu-profile.ts), in ms per rendered page.
 */
const PROFILE = process.env.MINGBAI_BENCH_PORTAL_PROFILE?.trim() || undefined;

export async function startPortal(apiUrl: string): Promise<Child> {
  const port = await freePort();
  return startChild({
    name: 'portal',
    args: [...(PROFILE ? ['--import', './bench/suite/portal-profiler.mjs'] : []), 'portal/dist/server/entry.mjs'],
    env: {
      PORT: String(port),
      HOST: '127.0.0.1',
      MINGBAI_API_URL: `${apiUrl}/graphql`,
      NODE_ENV: 'production',
      // The load comes from one address; the per-visitor request limit is not what is measured.
      MINGBAI_PORTAL_REQUESTS_PER_HOUR: '0',
    },
    port,
    readyPath: '/favicon.ico',
    anyAnswer: true,
  });
}

/** One GET: time to the first byte of the body, total time, and the bytes that crossed the socket for the body. */
function timedGet(
  url: string,
): Promise<{ ttfb: number; total: number; bodyBytes: number; status: number; encoding: string }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request(url, { headers: BROWSER }, (res) => {
      let ttfb = 0;
      let bodyBytes = 0;
      res.on('data', (chunk: Buffer) => {
        if (ttfb === 0) ttfb = performance.now() - started;
        bodyBytes += chunk.length;
      });
      res.on('end', () =>
        resolve({
          ttfb,
          total: performance.now() - started,
          bodyBytes,
          status: res.statusCode ?? 0,
          encoding: String(res.headers['content-encoding'] ?? 'identity'),
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

export interface PortalResult {
  load: LoadResult;
  ttfbP50: number;
  ttfbP99: number;
  bodyBytesMedian: number;
  encoding: string;
  sampled: number;
  /** Answers by the portal's page cache (X-Cache: HIT) and rendered ones (MISS) during the load. */
  cache: { hits: number; misses: number };
  /** CPU per request of the portal process and of the API process during the load, ms (from /proc); null if unknown. */
  portalCpuMs: number | null;
  apiCpuMs: number | null;
  /** With MINGBAI_BENCH_PORTAL_PROFILE, the distinct run's profile: each part's share and ms per request. */
  profile?: ProfileSummary & { file: string };
}

/** CPU time of a process so far (all its threads), ms; undefined when it cannot be read. */
function cpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10; // utime + stime, in clock ticks of 10 ms
  } catch {
    return undefined;
  }
}

/**
 * The month page under load. With `distinct`, no month is asked twice (the run stops early when the months run out),
 * so every answer is a render: the page cache keeps a month a minute, and a list that wraps round would be measured
 * as cache hits. The X-Cache header of every answer is counted, so the figures say which they are.
 */
export async function portalRun(options: {
  portalUrl: string;
  months: MonthRef[];
  connections: number;
  seconds: number;
  distinct?: boolean;
  pids?: { portal?: number; api?: number };
}): Promise<PortalResult> {
  const path = (i: number) => {
    const m = options.months[i % options.months.length]!;
    return `/v/${m.slug}/${ym(m)}`;
  };
  // TTFB and size one request at a time first, on the last months of the list (the load starts with the first).
  const ttfb: number[] = [];
  const bytes: number[] = [];
  let encoding = '';
  const n = Math.min(100, options.months.length);
  const sampledFrom = options.distinct ? options.months.length - n : 0;
  for (let i = 0; i < n; i++) {
    const at = path(options.months.length - 1 - i);
    const r = await timedGet(options.portalUrl + at);
    if (r.status !== 200) throw new Error(`portal ${at}: HTTP ${r.status}`);
    ttfb.push(r.ttfb);
    bytes.push(r.bodyBytes);
    encoding = r.encoding;
  }
  let next = 0;
  let bad = 0;
  const cache = { hits: 0, misses: 0 };
  const profiling = PROFILE && options.distinct && options.pids?.portal !== undefined ? options.pids.portal : undefined;
  if (profiling !== undefined) process.kill(profiling, 'SIGUSR2');
  const before = [cpuMs(options.pids?.portal), cpuMs(options.pids?.api)];
  const result = await autocannon({
    url: options.portalUrl,
    connections: options.connections,
    duration: options.seconds,
    pipelining: 1,
    timeout: 30,
    ...(options.distinct ? { maxOverallRequests: Math.max(sampledFrom, options.connections) } : {}),
    requests: [
      {
        setupRequest: (req) => ({ ...req, method: 'GET', path: path(next++), headers: { ...BROWSER } }),
        onResponse: (status, _body, _context, headers) => {
          if (status !== 200) bad++;
          if (headers?.['x-cache'] === 'HIT') cache.hits++;
          else cache.misses++;
        },
      },
    ],
  });
  const after = [cpuMs(options.pids?.portal), cpuMs(options.pids?.api)];
  const total = result.requests.total;
  const perRequest = (i: number) =>
    before[i] !== undefined && after[i] !== undefined && total > 0 ? round((after[i]! - before[i]!) / total, 2) : null;
  const profile = profiling !== undefined ? await profileOf(profiling, perRequest(0)) : undefined;
  return {
    load: {
      connections: options.connections,
      seconds: round(result.duration, 2),
      requests: total,
      rps: round(total / result.duration, 0),
      p50: result.latency.p50,
      p99: result.latency.p99,
      errors: bad + result.errors + result.timeouts + result.non2xx,
      meanBytes: Math.round(result.throughput.total / Math.max(1, total)),
    },
    ttfbP50: round(percentile(ttfb, 0.5), 2),
    ttfbP99: round(percentile(ttfb, 0.99), 2),
    bodyBytesMedian: percentile(bytes, 0.5),
    encoding,
    sampled: n,
    cache,
    portalCpuMs: perRequest(0),
    apiCpuMs: perRequest(1),
    ...(profile ? { profile } : {}),
  };
}

/** Stops the portal's profiler, waits for its file and prints its parts, scaled to the measured CPU per request. */
async function profileOf(pid: number, cpuPerRequest: number | null): Promise<ProfileSummary & { file: string }> {
  const file = PROFILE!;
  rmSync(file, { force: true });
  process.kill(pid, 'SIGUSR2');
  for (let i = 0; i < 300 && !existsSync(file); i++) await new Promise((r) => setTimeout(r, 100));
  const summary = summarizeProfile(file);
  const ms = (share: number) => (cpuPerRequest === null ? '' : `${(share * cpuPerRequest).toFixed(2)} ms  `);
  console.error(`portal profile (${file}, ${Math.round(summary.busyMs)} ms busy sampled), per rendered page:`);
  for (const p of summary.parts) console.error(`  ${ms(p.share)}${(p.share * 100).toFixed(1)}%  ${p.part}`);
  console.error('  busiest functions:');
  for (const l of summary.leaves) console.error(`    ${(l.share * 100).toFixed(1)}%  ${l.name}`);
  return { ...summary, file };
}
