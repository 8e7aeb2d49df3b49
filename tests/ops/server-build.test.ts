// The server build (scripts/lib/server-build.ts) is what `pnpm start` runs: it must serve the schema the sources
// declare. Bundling could change it quietly (TypeGraphQL names each GraphQL type after its class, and a bundler renames
// a class whose name another module also uses unless told to keep names).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  buildClientSchema,
  buildSchema,
  getIntrospectionQuery,
  lexicographicSortSchema,
  printSchema,
  type IntrospectionQuery,
} from 'graphql';
import { describe, expect, inject, it } from 'vitest';
import { ROOT } from '../../scripts/lib/processes.ts';
import { startApiProcess } from '../shared/processes.ts';

const databaseUrl = inject('databaseUrl');

describe.skipIf(!databaseUrl)('the server build', () => {
  it('serves exactly the committed schema (api/schema.graphql)', async () => {
    const api = await startApiProcess({ DATABASE_URL: databaseUrl! });
    try {
      const res = await fetch(api.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: getIntrospectionQuery({ descriptions: true }) }),
      });
      const body = (await res.json()) as { data?: IntrospectionQuery; errors?: unknown };
      expect(body.errors).toBeUndefined();
      const served = printSchema(lexicographicSortSchema(buildClientSchema(body.data!)));
      const committed = printSchema(
        lexicographicSortSchema(buildSchema(readFileSync(join(ROOT, 'api/schema.graphql'), 'utf8'))),
      );
      expect(served).toBe(committed);
    } finally {
      await api.stop();
    }
  }, 90_000);
});
