// 7: three hostile uploads at once (an xlsx of under 1 MB that unzips to 190 MB, issue 12) while one client asks the
// API `{ __typename }` one request after another: the light query's latency and the API's RSS (from /proc) meanwhile.
import { hugeUnpackedXlsx } from '../../tests/fixtures/hostile/make-hostile.ts';
import { freshDatabase } from './import.ts';
import { memoryOf, startApi } from './procs.ts';
import { percentile, round } from './stats.ts';

const TARGET = `${process.env.BENCH_IMPORT_DATABASE ?? 'mingbai_bench_import'}_uploads`;
const UPLOADS = 3;

export interface UploadsResult {
  uploads: number;
  file: { bytes: number; unzippedBytes: number };
  /** Each upload's HTTP status and problem codes (or error code). */
  outcomes: string[];
  seconds: number;
  typename: { requests: number; p50: number; p99: number; max: number };
  apiRssMb: { before: number; peak: number };
}

const IMPORT = `mutation ($c: String!) {
  importLedger(villageSlug: "fucun", filename: "huge.xlsx", contentBase64: $c, year: 2025, month: 6) {
    status problems { code }
  }
}`;

export async function uploadsRun(options: { serverUrl: string; log: (s: string) => void }): Promise<UploadsResult> {
  const { bytes, unzippedBytes } = await hugeUnpackedXlsx();
  const databaseUrl = await freshDatabase(options.serverUrl, options.log, TARGET);
  const api = await startApi(databaseUrl);
  const url = `${api.url}/graphql`;
  const post = (body: unknown, token?: string) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
  const typename = async () => {
    const res = await post({ query: '{ __typename }' });
    await res.arrayBuffer();
  };
  try {
    const login = (await (
      await post({
        query: 'mutation { login(username: "fucun-kuaiji", password: "mingbai-demo") { token } }',
      })
    ).json()) as { data: { login: { token: string } } };
    const token = login.data.login.token;
    // Warm the light query's path, then measure from a settled process.
    for (const end = performance.now() + 2000; performance.now() < end;) await typename();
    const before = memoryOf(api.pid)?.rssMb ?? 0;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, memoryOf(api.pid)?.rssMb ?? 0)), 20);
    const content = Buffer.from(bytes).toString('base64');
    const started = performance.now();
    let done = false;
    const uploads = Promise.all(
      Array.from({ length: UPLOADS }, async () => {
        const res = await post({ query: IMPORT, variables: { c: content } }, token);
        const json = (await res.json()) as {
          data?: { importLedger: { status: string; problems: { code: string }[] } } | null;
          errors?: { extensions?: { code?: string } }[];
        };
        const report = json.data?.importLedger;
        return report
          ? `${res.status} ${report.status} ${report.problems.map((p) => p.code).join(',')}`
          : `${res.status} ${json.errors?.[0]?.extensions?.code ?? 'no answer'}`;
      }),
    ).finally(() => (done = true));
    const latencies: number[] = [];
    while (!done) {
      const t = performance.now();
      await typename();
      latencies.push(performance.now() - t);
    }
    const outcomes = await uploads;
    const seconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    peak = Math.max(peak, memoryOf(api.pid)?.rssMb ?? 0);
    return {
      uploads: UPLOADS,
      file: { bytes: bytes.byteLength, unzippedBytes },
      outcomes,
      seconds: round(seconds, 2),
      typename: {
        requests: latencies.length,
        p50: round(percentile(latencies, 0.5), 2),
        p99: round(percentile(latencies, 0.99), 2),
        max: round(Math.max(...latencies), 2),
      },
      apiRssMb: { before: Math.round(before), peak: Math.round(peak) },
    };
  } finally {
    await api.stop();
  }
}
