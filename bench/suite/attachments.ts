// Receipts (issue 16), against the API as deployed (a child process): a 12-megapixel phone photo through the pool of
// image workers (decode, orient, redact, re-encode the full view and thumbnail), first in this process's own pool
// (the pipeline alone), then as `attachFile` over HTTP one at a time and 20 at once, the API process's RSS meanwhile
// (from /proc, not this process's), and month pages read at c=16 alone and while the 20 uploads run. A figure, not a
// test: the bounds the issue sets are under 1 s per photo, API RSS under 400 MB, month pages not stalled.
// Self-contained: a database of a few demo villages of its own (seeded once, reused), a month opened in it.
import postgres from 'postgres';
import sharp from 'sharp';
import { memoryOf, startApi } from './procs.ts';
import { percentile, round } from './stats.ts';
import { isGraphQLError, monthPageBody, type MonthRef } from './workload.ts';

export interface AttachmentsResult {
  megapixels: number;
  photoBytes: number;
  workers: number;
  /** The pipeline alone, in a pooled worker of this process: the first file (workers booting), then the median. */
  firstMs: number;
  p50Ms: number;
  viewBytes: number;
  thumbnailBytes: number;
  /** How the uploads went: the binary route (the portal's way), or attachFile's Base64 body (MINGBAI_BENCH_UPLOAD). */
  via: 'binary' | 'graphql';
  /** An upload over HTTP, one at a time (body, worker, store, rows): the median of 5. */
  uploadP50Ms: number;
  /** 20 `attachFile` at once: until the last answers; every one must succeed. */
  twentyAtOnceMs: number;
  /** The API process: RSS when idle after warming up, and its peak while the 20 uploads ran. */
  apiRssIdleMb: number;
  apiPeakRssMb: number;
  monthPage: {
    connections: number;
    alone: { rps: number; p50: number; p99: number };
    duringUploads: { rps: number; p50: number; p99: number; requests: number };
  };
  /** 1 − during / alone. */
  slowdown: number;
}

/** A phone-like photo: 4000 × 3000 with detail everywhere (what JPEG keeps large), EXIF and an orientation tag. */
async function aPhonePhoto(): Promise<Buffer> {
  const width = 4000;
  const height = 3000;
  const raw = Buffer.alloc(width * height * 3);
  let x = 2463534242;
  for (let i = 0; i < raw.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    raw[i] = 96 + ((x >>> 0) % 64) + ((i / 3 / width) % 64);
  }
  return sharp(raw, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 88 })
    .withExif({ IFD0: { Make: 'BenchPhone' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '39/1 8/1 0/1' } })
    .withMetadata({ orientation: 6 })
    .toBuffer();
}

const VILLAGES = ['fucun', 'tianli', 'liutai', 'xiaonanhe'];
const JSON_POST = { 'content-type': 'application/json' };
const CONNECTIONS = 16;
const BENCH_USER = 'bench-kuaiji';
const BENCH_PASSWORD = 'bench-password-1';
const ATTACH = `mutation ($input: AttachFileInput!) { attachFile(input: $input) { id sha256 } }`;

/** The bench's database: migrated, the demo villages seeded (the first time, about a minute) with their users. */
async function prepare(serverUrl: string, log: (s: string) => void): Promise<string> {
  const url = new URL(serverUrl);
  const name = 'mingbai_bench_attachments';
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  const [exists] = await admin`select 1 as found from pg_database where datname = ${name}`;
  if (!exists) await admin.unsafe(`create database ${name}`);
  await admin.end();
  url.pathname = `/${name}`;
  const { migrateDb, openDb } = await import('@mingbai/db/client');
  const { seedDemo } = await import('@mingbai/db/demo/seed');
  const { createUser } = await import('@mingbai/api/auth/auth.service');
  const handle = await openDb({ databaseUrl: url.toString(), poolSize: 4 });
  try {
    await migrateDb(handle);
    const report = await seedDemo(handle.db, { villages: VILLAGES });
    if (report.villages > 0) log(`  seeded ${report.villages} demo villages in ${round(report.elapsedMs / 1000, 0)} s`);
    // The bench's own accountant of 付村 (the demo's users need a village this bench does not seed).
    const sql = postgres(url.toString(), { max: 1, onnotice: () => {} });
    const [user] = await sql`select 1 as found from users where username = ${BENCH_USER}`;
    await sql.end();
    if (!user) {
      await createUser(handle.db, {
        username: BENCH_USER,
        displayName: '压测报账员',
        password: BENCH_PASSWORD,
        grants: [{ role: 'accountant', scope: 'fucun' }],
        actor: 'bench',
        bootstrap: true,
      });
    }
  } finally {
    await handle.close();
  }
  return url.toString();
}

