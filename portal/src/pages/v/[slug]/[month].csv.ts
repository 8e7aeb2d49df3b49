import type { APIRoute } from 'astro';
import { monthDownload } from '../../../lib/month-download';

/** The month's lines as CSV (the open-data `lines.csv`), at the address the month page and printed links use. */
export const GET: APIRoute = ({ params, request, url }) => monthDownload(params, request, url, 'lines.csv');
export const HEAD = GET;
