// The watchdog stops what statement_timeout cannot: a backend that parsed a statement and waits for the rest of it,
// 'active' in ClientRead, as the issue's /data request did for 20 minutes. The stuck client is made by hand here
// (PostgreSQL's wire protocol: a startup message, then Parse and Flush and nothing more), so it waits for as long as
// the test wants. The watchdog is asked to look once, with a limit of 0 ms, so no clock decides the outcome.
import { connect, type Socket } from 'node:net';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startQueryWatchdog, type StuckBackend } from '@mingbai/db/watchdog';
import { sleep } from './harness.ts';

const databaseUrl = inject('databaseUrl');
const APPLICATION = `mingbai-watchdog-test-${process.pid}`;

/** A message of the frontend protocol: type byte, length, body. */
function message(type: string, body: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.write(type, 0, 'latin1');
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}
const cstring = (s: string) => Buffer.from(`${s}\0`, 'utf8');

/** Connects (trust authentication), sends Parse + Flush and stops: the backend stays active in ClientRead. */
async function stuckClient(url: URL): Promise<Socket> {
  const socket = connect(Number(url.port || 5432), url.hostname);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const params = Buffer.concat([
    cstring('user'),
    cstring(decodeURIComponent(url.username || 'postgres')),
    cstring('database'),
    cstring(url.pathname.slice(1)),
    cstring('application_name'),
    cstring(APPLICATION),
    Buffer.from([0]),
  ]);
  const version = Buffer.alloc(4);
  version.writeInt32BE(196608);
  const startup = Buffer.concat([version, params]);
  const length = Buffer.alloc(4);
  length.writeInt32BE(startup.length + 4);
  socket.write(Buffer.concat([length, startup]));
  // Wait for ReadyForQuery ('Z') after authentication.
  await new Promise<void>((resolve, reject) => {
    let seen = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      seen = Buffer.concat([seen, chunk]);
      if (seen.includes(Buffer.from('Z\0\0\0\x05', 'latin1'))) {
        socket.off('data', onData);
        resolve();
      } else if (seen[0] === 'E'.charCodeAt(0)) reject(new Error(`startup refused: ${seen.toString('latin1')}`));
    };
    socket.on('data', onData);
  });
  const parse = Buffer.concat([cstring(''), cstring('select $1::int as stuck'), Buffer.from([0, 0])]);
  socket.write(Buffer.concat([message('P', parse), message('H', Buffer.alloc(0))]));
  return socket;
}

describe.skipIf(!databaseUrl)('the query watchdog (PostgreSQL only)', () => {
  let admin: postgres.Sql;
  beforeAll(() => {
    admin = postgres(databaseUrl!, { max: 1, onnotice: () => {} });
  });
  afterAll(async () => {
    await admin?.end({ timeout: 5 });
  });

  const backendsOfTest = () =>
    admin<{ pid: number; state: string; wait_event: string | null }[]>`
      select pid, state, wait_event from pg_stat_activity
       where datname = current_database() and application_name = ${APPLICATION}`;

  it('logs and ends a backend left waiting for the rest of a statement', async () => {
    const socket = await stuckClient(new URL(databaseUrl!));
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.on('error', () => {});
    socket.resume();
    try {
      let before: { pid: number; state: string; wait_event: string | null }[] = [];
      for (let i = 0; i < 50; i++) {
        before = await backendsOfTest();
        if (before[0]?.state === 'active' && before[0].wait_event === 'ClientRead') break;
        await sleep(20);
      }
      expect(before).toMatchObject([{ state: 'active', wait_event: 'ClientRead' }]);

      const logged: StuckBackend[] = [];
      const watchdog = startQueryWatchdog({
        databaseUrl: databaseUrl!,
        applicationName: APPLICATION,
        stuckMs: 0,
        intervalMs: 3_600_000,
        log: (b) => logged.push(b),
      });
      try {
        const stopped = await watchdog.check();
        expect(stopped).toMatchObject([
          { pid: before[0]!.pid, waitEvent: 'ClientRead', action: 'terminated', query: 'select $1::int as stuck' },
        ]);
        expect(logged).toEqual(stopped);
      } finally {
        await watchdog.stop();
      }
      await closed;
      expect(await backendsOfTest()).toEqual([]);
    } finally {
      socket.destroy();
    }
  });
});
