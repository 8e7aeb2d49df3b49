// The README's start command on a machine with no database server: PGlite, demo data, API and portal. The API answers
// before the demo's months have loaded (they follow in the background, db/src/demo/README.md): the test waits for 付村's
// last month, then stops it part way, as a user pressing Ctrl-C would (tests/ops/demo-load.test.ts: the next start goes
// on from there). A whole demo is loaded on PGlite by global-setup's template in a run without DATABASE_URL; CI's PGlite
// template is copied from PostgreSQL's (.ci/run), so in CI the corrections and questions of the demo are written on
// PGlite only by the test files that write them through the same ledger functions.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { freePort, waitUntil as poll } from '../../scripts/lib/processes.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('pnpm start', () => {
  it('serves village(slug: "fucun") and the portal from an empty data folder, without DATABASE_URL', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mingbai-start-'));
    const [apiPort, portalPort] = [await freePort(), await freePort()];
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PGLITE_DIR: dataDir,
      API_PORT: String(apiPort),
      PORTAL_PORT: String(portalPort),
      // The test run's global setup has built portal/dist already; a second build would race the browser tests.
      MINGBAI_SKIP_PORTAL_BUILD: '1',
    };
    delete env.DATABASE_URL;
    const child = spawn('pnpm', ['start'], { cwd: root, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const started = Date.now();
    try {
      const deadline = started + 240_000;
      const village = await poll('API', deadline, async () => {
        const res = await fetch(`http://127.0.0.1:${apiPort}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: '{ village(slug: "fucun") { name latestStatement { year month } } }' }),
        });
        const body = (await res.json()) as {
          data?: { village: { name: string; latestStatement: { year: number; month: number } | null } | null };
        };
        // 付村 is among the first villages loaded; its months come in order.
        const latest = body.data?.village?.latestStatement;
        return latest?.year === 2026 && latest.month === 10 ? body.data!.village : undefined;
      });
      expect(village).toEqual({ name: '付村', latestStatement: { year: 2026, month: 10 } });
      const html = await poll('portal', deadline, async () => {
        const res = await fetch(`http://127.0.0.1:${portalPort}/`);
        return res.ok ? res.text() : undefined;
      });
      expect(html).toContain('付村');
      expect(output).toContain('loading the demo villages in the background');
      console.log(`pnpm start: API and portal answered after ${Date.now() - started} ms`);
    } catch (error) {
      console.error(output);
      throw error;
    } finally {
      process.kill(-child.pid!, 'SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 300_000);
});
