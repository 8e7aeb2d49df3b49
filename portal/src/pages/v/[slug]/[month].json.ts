import type { APIRoute } from 'astro';
import { monthDownload } from '../../../lib/month-download';

/**
 * The month's lines as JSON Lines (the open-data `lines.jsonl`: one JSON object per voucher line), at the old JSON
 * address. It once redirected to the data package, which describes the files but holds no line: the month page now
 * links that as 数据说明 (datapackage.json).
 */
export const GET: APIRoute = ({ params, request, url }) => monthDownload(params, request, url, 'lines.jsonl');
export const HEAD = GET;
