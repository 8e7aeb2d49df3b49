import type { APIRoute } from 'astro';
import { parseMonthSlug } from '../../../lib/format';
import { csvCell, wholeMonth } from '../../../lib/lines';

/** The month as CSV (UTF-8 with BOM so Excel on Chinese Windows opens it), one row per payment or receipt. */
export const GET: APIRoute = async ({ params, url }) => {
  const ym = parseMonthSlug(params.month);
  const rev = Number(url.searchParams.get('rev')) || undefined;
  const m = ym ? await wholeMonth(params.slug!, ym.year, ym.month, rev) : undefined;
  if (!m || !ym)
    return new Response('没有这个月的公开账目\n', {
      status: 404,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
    });
  const header = [
    '日期',
    '凭证号',
    '摘要',
    '收付款人',
    '收支',
    '金额（元）',
    '金额（分）',
    '科目编码',
    '科目',
    '类别',
    '方式',
  ];
  const rows = m.lines.map((l) => [
    l.date,
    String(l.voucher.number),
    l.summary,
    l.counterparty?.name ?? '',
    l.kind,
    l.amount.yuan,
    l.amount.fen,
    l.account.code,
    l.account.name,
    l.account.categoryName,
    l.paymentMethod,
  ]);
  const body = '\ufeff' + [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
  const name = `${params.slug}-${params.month}-v${m.revision}.csv`;
  return new Response(body, {
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${name}"`,
      'cache-control': 'public, max-age=600',
      etag: `"${m.digest.slice(0, 32)}-csv"`,
    },
  });
};
