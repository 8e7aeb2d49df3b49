import type { APIRoute } from 'astro';
import { parseMonthSlug } from '../../../lib/format';
import { wholeMonth } from '../../../lib/lines';

/** The month as JSON: the statement's figures and every payment and receipt, money as exact strings. */
export const GET: APIRoute = async ({ params, url }) => {
  const ym = parseMonthSlug(params.month);
  const rev = Number(url.searchParams.get('rev')) || undefined;
  const m = ym ? await wholeMonth(params.slug!, ym.year, ym.month, rev) : undefined;
  if (!m || !ym)
    return Response.json({ error: { code: 'NOT_FOUND', message: '没有这个月的公开账目' } }, { status: 404 });
  return new Response(
    JSON.stringify(
      {
        village: { slug: params.slug, name: m.villageName, code: m.villageCode },
        year: ym.year,
        month: ym.month,
        ...m,
      },
      null,
      1,
    ),
    {
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'cache-control': 'public, max-age=600',
        etag: `"${m.digest.slice(0, 32)}-json"`,
      },
    },
  );
};
