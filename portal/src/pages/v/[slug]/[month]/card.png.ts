import type { APIRoute } from 'astro';
import sharp from 'sharp';
import { graphql } from '../../../../lib/api';
import { parseMonthSlug, parseRevision } from '../../../../lib/format';
import { MonthCard } from '../../../../lib/queries-share';
import { cardSvg } from '../../../../lib/share';

const SLUG = /^[a-z0-9][a-z0-9-]{0,63}$/;

/**
 * The month's share card (the month page's og:image): village, month and its four figures as a small PNG drawn here
 * from SVG with the machine's CJK font. A revision never changes, so its card is cached a day, revalidated by digest;
 * the current one an hour (a correction makes a new one).
 */
export const GET: APIRoute = async ({ params, request, url }) => {
  const ym = parseMonthSlug(params.month);
  const slug = params.slug ?? '';
  const rev = parseRevision(url.searchParams.get('rev'));
  const data = ym && SLUG.test(slug) ? await graphql(MonthCard, { slug, ...ym, revision: rev }) : undefined;
  const v = data?.village;
  const s = v?.statement;
  if (!ym || !v || !s)
    return new Response('没有这个月的公开账目\n', {
      status: 404,
      headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'public, max-age=60' },
    });
  const etag = `"card-${s.digest.slice(0, 24)}"`;
  const headers = {
    'content-type': 'image/png',
    'cache-control': rev === undefined ? 'public, max-age=3600' : 'public, max-age=86400',
    etag,
    'cross-origin-resource-policy': 'cross-origin',
  };
  if (request.headers.get('if-none-match') === etag) return new Response(null, { status: 304, headers });
  const svg = cardSvg({
    villageName: v.name,
    townName: v.town.name,
    ...ym,
    openingYuan: s.openingBalance.yuan,
    incomeYuan: s.income.yuan,
    spendingYuan: s.spending.yuan,
    closingYuan: s.closingBalance.yuan,
    lineCount: s.lineCount,
  });
  const png = await sharp(Buffer.from(svg)).png({ palette: true, colours: 64, compressionLevel: 9 }).toBuffer();
  return new Response(request.method === 'HEAD' ? null : new Uint8Array(png), {
    headers: { ...headers, 'content-length': String(png.length) },
  });
};
export const HEAD = GET;
