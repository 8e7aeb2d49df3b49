// The front: one address in front of several API processes and several portals (docs/SCALING.md). Plain node:http,
// no dependency: round robin over the upstreams that answer their health check, a retry on another upstream when one
// cannot be reached, X-Forwarded-For appended. /graphql and /attachments/… go to the APIs, everything else to the
// portals; /__front answers the front's own view of its upstreams (JSON).
//
//   tsx scripts/cluster/front.ts --port 8080 --api http://127.0.0.1:4001,http://127.0.0.1:4002 \
//     --portal http://127.0.0.1:4322,http://127.0.0.1:4323
import { createServer, request, Agent, type IncomingMessage, type OutgoingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

export interface FrontOptions {
  port: number;
  host?: string;
  /** Origins of the API processes (http://host:port). */
  api: string[];
  /** Origins of the portal processes. */
  portal: string[];
  /** How often each upstream's health is checked, ms (default 1,000). */
  healthIntervalMs?: number;
}

export interface Upstream {
  origin: string;
  healthy: boolean;
  /** Requests this upstream answered. */
  served: number;
  /** Connect errors and failed health checks since it was last healthy. */
  failures: number;
}

export interface RunningFront {
  url: string;
  server: Server;
  pools: { api: Upstream[]; portal: Upstream[] };
  close(): Promise<void>;
}

/** Bodies up to this size are kept, so a request that could not reach one upstream can be sent to the next. */
const RETRYABLE_BODY_BYTES = 1024 * 1024;
/** Headers of one connection, never passed on (RFC 9110 7.6.1). */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'proxy-authorization',
  'proxy-authenticate',
]);
/** Errors that mean the upstream never got the request: any method may be sent elsewhere. */
const NOT_REACHED = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'ECONNRESET_BEFORE_SEND']);

class Pool {
  readonly upstreams: Upstream[];
  private next = 0;
  constructor(origins: string[]) {
    this.upstreams = origins.map((origin) => ({
      origin: origin.replace(/\/$/, ''),
      healthy: true,
      served: 0,
      failures: 0,
    }));
  }
  /** The upstreams to try, in order: healthy ones by round robin, then the rest (better a try than a sure 502). */
  order(): Upstream[] {
    const n = this.upstreams.length;
    const start = this.next++ % n;
    const rotated = [...this.upstreams.slice(start), ...this.upstreams.slice(0, start)];
    return [...rotated.filter((u) => u.healthy), ...rotated.filter((u) => !u.healthy)];
  }
}

