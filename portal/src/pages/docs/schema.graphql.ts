import type { APIRoute } from 'astro';
import { SCHEMA_SDL } from '../../lib/docs/schema';

/** The committed api/schema.graphql, byte for byte. */
export const GET: APIRoute = () =>
  new Response(SCHEMA_SDL, {
    headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'public, max-age=300' },
  });
