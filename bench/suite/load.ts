// Load from the bench process with autocannon: N connections, each sending its next request as soon as the last
// one is answered, for a bounded time. Every response is checked, so a fast error never counts as a fast page.
import autocannon from 'autocannon';
import { round } from './stats.ts';

export interface LoadRequest {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface LoadResult {
  connections: number;
  seconds: number;
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  /** Mean response body bytes as received (compressed when the server compressed). */
  meanBytes: number;
}

export async function load(options: {
  url: string;
  connections: number;
  seconds: number;
  /** The i-th request of the run; the list is deterministic, so two runs send the same requests in the same order. */
  request: (i: number) => LoadRequest;
  /** A body that is not a success (e.g. contains GraphQL errors); checked on every response. */
  isError?: (body: string) => boolean;
  /** Sees every response's status, body and headers (the response cache's x-mingbai-cache, bench/suite/cache.ts). */
  onResponse?: (status: number, body: string, headers: Record<string, string>) => void;
}): Promise<LoadResult> {
  let next = 0;
  let bad = 0;
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.seconds,
    // One request in flight per connection, like a visitor waiting for the page.
    pipelining: 1,
    timeout: 30,
    requests: [
      {
        setupRequest: (req) => {
          const r = options.request(next++);
          return { ...req, method: r.method, path: r.path, headers: { ...r.headers }, body: r.body ?? '' };
        },
        onResponse: (status, body, _context, headers) => {
          if (status !== 200 || options.isError?.(body)) bad++;
          options.onResponse?.(status, body, (headers ?? {}) as Record<string, string>);
        },
      },
    ],
  });
  const seconds = result.duration;
  return {
    connections: options.connections,
    seconds: round(seconds, 2),
    requests: result.requests.total,
    rps: round(result.requests.total / seconds, 0),
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: bad + result.errors + result.timeouts + result.non2xx,
    meanBytes: Math.round(result.throughput.total / Math.max(1, result.requests.total)),
  };
}
