import { createHash } from 'node:crypto';
import type { PublicationMark } from './publication-mark.ts';
import type { SharedRedis } from './redis.ts';

/** One cached answer: what Apollo sent and what it cost, so a hit is charged and labelled exactly like a run. */
export interface CachedAnswer {
  status: number;
  contentType: string | undefined;
  /** The operation's price in points (limits.cost after running), spent again by each hit. */
  cost: number;
  body: string;
}

/** Where answers are kept: Redis when every process shares them, else this process's memory. */
export interface AnswerStore {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
}

/** A bounded least-recently-used map in this process, by bytes, each entry for at most its time to live. */
export class MemoryAnswerStore implements AnswerStore {
  private readonly entries = new Map<string, { value: string; expiresAt: number }>();
  private bytes = 0;

  constructor(
    private readonly maxBytes = 32 * 1024 * 1024,
    private readonly now: () => number = Date.now,
  ) {}

  async get(key: string): Promise<string | undefined> {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.expiresAt <= this.now()) {
      this.bytes -= entry.value.length;
      return undefined;
    }
    this.entries.set(key, entry);
    return entry.value;
  }

  async delete(key: string): Promise<void> {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.bytes -= entry.value.length;
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    if (value.length > this.maxBytes / 8) return;
    const previous = this.entries.get(key);
    if (previous) {
      this.entries.delete(key);
      this.bytes -= previous.value.length;
    }
    this.entries.set(key, { value, expiresAt: this.now() + ttlSeconds * 1000 });
    this.bytes += value.length;
    for (const [oldest, entry] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.bytes -= entry.value.length;
    }
  }
}

/**
 * Answers in the shared Redis (under `answer:`). Redis away or slow: a miss, and nothing kept; the request runs as if
 * there were no cache, so a Redis outage costs speed, never a wrong or missing answer.
 */
export class RedisAnswerStore implements AnswerStore {
  errors = 0;
  constructor(private readonly redis: SharedRedis) {}

  async get(key: string): Promise<string | undefined> {
    if (!this.redis.ready()) return undefined;
    try {
      return (await this.redis.client.get(`answer:${key}`)) ?? undefined;
    } catch {
      this.errors += 1;
      return undefined;
    }
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    if (!this.redis.ready()) return;
    try {
      await this.redis.client.set(`answer:${key}`, value, 'EX', ttlSeconds);
    } catch {
      this.errors += 1;
    }
  }
}

/** What identifies an answer besides the mark: the document, the operation, the variables, the media type asked. */
export interface AnswerRequest {
  /** The query text, when the request carries one. */
  query: string | undefined;
  /** extensions.persistedQuery.sha256Hash, when the request carries one (APQ). */
  persistedHash: string | undefined;
  operationName: string | undefined;
  variables: unknown;
  /** The Accept header: it chooses the answer's media type. */
  accept: string | undefined;
}

/**
 * The response cache of anonymous reads of public data (api/src/http/graphql-endpoint.ts decides which answers may be
 * kept: no errors, no mutation, no signed-in viewer or API key, nothing private). Keys are SHA-256 of (publication
 * mark, document hash, operation name, variables, Accept): an answer is found only under the mark it was computed
 * under, so a publication makes every earlier answer unreachable at once in every process. Entries also expire after
 * `ttlSeconds` (the public max-age), since a few fields depend on the clock (a question turns overdue).
 */
export class ResponseCache {
  hits = 0;
  misses = 0;

  constructor(
    readonly mark: PublicationMark,
    private readonly store: AnswerStore,
    private readonly ttlSeconds: number,
  ) {}

  /** The key of a request under the current mark, or undefined when there is no mark or nothing to key by. */
  async keyOf(request: AnswerRequest | undefined, mark: string | undefined): Promise<string | undefined> {
    if (mark === undefined || request === undefined) return undefined;
    const textHash =
      typeof request.query === 'string' ? createHash('sha256').update(request.query).digest('hex') : undefined;
    // A hash that does not match its text is refused by Apollo: never answered from the cache under either.
    if (textHash && request.persistedHash && textHash !== request.persistedHash) return undefined;
    const document = request.persistedHash ?? textHash;
    if (!document) return undefined;
    return createHash('sha256')
      .update(
        JSON.stringify([
          mark,
          document,
          request.operationName ?? null,
          request.variables ?? null,
          request.accept ?? '',
        ]),
      )
      .digest('base64url');
  }

  async get(key: string): Promise<CachedAnswer | undefined> {
    const text = await this.store.get(key);
    if (text === undefined) {
      this.misses += 1;
      return undefined;
    }
    try {
      const answer = JSON.parse(text) as CachedAnswer;
      this.hits += 1;
      return answer;
    } catch {
      this.misses += 1;
      return undefined;
    }
  }

  async put(key: string, answer: CachedAnswer): Promise<void> {
    await this.store.set(key, JSON.stringify(answer), this.ttlSeconds);
  }

  /** Hits over hits and misses since the process started (0 before the first lookup). */
  hitRate(): number {
    return hitRate(this);
  }
}

/** Hits, misses and hits ÷ (hits + misses) (0 before the first lookup): what /metrics shows of each cache. */
export function hitRate(counts: { hits: number; misses: number }): number {
  const lookups = counts.hits + counts.misses;
  return lookups === 0 ? 0 : counts.hits / lookups;
}

/** The parts of a GraphQL request (GET's search or POST's JSON body) an answer is keyed by; undefined for a batch. */
export function answerRequestOf(
  method: string | undefined,
  url: URL,
  body: unknown,
  accept: string | undefined,
): AnswerRequest | undefined {
  if (method === 'GET') {
    const p = url.searchParams;
    let extensions: unknown;
    try {
      extensions = JSON.parse(p.get('extensions') ?? 'null');
    } catch {
      return undefined;
    }
    return {
      query: p.get('query') ?? undefined,
      persistedHash: persistedHashOf(extensions),
      operationName: p.get('operationName') ?? undefined,
      // The text as sent: two spellings of the same variables are two keys, never one key for two meanings.
      variables: p.get('variables') ?? null,
      accept,
    };
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return undefined;
  const b = body as { query?: unknown; operationName?: unknown; variables?: unknown; extensions?: unknown };
  return {
    query: typeof b.query === 'string' ? b.query : undefined,
    persistedHash: persistedHashOf(b.extensions),
    operationName: typeof b.operationName === 'string' ? b.operationName : undefined,
    variables: b.variables ?? null,
    accept,
  };
}

function persistedHashOf(extensions: unknown): string | undefined {
  const hash = (extensions as { persistedQuery?: { sha256Hash?: unknown } } | null)?.persistedQuery?.sha256Hash;
  return typeof hash === 'string' && /^[0-9a-f]{64}$/.test(hash) ? hash : undefined;
}
