// A small COPY must not leave its connection deaf. postgres.js pauses the socket when a COPY's rows fill its stream
// before anyone reads it, and only the stream's read() resumed it; when the rest of the COPY and its CopyDone came in
// the same socket read, the stream ended with the socket still paused and the connection went back to the pool that
// way. The next query on it was written, PostgreSQL parsed it and waited for the rest ('active' in ClientRead), and
// its answer was never read: /data/months/2026-11/statements.csv hung for 20 minutes on the first query of the
// request, and the browser test of the unknown village stalled into a 503 when its query drew that connection.
// patches/postgres@3.4.9.patch resumes the socket at CopyDone; this test fails without it (8 of 10 rounds hung).
import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { inject } from 'vitest';

const databaseUrl = inject('databaseUrl');
/** More than the stream's 16 KB high-water mark, less than one 64 KB socket read. */
const COPY_ROWS = 200;
const ROUNDS = 10;
/** Far beyond what `select 1` needs: only a query whose answer is never read takes this long. */
const ANSWER_MS = 5_000;

describe.skipIf(!databaseUrl)('a COPY that ends within one socket read (PostgreSQL only: PGlite has no COPY)', () => {
  it('leaves its connection answering the next query', async () => {
    const outcomes: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      // One connection, so the next query goes to the one the COPY used.
      const sql = postgres(databaseUrl!, { max: 1, onnotice: () => {} });
      try {
        await sql`select 1`;
        const copy = sql.unsafe(`copy (select repeat('x', 100) from generate_series(1, ${COPY_ROWS})) to stdout`);
        const opening = copy.readable();
        // The COPY is written on the next turn of the event loop; then the loop is held while PostgreSQL sends all of
        // it, so the rows and CopyDone arrive in one read, before the stream has a reader (as in the API under load).
        await new Promise((resolve) => setImmediate(resolve));
        const until = Date.now() + 50;
        while (Date.now() < until);
        const stream = await opening;
        let bytes = 0;
        stream.on('data', (chunk: Buffer) => (bytes += chunk.length));
        await new Promise((resolve) => stream.once('end', resolve));
        expect(bytes).toBe(COPY_ROWS * 101);

        let timer: NodeJS.Timeout | undefined;
        outcomes.push(
          await Promise.race([
            sql`select ${round}::int as n`.then(([row]) => `answered ${String(row?.n)}`),
            new Promise<string>((resolve) => (timer = setTimeout(resolve, ANSWER_MS, 'no answer'))),
          ]),
        );
        clearTimeout(timer);
      } finally {
        await sql.end({ timeout: 0 });
      }
    }
    expect(outcomes).toEqual(Array.from({ length: ROUNDS }, (_, round) => `answered ${round}`));
  }, 120_000);
});
