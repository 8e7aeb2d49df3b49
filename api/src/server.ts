import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { unwrapResolverError } from '@apollo/server/errors';
import type { GraphQLFormattedError } from 'graphql';
import { sql } from 'drizzle-orm';
import { withStatementLog, type Db } from '@mingbai/db/client';
import { authenticate } from './auth/auth.service.ts';
import { createContext, type Context } from './context.ts';
import { handleOpenData } from './opendata/opendata.http.ts';
import { toGraphQLError } from './errors.ts';
import { buildApiSchema } from './schema.ts';

export interface ApiServerOptions {
  db: Db;
  port: number;
  host?: string;
  /** Add `extensions.sql.statements` to every response: the SQL statements the request ran. */
  exposeSqlStats?: boolean;
}

export interface RunningApi {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** Public queries are small; signed-in committees upload ledger files (base64) through mutations. */
const MAX_BODY_BYTES = 1_000_000;
const MAX_AUTHENTICATED_BODY_BYTES = 40_000_000;

type RequestContext = Context & { sql: { statements: string[] } };

/** Apollo Server on plain Node HTTP: /graphql for queries, /healthz for load balancers. */
export async function startApiServer(options: ApiServerOptions): Promise<RunningApi> {
  const apollo = new ApolloServer<RequestContext>({
    schema: await buildApiSchema(),
    introspection: true,
    // Stack traces are for our logs, never for the public.
    includeStacktraceInErrorResponses: false,
    // Apollo's CSRF guard protects cookie-authenticated APIs; this one takes only bearer tokens (see bearerToken),
    // and public data must be fetchable with a plain GET by any client or cache.
    csrfPrevention: false,
    plugins: [ApolloServerPluginLandingPageDisabled(), ...(options.exposeSqlStats ? [sqlStatsPlugin] : [])],
    formatError: formatError,
  });
  await apollo.start();

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      console.error('request failed', error);
      if (!res.headersSent)
        sendJson(res, 500, { errors: [{ message: '服务器内部错误', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
      else res.end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    res.setHeader('access-control-allow-origin', '*');
    if (url.pathname === '/healthz') {
      await options.db.execute(sql`select 1`);
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('ok');
      return;
    }
    if (url.pathname === '/data' || url.pathname.startsWith('/data/')) return handleOpenData(req, res, options.db, url);
    if (url.pathname !== '/graphql') {
      sendJson(res, 404, {
        errors: [{ message: '没有这个地址；GraphQL 接口在 /graphql', extensions: { code: 'NOT_FOUND' } }],
      });
      return;
    }
    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        'access-control-allow-methods': 'GET, POST, OPTIONS',
        'access-control-allow-headers': 'content-type, authorization, apollo-require-preflight',
        'access-control-max-age': '86400',
      });
      res.end();
      return;
    }
    const token = bearerToken(req);
    const viewer = token ? await authenticate(options.db, token) : null;
    const limit = viewer ? MAX_AUTHENTICATED_BODY_BYTES : MAX_BODY_BYTES;
    const body = req.method === 'POST' ? await readBody(req, limit) : undefined;
    if (body === TOO_LARGE) {
      sendJson(res, 413, {
        errors: [{ message: `请求体超过 ${limit} 字节`, extensions: { code: 'PAYLOAD_TOO_LARGE' } }],
      });
      return;
    }
    let parsedBody: unknown;
    if (body !== undefined && body.length > 0) {
      try {
        parsedBody = (req.headers['content-type'] ?? '').includes('json') ? JSON.parse(body) : body;
      } catch {
        sendJson(res, 400, { errors: [{ message: '请求体不是有效的 JSON', extensions: { code: 'BAD_REQUEST' } }] });
        return;
      }
    }
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    const sqlLog = { statements: [] as string[] };
    const result = await withStatementLog(sqlLog, () =>
      apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: url.search, body: parsedBody },
        context: async () => ({ ...createContext(options.db, viewer), sql: sqlLog }),
      }),
    );
    for (const [key, value] of result.headers) res.setHeader(key, value);
    res.statusCode = result.status ?? 200;
    if (result.body.kind === 'complete') {
      res.end(result.body.string);
      return;
    }
    for await (const chunk of result.body.asyncIterator) res.write(chunk);
    res.end();
  }

  // Idle keep-alive connections outlive the client's and a load balancer's own timeouts, so the client never sends a
  // request down a socket the server is closing at that instant (ECONNRESET under load).
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await new Promise<void>((resolve) => server.listen(options.port, options.host ?? '127.0.0.1', resolve));
  const address = server.address() as AddressInfo;
  return {
    url: `http://${address.address.includes(':') ? `[${address.address}]` : address.address}:${address.port}/graphql`,
    server,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await apollo.stop();
    },
  };
}

const TOO_LARGE = Symbol('too large');

/**
 * `Authorization: Bearer …` only. The API reads no cookies, so a browser never sends it credentials on its own and
 * cross-site request forgery has nothing to ride on; the portal passes its session's token server-side.
 */
function bearerToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  return header?.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() || undefined : undefined;
}

async function readBody(req: IncomingMessage, limit: number): Promise<string | typeof TOO_LARGE> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) return TOO_LARGE;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
}

/** Resolver errors become coded errors; anything unexpected is logged here and shown only as a generic message. */
function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  if (formatted.extensions?.code && formatted.extensions.code !== 'INTERNAL_SERVER_ERROR') return formatted;
  const coded = toGraphQLError(original);
  if (coded.extensions.code === 'INTERNAL_SERVER_ERROR') console.error('unexpected error', original);
  return { message: coded.message, path: formatted.path, locations: formatted.locations, extensions: coded.extensions };
}

/** Reports how many SQL statements the request ran, so N+1 regressions are visible from outside. */
const sqlStatsPlugin: ApolloServerPlugin<RequestContext> = {
  async requestDidStart() {
    return {
      async willSendResponse({ response, contextValue }) {
        if (response.body.kind === 'single') {
          response.body.singleResult.extensions = {
            ...response.body.singleResult.extensions,
            sql: { statements: contextValue.sql.statements.length },
          };
        }
      },
    };
  },
};
