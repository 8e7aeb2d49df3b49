import { API_URL, forwardedFor } from '../api';
import { exampleById } from './examples';

/** The explorer's form body (query, variables, operation name) is read up to this size and refused above it (413). */
export const MAX_EXPLORER_BODY_BYTES = 100_000;

export interface ExplorerForm {
  query: string;
  variables: string;
  operationName: string;
}

export interface ExplorerResult {
  /** HTTP status of the API's answer, or null when the request never reached it. */
  status: number | null;
  /** The response pretty-printed, or the reason there is none. */
  body: string;
  cost: unknown;
  rateLimit: { limit: string | null; remaining: string | null; reset: string | null };
  contentType: string | null;
}

export type ExplorerState =
  | { kind: 'form'; form: ExplorerForm; status: number }
  | { kind: 'result'; form: ExplorerForm; result: ExplorerResult; status: number }
  | { kind: 'refused'; form: ExplorerForm; reason: 'too-large' | 'bad-variables' | 'empty'; status: number };

const EMPTY: ExplorerForm = { query: '', variables: '', operationName: '' };

/** GET: the form, prefilled from ?example= or ?query=&variables=&operationName=. POST: run it. */
export async function explorerState(
  request: Request,
  url: URL,
  /** The POST body, read by the middleware within MAX_EXPLORER_BODY_BYTES (lib/request-body.ts). */
  body: Uint8Array | undefined,
): Promise<ExplorerState> {
  if (request.method !== 'POST') return { kind: 'form', form: prefill(url.searchParams), status: 200 };
  if (body !== undefined && body.byteLength > MAX_EXPLORER_BODY_BYTES)
    return { kind: 'refused', form: EMPTY, reason: 'too-large', status: 413 };
  const text = new TextDecoder().decode(body ?? new Uint8Array());
  const params = new URLSearchParams(text);
  const form: ExplorerForm = {
    query: params.get('query') ?? '',
    variables: params.get('variables') ?? '',
    operationName: params.get('operationName') ?? '',
  };
  if (!form.query.trim()) return { kind: 'refused', form, reason: 'empty', status: 400 };
  let variables: unknown = undefined;
  if (form.variables.trim()) {
    try {
      variables = JSON.parse(form.variables);
    } catch {
      return { kind: 'refused', form, reason: 'bad-variables', status: 400 };
    }
    if (typeof variables !== 'object' || variables === null || Array.isArray(variables))
      return { kind: 'refused', form, reason: 'bad-variables', status: 400 };
  }
  return { kind: 'result', form, result: await run(form, variables), status: 200 };
}

function prefill(search: URLSearchParams): ExplorerForm {
  const example = exampleById(search.get('example'));
  if (example)
    return {
      query: example.query,
      variables: JSON.stringify(example.variables, null, 2),
      operationName: '',
    };
  return {
    query: (search.get('query') ?? '').slice(0, MAX_EXPLORER_BODY_BYTES),
    variables: (search.get('variables') ?? '').slice(0, MAX_EXPLORER_BODY_BYTES),
    operationName: (search.get('operationName') ?? '').slice(0, 200),
  };
}

/**
 * Sends the operation to the API as any client would (anonymous POST) and keeps what a client would look at. The
 * visitor's address (by the middleware's one rule) goes along in X-Forwarded-For, so that the API (which trusts it
 * from a local portal) counts the points to the visitor; unlike the portal's own page reads, this is the visitor's
 * query and is charged like any.
 */
async function run(form: ExplorerForm, variables: unknown): Promise<ExplorerResult> {
  const noAnswer = (body: string): ExplorerResult => ({
    status: null,
    body,
    cost: undefined,
    rateLimit: { limit: null, remaining: null, reset: null },
    contentType: null,
  });
  let response: Response;
  try {
    response = await fetch(API_URL, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json',
        ...forwardedFor(),
      },
      body: JSON.stringify({
        query: form.query,
        ...(variables === undefined ? {} : { variables }),
        ...(form.operationName.trim() ? { operationName: form.operationName.trim() } : {}),
      }),
      signal: AbortSignal.timeout(20_000),
    });
  } catch {
    return noAnswer('—');
  }
  const text = await response.text();
  let body = text;
  let cost: unknown;
  try {
    const parsed = JSON.parse(text) as { extensions?: { cost?: unknown } };
    cost = parsed.extensions?.cost;
    body = JSON.stringify(parsed, null, 2);
  } catch {
    // Not JSON (a proxy's error page): shown as it came.
  }
  return {
    status: response.status,
    body,
    cost,
    rateLimit: {
      limit: response.headers.get('x-ratelimit-limit'),
      remaining: response.headers.get('x-ratelimit-remaining'),
      reset: response.headers.get('x-ratelimit-reset'),
    },
    contentType: response.headers.get('content-type'),
  };
}
