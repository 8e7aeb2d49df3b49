import type { APIRoute } from 'astro';
import { parseMonthSlug, parseRevision } from '../../../lib/format';

/**
 * The old JSON address of a month: now its data package (JSON, describing the month's CSV and JSON Lines files),
 * so the open-data files are the one way to export.
 */
export const GET: APIRoute = ({ params, url }) => {
  const ym = parseMonthSlug(params.month);
  if (!ym)
    return Response.json(
      { errors: [{ message: '没有这个月的公开账目', extensions: { code: 'NOT_FOUND' } }] },
      { status: 404 },
    );
  const rev = parseRevision(url.searchParams.get('rev'));
  const revision = rev === undefined ? '' : `/r${rev}`;
  return new Response(null, {
    status: 301,
    headers: { location: `/data/v/${params.slug}/${params.month}${revision}/datapackage.json` },
  });
};
