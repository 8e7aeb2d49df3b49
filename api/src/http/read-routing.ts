// Which database answers a GraphQL request when the API has a read handle (DATABASE_READ_URL, a streaming replica):
// decided before the request's Context is built, from the operation the request will run.
import { createHash } from 'node:crypto';
import { Kind, parse } from 'graphql';

/** The kinds of a document's operations, by name (null for an anonymous one). */
type Operations = Map<string | null, string>;

const byText = new Map<string, Operations | null>();
/** Automatic persisted queries: a hash seen once with its text is known when it later comes alone. */
const byHash = new Map<string, Operations | null>();
const MAX_REMEMBERED = 500;
const MAX_TEXT_CHARS = 20_000;

export interface OperationRequest {
  /** The document's text (POST body `query`, GET `?query=`); absent for a persisted query sent by its hash alone. */
  query: unknown;
  operationName: unknown;
  /** `extensions.persistedQuery.sha256Hash`, if any. */
  persistedHash: unknown;
}

/**
 * True when the request is certain to run a query (not a mutation nor a subscription): only then may it read from
 * the replica. Anything unknown (a persisted hash never seen with its text, a document that does not parse, an
 * operation name that names nothing, several operations and no name) is false, so it goes to the primary, where
 * Apollo reports the error or runs it as before.
 */
export function isQueryOperation(request: OperationRequest): boolean {
  return operationKind(request) === 'query';
}

/**
 * 'query', 'mutation' or 'subscription': what the request will run, when that is certain; undefined when it is not
 * known (a persisted hash never seen with its text here, a document that does not parse, a name that names nothing).
 */
export function operationKind(request: OperationRequest): string | undefined {
  const hash = typeof request.persistedHash === 'string' ? request.persistedHash : undefined;
  let operations: Operations | null | undefined;
  if (typeof request.query === 'string') {
    operations = operationsOf(request.query);
    // Only a true hash of the text is remembered: another document's hash sent with a query's text must not send that
    // document (a mutation) to the read-only handle later.
    if (hash && !byHash.has(hash) && createHash('sha256').update(request.query).digest('hex') === hash)
      remember(byHash, hash, operations);
  } else if (hash) {
    operations = byHash.get(hash);
  }
  if (!operations) return undefined;
  const name = typeof request.operationName === 'string' && request.operationName ? request.operationName : null;
  return name === null && operations.size === 1 ? [...operations.values()][0] : operations.get(name);
}

function operationsOf(text: string): Operations | null {
  const known = byText.get(text);
  if (known !== undefined) return known;
  let operations: Operations | null;
  try {
    const document = parse(text, { noLocation: true, maxTokens: 50_000 });
    operations = new Map();
    for (const definition of document.definitions)
      if (definition.kind === Kind.OPERATION_DEFINITION)
        operations.set(definition.name?.value ?? null, definition.operation);
  } catch {
    operations = null;
  }
  if (text.length <= MAX_TEXT_CHARS) remember(byText, text, operations);
  return operations;
}

function remember(map: Map<string, Operations | null>, key: string, value: Operations | null): void {
  if (map.size >= MAX_REMEMBERED) map.clear();
  map.set(key, value);
}

/** `extensions.persistedQuery.sha256Hash` of a request (GET sends `extensions` as JSON text). */
export function persistedHashOf(extensions: unknown): unknown {
  if (typeof extensions === 'string') {
    try {
      extensions = JSON.parse(extensions);
    } catch {
      return undefined;
    }
  }
  const persisted = (extensions as { persistedQuery?: { sha256Hash?: unknown } } | null | undefined)?.persistedQuery;
  return persisted?.sha256Hash;
}