/** A month of 付村 that takes attachments: its newest if not yet published, else the next one, opened. */
async function monthToAttach(databaseUrl: string): Promise<{ year: number; month: number }> {
  const { openDb } = await import('@mingbai/db/client');
  const { openPeriod, latestRevision } = await import('@mingbai/db/ledger/periods');
  const handle = await openDb({ databaseUrl, poolSize: 2 });
  try {
    const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
    const [last] = await sql<{ id: number; year: number; month: number }[]>`
      select v.id, p.year, p.month from periods p join villages v on v.id = p.village_id
       where v.slug = 'fucun' order by p.year desc, p.month desc limit 1`;
    await sql.end();
    const key = { villageId: last!.id, year: last!.year, month: last!.month };
    const latest = await latestRevision(handle.db, key);
    if (latest && latest.status !== 'published') return { year: key.year, month: key.month };
    const next = key.month === 12 ? { year: key.year + 1, month: 1 } : { year: key.year, month: key.month + 1 };
    await handle.db.transaction((tx) => openPeriod(tx, { ...key, ...next, actor: 'bench' }));
    return next;
  } finally {
    await handle.close();
  }
}

/** Closed loops of month-page reads until `stop()`: each completion's time and latency. */
function readMonthPages(apiUrl: string, months: MonthRef[], connections: number) {
  const done: { at: number; ms: number }[] = [];
  let errors = 0;
  let next = 0;
  let running = true;
  const loops = Array.from({ length: connections }, async () => {
    while (running) {
      const body = monthPageBody(months[next++ % months.length]!);
      const t = performance.now();
      const res = await fetch(apiUrl, { method: 'POST', headers: JSON_POST, body });
      const text = await res.text();
      if (res.status !== 200 || isGraphQLError(text)) errors++;
      done.push({ at: performance.now(), ms: performance.now() - t });
    }
  });
  return {
    done,
    async stop() {
      running = false;
      await Promise.all(loops);
      if (errors > 0) throw new Error(`month pages: ${errors} failed responses`);
    },
  };
}

function window(samples: { at: number; ms: number }[], from: number, to: number) {
  const inside = samples.filter((s) => s.at >= from && s.at <= to).map((s) => s.ms);
  return {
    requests: inside.length,
    rps: round(inside.length / ((to - from) / 1000), 0),
    p50: round(percentile(inside, 0.5), 1),
    p99: round(percentile(inside, 0.99), 1),
  };
}

/** The same photo with a comment segment of its own after SOI: distinct bytes, the same work. */
function variant(photo: Buffer, i: number): Buffer {
  const text = Buffer.from(`bench photo ${i} ${Date.now()}`, 'latin1');
  const segment = Buffer.alloc(4);
  segment[0] = 0xff;
  segment[1] = 0xfe;
  segment.writeUInt16BE(text.length + 2, 2);
  return Buffer.concat([photo.subarray(0, 2), segment, text, photo.subarray(2)]);
}

