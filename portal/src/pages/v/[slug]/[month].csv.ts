import type { APIRoute } from 'astro';
import { parseMonthSlug, parseRevision } from '../../../lib/format';

/** The old CSV address of a month: the open-data file is the one way to export, and printed links keep working. */
export const GET: APIRoute = ({ params, url }) => {
  const ym = parseMonthSlug(params.month);
  if (!ym)
    return new Response('没有这个月的公开账目\n', {
      status: 404,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
    });
  const rev = parseRevision(url.searchParams.get('rev'));
  const revision = rev === undefined ? '' : `/r${rev}`;
  return new Response(null, {
    status: 301,
    headers: { location: `/data/v/${params.slug}/${params.month}${revision}/lines.csv` },
  });
};