export async function startFront(options: FrontOptions): Promise<RunningFront> {
  if (options.api.length === 0 || options.portal.length === 0) throw new Error('the front needs --api and --portal');
  const api = new Pool(options.api);
  const portal = new Pool(options.portal);
  const agent = new Agent({ keepAlive: true, maxSockets: 64, maxFreeSockets: 16 });

  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    if (url === '/__front') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ api: api.upstreams, portal: portal.upstreams }));
      return;
    }
    const pool = url === '/graphql' || url.startsWith('/graphql?') || url.startsWith('/attachments/') ? api : portal;
    void forward(req, pool).then(
      (upstream) => {
        if (!upstream) return;
        res.writeHead(upstream.statusCode ?? 502, passOn(upstream.headers));
        upstream.pipe(res);
      },
      () => {
        if (res.headersSent) res.destroy();
        else res.writeHead(502, { 'content-type': 'text/plain; charset=utf-8' }).end('no upstream could answer');
      },
    );
  });

  /** Sends the request to the pool's upstreams in turn until one answers; rejects when none could be reached. */
  async function forward(req: IncomingMessage, pool: Pool): Promise<IncomingMessage> {
    const length = Number(req.headers['content-length'] ?? 0);
    const hasBody = req.headers['transfer-encoding'] !== undefined || length > 0;
    const body = !hasBody ? Buffer.alloc(0) : length > 0 && length <= RETRYABLE_BODY_BYTES ? await readAll(req) : null;
    const headers = passOn(req.headers);
    const peer = req.socket.remoteAddress ?? '';
    const forwarded = req.headers['x-forwarded-for'];
    headers['x-forwarded-for'] = forwarded ? `${String(forwarded)}, ${peer}` : peer;
    headers['x-forwarded-proto'] ??= 'http';
    if (req.headers.host) headers['x-forwarded-host'] ??= req.headers.host;
    let lastError: unknown = new Error('no upstream');
    for (const upstream of pool.order()) {
      try {
        const answer = await send(upstream, req, headers, body);
        upstream.served++;
        upstream.failures = 0;
        return answer;
      } catch (error) {
        lastError = error;
        const code = (error as { code?: string }).code ?? '';
        if (!NOT_REACHED.has(code)) throw error;
        upstream.healthy = false;
        upstream.failures++;
        // A streamed body was read by the first try: it cannot be sent again.
        if (body === null) throw error;
      }
    }
    throw lastError;
  }

  function send(
    upstream: Upstream,
    req: IncomingMessage,
    headers: OutgoingHttpHeaders,
    body: Buffer | null,
  ): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const target = new URL(req.url ?? '/', upstream.origin);
      const outgoing = request(target, { method: req.method, headers, agent }, resolve);
      let sent = false;
      outgoing.once('error', (error: NodeJS.ErrnoException) => {
        // A reused keep-alive socket the upstream had closed (it restarted): the request never got there.
        if (error.code === 'ECONNRESET' && !sent) error.code = 'ECONNRESET_BEFORE_SEND';
        reject(error);
      });
      outgoing.once('finish', () => (sent = true));
      if (body) outgoing.end(body);
      else req.pipe(outgoing);
    });
  }

  /** Marks each upstream healthy or not: the APIs by /healthz (200 when their read database answers), portals by any answer. */
  async function checkHealth(): Promise<void> {
    const check = (upstream: Upstream, path: string, ok: (status: number) => boolean) =>
      new Promise<void>((resolve) => {
        const probe = request(new URL(path, upstream.origin), { method: 'GET', agent, timeout: 2_000 }, (answer) => {
          answer.resume();
          upstream.healthy = ok(answer.statusCode ?? 0);
          if (upstream.healthy) upstream.failures = 0;
          else upstream.failures++;
          resolve();
        });
        probe.once('timeout', () => probe.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
        probe.once('error', () => {
          upstream.healthy = false;
          upstream.failures++;
          resolve();
        });
        probe.end();
      });
    await Promise.all([
      ...api.upstreams.map((u) => check(u, '/healthz', (s) => s === 200)),
      ...portal.upstreams.map((u) => check(u, '/robots.txt', (s) => s > 0 && s < 500)),
    ]);
  }
  let checking = checkHealth();
  const timer = setInterval(() => {
    checking = checkHealth();
  }, options.healthIntervalMs ?? 1_000);
  timer.unref();

  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(options.port, options.host ?? '127.0.0.1', resolve));
  const address = server.address() as AddressInfo;
  return {
    url: `http://${address.address}:${address.port}`,
    server,
    pools: { api: api.upstreams, portal: portal.upstreams },
    async close() {
      clearInterval(timer);
      await checking;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      agent.destroy();
    },
  };
}

function passOn(headers: IncomingMessage['headers']): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  const named = new Set(
    String(headers.connection ?? '')
      .split(',')
      .map((h) => h.trim().toLowerCase()),
  );
  for (const [key, value] of Object.entries(headers))
    if (value !== undefined && !HOP_BY_HOP.has(key) && !named.has(key)) out[key] = value;
  return out;
}

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8080' },
      host: { type: 'string', default: '127.0.0.1' },
      api: { type: 'string' },
      portal: { type: 'string' },
    },
  });
  const list = (v: string | undefined) => (v ?? '').split(',').filter(Boolean);
  const front = await startFront({
    port: Number(values.port),
    host: values.host,
    api: list(values.api),
    portal: list(values.portal),
  });
  console.log(`front at ${front.url}: API ${list(values.api).join(' ')}, portal ${list(values.portal).join(' ')}`);
  const stop = () => void front.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
