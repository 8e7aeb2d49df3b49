import type { APIRoute } from 'astro';
import { graphql } from '../../../lib/api';
import { config } from '../../../lib/config';
import { monthSlug } from '../../../lib/format';
import { VillageBadge } from '../../../lib/queries-share';
import { badgeSvg } from '../../../lib/share';

const SLUG = /^[a-z0-9][a-z0-9-]{0,63}$/;

/**
 * A badge for the village's own website or a WeChat article: the latest published month and the balance at its end,
 * linking to that month. Cacheable for ten minutes anywhere (a new month shows soon), revalidated by its ETag; a static
 * SVG, safe in any page's <img>: `<a href="{site}/v/{slug}"><img src="{site}/v/{slug}/badge.svg" alt="…"></a>`.
 */
export const GET: APIRoute = async ({ params, request }) => {
  const slug = params.slug ?? '';
  const village = SLUG.test(slug) ? (await graphql(VillageBadge, { slug })).village : undefined;
  if (!village)
    return new Response('没有这个村\n', {
      status: 404,
      headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'public, max-age=60' },
    });
  const s = village.latestStatement;
  const href = `${config.publicUrl}/v/${slug}${s ? `/${monthSlug(s.year, s.month)}` : ''}`;
  const etag = `"badge-${s ? s.digest.slice(0, 24) : 'none'}"`;
  const headers = {
    'content-type': 'image/svg+xml; charset=utf-8',
    'cache-control': 'public, max-age=600',
    etag,
    // Other sites show it: allow their <img> even under a cross-origin isolation policy.
    'cross-origin-resource-policy': 'cross-origin',
    'access-control-allow-origin': '*',
  };
  if (request.headers.get('if-none-match') === etag) return new Response(null, { status: 304, headers });
  const svg = badgeSvg({
    villageName: village.name,
    latest: s ? { year: s.year, month: s.month, closingYuan: s.closingBalance.yuan } : undefined,
    href,
  });
  return new Response(request.method === 'HEAD' ? null : svg, { headers });
};
export const HEAD = GET;
