// 5: the month page as villagers get it: the built portal (node portal/dist/server/entry.mjs) in front of the API.
import { execFileSync } from 'node:child_process';
import { request } from 'node:http';
import { freePort, ROOT, startChild, type Child } from './procs.ts';
import { load, type LoadResult } from './load.ts';
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

export async function startPortal(apiUrl: string): Promise<Child> {
  const port = await freePort();
  return startChild({
    name: 'portal',
    args: ['portal/dist/server/entry.mjs'],
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
}

export async function portalRun(options: {
  portalUrl: string;
  months: MonthRef[];
  connections: number;
  seconds: number;
}): Promise<PortalResult> {
  const path = (i: number) => {
    const m = options.months[i % options.months.length]!;
    return `/v/${m.slug}/${ym(m)}`;
  };
  const loaded = await load({
    url: options.portalUrl,
    connections: options.connections,
    seconds: options.seconds,
    request: (i) => ({ method: 'GET', path: path(i), headers: BROWSER }),
  });
  // TTFB and size one request at a time, on other months than the load run started with.
  const ttfb: number[] = [];
  const bytes: number[] = [];
  let encoding = '';
  const n = Math.min(100, options.months.length);
  for (let i = 0; i < n; i++) {
    const r = await timedGet(options.portalUrl + path(options.months.length - 1 - i));
    if (r.status !== 200) throw new Error(`portal ${path(i)}: HTTP ${r.status}`);
    ttfb.push(r.ttfb);
    bytes.push(r.bodyBytes);
    encoding = r.encoding;
  }
  return {
    load: loaded,
    ttfbP50: round(percentile(ttfb, 0.5), 2),
    ttfbP99: round(percentile(ttfb, 0.99), 2),
    bodyBytesMedian: percentile(bytes, 0.5),
    encoding,
    sampled: n,
  };
}