export async function attachmentsRun(options: {
  serverUrl: string;
  seconds: number;
  log: (s: string) => void;
}): Promise<AttachmentsResult> {
  const { log } = options;
  const photo = await aPhonePhoto();
  const redactions = [{ x: 0.1, y: 0.6, w: 0.5, h: 0.08 }];

  // The pipeline alone, in this process's pool (the same module the API uses).
  const { processInWorker, closeImagePool, DEFAULT_IMAGE_POOL } =
    await import('@mingbai/api/attachments/process-in-worker');
  const times: number[] = [];
  let sizes = { view: 0, thumbnail: 0 };
  for (let i = 0; i < 6; i++) {
    const started = performance.now();
    const out = await processInWorker(photo, 'IMG_0001.jpg', redactions);
    times.push(performance.now() - started);
    sizes = { view: out.view.bytes.length, thumbnail: out.thumbnail.bytes.length };
  }
  await closeImagePool();
  const rest = times.slice(1).sort((a, b) => a - b);
  log(
    `  pipeline: 12 MP photo (${round(photo.length / 1024 / 1024, 1)} MB) ${round(rest[2]!)} ms (first ${round(times[0]!)} ms)`,
  );

  // The API as deployed.
  const databaseUrl = await prepare(options.serverUrl, log);
  const target = await monthToAttach(databaseUrl);
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  const months = await sql<MonthRef[]>`
    select v.slug, v.id as "villageId", p.year, p.month, p.revision, p.line_count as "lineCount"
      from periods p join villages v on v.id = p.village_id
     where p.status = 'published'
       and p.revision = (select max(q.revision) from periods q where q.village_id = p.village_id and q.year = p.year
                           and q.month = p.month and q.status = 'published')
     order by md5(v.code || ':' || p.year || ':' || p.month)`;
  await sql.end();
  const { mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const api = await startApi(databaseUrl, {
    MINGBAI_FILES_DIR: mkdtempSync(join(tmpdir(), 'mingbai-bench-files-')),
    MINGBAI_FILES_SWEEP_HOURS: '0',
  });
  try {
    const url = `${api.url}/graphql`;
    const login = await fetch(url, {
      method: 'POST',
      headers: JSON_POST,
      body: JSON.stringify({
        query: `mutation ($u: String!, $p: String!) { login(username: $u, password: $p) { token } }`,
        variables: { u: BENCH_USER, p: BENCH_PASSWORD },
      }),
    });
    const token = ((await login.json()) as { data?: { login: { token: string } } }).data?.login.token;
    if (!token) throw new Error(`bench: could not sign in as ${BENCH_USER}`);
    let n = 0;
    // The portal's way (the binary route: raw bytes, streamed to disk) unless MINGBAI_BENCH_UPLOAD=graphql asks for
    // attachFile's Base64 JSON body, the figures before the route existed.
    const viaGraphQL = process.env.MINGBAI_BENCH_UPLOAD === 'graphql';
    const upload = async () => {
      const bytes = variant(photo, n++);
      const t = performance.now();
      let res: Response;
      if (viaGraphQL) {
        res = await fetch(url, {
          method: 'POST',
          headers: { ...JSON_POST, authorization: `Bearer ${token}` },
          body: JSON.stringify({
            query: ATTACH,
            variables: {
              input: {
                villageSlug: 'fucun',
                ...target,
                voucherNumber: null,
                kind: 'other',
                filename: `IMG_${n}.jpg`,
                contentBase64: bytes.toString('base64'),
                redactions,
              },
            },
          }),
        });
      } else {
        const route = new URL(`/attachments/fucun/${target.year}-${String(target.month).padStart(2, '0')}`, api.url);
        route.searchParams.set('filename', `IMG_${n}.jpg`);
        route.searchParams.set('kind', 'other');
        route.searchParams.set('redactions', JSON.stringify(redactions));
        res = await fetch(route, {
          method: 'POST',
          headers: { 'content-type': 'image/jpeg', authorization: `Bearer ${token}` },
          body: bytes,
        });
      }
      const text = await res.text();
      if (res.status !== 200 || isGraphQLError(text)) throw new Error(`upload failed: ${text.slice(0, 300)}`);
      return performance.now() - t;
    };
    // Warm-up: month pages and one upload, so both sides run warm.
    const warm = readMonthPages(url, months, CONNECTIONS);
    await upload();
    await new Promise((r) => setTimeout(r, 1500));
    await warm.stop();
    const uploads: number[] = [];
    for (let i = 0; i < 5; i++) uploads.push(await upload());
    const uploadP50Ms = round(percentile(uploads, 0.5));
    log(
      `  upload over HTTP (${viaGraphQL ? 'attachFile, Base64' : 'binary route'}), one at a time: p50 ${uploadP50Ms} ms`,
    );

    const alone = readMonthPages(url, months, CONNECTIONS);
    const aloneFrom = performance.now();
    await new Promise((r) => setTimeout(r, options.seconds * 1000));
    const aloneTo = performance.now();
    await alone.stop();
    const aloneStats = window(alone.done, aloneFrom, aloneTo);
    log(`  month pages alone: ${aloneStats.rps} req/s, p50 ${aloneStats.p50} ms, p99 ${aloneStats.p99} ms`);
    await new Promise((r) => setTimeout(r, 500));
    const apiRssIdleMb = Math.round(memoryOf(api.pid)?.rssMb ?? 0);

    const reading = readMonthPages(url, months, CONNECTIONS);
    await new Promise((r) => setTimeout(r, 300));
    const from = performance.now();
    // VmHWM is the process's lifetime peak: the sampler's RSS readings during the run are what counts here.
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, memoryOf(api.pid)?.rssMb ?? 0)), 20);
    await Promise.all(Array.from({ length: 20 }, () => upload()));
    const to = performance.now();
    clearInterval(sampler);
    await reading.stop();
    const during = window(reading.done, from, to);
    const slowdown = round(1 - during.rps / Math.max(1, aloneStats.rps), 3);
    const result: AttachmentsResult = {
      megapixels: 12,
      photoBytes: photo.length,
      workers: DEFAULT_IMAGE_POOL.workers,
      via: viaGraphQL ? 'graphql' : 'binary',
      firstMs: round(times[0]!),
      p50Ms: round(rest[Math.floor(rest.length / 2)]!),
      viewBytes: sizes.view,
      thumbnailBytes: sizes.thumbnail,
      uploadP50Ms,
      twentyAtOnceMs: round(to - from),
      apiRssIdleMb,
      apiPeakRssMb: Math.round(peak),
      monthPage: {
        connections: CONNECTIONS,
        alone: { rps: aloneStats.rps, p50: aloneStats.p50, p99: aloneStats.p99 },
        duringUploads: during,
      },
      slowdown,
    };
    log(
      `attachments: 12 MP photo ${result.p50Ms} ms in a worker (first ${result.firstMs} ms), view ${result.viewBytes} B, ` +
        `thumbnail ${result.thumbnailBytes} B; attachFile p50 ${uploadP50Ms} ms; 20 at once ${result.twentyAtOnceMs} ms; ` +
        `API RSS ${apiRssIdleMb} MB idle, peak ${result.apiPeakRssMb} MB; month pages ${aloneStats.rps} req/s alone, ` +
        `${during.rps} req/s during the uploads (p99 ${during.p99} ms), slowdown ${round(slowdown * 100, 1)}%`,
    );
    return result;
  } finally {
    await api.stop();
  }
}
