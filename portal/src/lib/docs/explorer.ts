import { API_URL } from '../api';
import { exampleById } from './examples';

/** The explorer's form body (query, variables, operation name) is read up to this size and refused above it. */
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
export async function explorerState(request: Request, url: URL, clientAddress: string): Promise<ExplorerState> {
  if (request.method !== 'POST') return { kind: 'form', form: prefill(url.searchParams), status: 200 };
  const text = await readBounded(request, MAX_EXPLORER_BODY_BYTES);
  if (text === undefined) return { kind: 'refused', form: EMPTY, reason: 'too-large', status: 413 };
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
  return { kind: 'result', form, result: await run(form, variables, clientAddress), status: 200 };
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

/** The request body as text, or undefined when it is larger than `limit` bytes (read no further than that). */
async function readBounded(request: Request, limit: number): Promise<string | undefined> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > limit) return undefined;
  if (!request.body) return '';
  const reader = request.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return undefined;
    }
    text += decoder.decode(value, { stream: true });
  }
  return text + decoder.decode();
}

/**
 * Sends the operation to the API as any client would (anonymous POST) and keeps what a client would look at. The
 * visitor's address goes along in X-Forwarded-For, so that the API (which trusts it from a local portal) counts the
 * points to the visitor, not to the portal.
 */
async function run(form: ExplorerForm, variables: unknown, clientAddress: string): Promise<ExplorerResult> {
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
        'x-forwarded-for': clientAddress,
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
