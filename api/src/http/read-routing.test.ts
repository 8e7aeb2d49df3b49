import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isQueryOperation, persistedHashOf } from './read-routing.ts';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const ask = (query: unknown, operationName?: unknown, persistedHash?: unknown) =>
  isQueryOperation({ query, operationName, persistedHash });

describe('which requests may read from the replica', () => {
  it('takes queries, never mutations or subscriptions', () => {
    expect(ask('{ village(slug: "a") { name } }')).toBe(true);
    expect(ask('query V { village(slug: "a") { name } }')).toBe(true);
    expect(ask('mutation { logout }')).toBe(false);
    expect(ask('subscription S { x }')).toBe(false);
  });

  it('follows the operation name in a document of several, and sends anything unclear to the primary', () => {
    const both = 'query Read { a } mutation Write { b }';
    expect(ask(both, 'Read')).toBe(true);
    expect(ask(both, 'Write')).toBe(false);
    expect(ask(both)).toBe(false);
    expect(ask(both, 'Nothing')).toBe(false);
    expect(ask('{ a } fragment F on Query { a }')).toBe(true);
    expect(ask('query {')).toBe(false);
    expect(ask(undefined)).toBe(false);
  });

  it('knows a persisted query by its hash only once it has seen the text that hash is of', () => {
    const text = 'query Persisted { village(slug: "persisted-test") { name } }';
    expect(ask(undefined, undefined, sha(text))).toBe(false);
    expect(ask(text, undefined, sha(text))).toBe(true);
    expect(ask(undefined, undefined, sha(text))).toBe(true);
    // A query's text sent with a mutation's hash: the hash stays unknown, so that mutation still goes to the primary.
    const mutation = 'mutation Hidden { logout }';
    expect(ask('{ a }', undefined, sha(mutation))).toBe(true);
    expect(ask(undefined, undefined, sha(mutation))).toBe(false);
  });

  it('reads the hash from a POST body or a GET parameter', () => {
    expect(persistedHashOf({ persistedQuery: { version: 1, sha256Hash: 'abc' } })).toBe('abc');
    expect(persistedHashOf('{"persistedQuery":{"version":1,"sha256Hash":"abc"}}')).toBe('abc');
    expect(persistedHashOf('not json')).toBeUndefined();
    expect(persistedHashOf(undefined)).toBeUndefined();
  });
});
