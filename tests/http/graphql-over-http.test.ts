// The independent GraphQL-over-HTTP audit (graphql-http's serverAudits) against the real server: every MUST passes.
import { serverAudits } from 'graphql-http';
import { describe, expect, it } from 'vitest';
import { useTestApi } from '../support/api.ts';

const t = useTestApi();

describe('GraphQL over HTTP audit', () => {
  it('passes every MUST of the spec and lists any SHOULD or MAY finding', async () => {
    const audits = serverAudits({ url: () => t.api.url, fetchFn: fetch });
    const results = [];
    for (const audit of audits) {
      const result = await audit.fn();
      results.push({ name: audit.name, status: result.status, reason: 'reason' in result ? result.reason : '' });
    }
    const failures = results.filter((r) => r.status === 'error' && r.name.startsWith('MUST'));
    const notes = results.filter((r) => r.status !== 'ok').map((r) => `${r.status} ${r.name}: ${r.reason}`);
    console.log(`graphql-http audit: ${results.filter((r) => r.status === 'ok').length}/${results.length} ok`);
    if (notes.length) console.log(notes.join('\n'));
    expect(failures.map((f) => `${f.name}: ${f.reason}`)).toEqual([]);
  });
});
