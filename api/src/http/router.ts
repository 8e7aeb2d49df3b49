// Which handler answers which path. Every answer may be read cross-origin (cors.ts); a handler that throws is
// answered by answerFailure.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sql } from 'drizzle-orm';
import type { Db } from '@mingbai/db/client';
import { allowAnyOrigin } from './cors.ts';
import { answerFailure, sendError } from './transport-errors.ts';

type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>;

export interface Routes {
  /** Checked by /healthz: load balancers take the API out of rotation while its database is away. */
  db: Db;
  /** GET /metrics: the process's cache counts as JSON (server.ts metricsOf). */
  metrics: () => object;
  graphql: Handler;
  openData: Handler;
  /** POST /attachments/{village}/{yyyy-mm}: a file as raw bytes (upload-endpoint.ts). */
  upload: Handler;
}

/**
 * /graphql for queries, /data/… for the bulk files, /attachments/… for uploads, /healthz for load balancers, /metrics
 * for operators; anything else is 404.
 */
export function router(routes: Routes): (req: IncomingMessage, res: ServerResponse) => void {
  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    allowAnyOrigin(res);
    if (url.pathname === '/healthz') {
      await routes.db.execute(sql`select 1`);
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('ok');
      return;
    }
    if (url.pathname === '/metrics') {
      res
        .writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' })
        .end(JSON.stringify(routes.metrics()));
      return;
    }
    if (url.pathname === '/data' || url.pathname.startsWith('/data/')) return routes.openData(req, res, url);
    if (url.pathname === '/graphql') return routes.graphql(req, res, url);
    if (url.pathname.startsWith('/attachments/')) return routes.upload(req, res, url);
    sendError(res, 404, 'NOT_FOUND', '没有这个地址；GraphQL 接口在 /graphql', {
      englishMessage: 'No such path; the GraphQL API is at /graphql',
    });
  }
  return (req, res) => {
    route(req, res).catch((error: unknown) => answerFailure(res, error));
  };
}
