import { API_URL, forwardedFor } from './api';
import { monthSlug, parseMonthSlug, parseRevision } from './format';

/** Response headers of the API's open-data file that a browser or mirror needs, passed on unchanged. */
const PASSED_ON = [
  'content-type',
  'content-length',
  'content-disposition',
  'cache-control',
  'etag',
  'link',
  'digest',
  'x-ratelimit-limit',
  'x-ratelimit-remaining',
  'x-ratelimit-reset',
  'retry-after',
];

const SLUG = /^[a-z0-9][a-z0-9-]{0,63}$/;

/**
 * A month's download on the month page (`/v/{slug}/{yyyy-mm}.csv`, `.json`): the month's lines themselves, the open-data
 * file `/data/v/{slug}/{yyyy-mm}[/r{n}]/{file}` served at this address (not a redirect, so what the link says is what
 * arrives), streamed through and charged to the visitor like a /data download. `?rev=` names a revision.
 */
export async function monthDownload(
  params: { slug?: string | undefined; month?: string | undefined },
  request: Request,
  url: URL,
  file: 'lines.csv' | 'lines.jsonl',
): Promise<Response> {
  const ym = parseMonthSlug(params.month);
  if (!ym || !SLUG.test(params.slug ?? '')) return notFound();
  const rev = parseRevision(url.searchParams.get('rev'));
  const target = new URL(
    `/data/v/${params.slug}/${monthSlug(ym.year, ym.month)}${rev === undefined ? '' : `/r${rev}`}/${file}`,
    API_URL,
  );
  const headers: Record<string, string> = { ...forwardedFor() };
  const ifNoneMatch = request.headers.get('if-none-match');
  if (ifNoneMatch) headers['if-none-match'] = ifNoneMatch;
  let upstream: Response;
  try {
    upstream = await fetch(target, { method: request.method, headers, signal: request.signal });
  } catch {
    return text('数据接口暂时连不上，请稍后再试\n', 503, { 'retry-after': '10' });
  }
  if (upstream.status === 404) {
    await upstream.body?.cancel();
    return notFound();
  }
  const passed = new Headers();
  for (const name of PASSED_ON) {
    const value = upstream.headers.get(name);
    if (value !== null) passed.set(name, value);
  }
  return new Response(upstream.body, { status: upstream.status, headers: passed });
}

function notFound(): Response {
  return text('没有这个月的公开账目\n', 404);
}

function text(body: string, status: number, extra: Record<string, string> = {}): Response {
  return new Response(body, {
    status,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...extra },
  });
}
