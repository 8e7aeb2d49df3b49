// The built portal (portal/dist, built once per run by global-setup.ts) as a real Node server on 127.0.0.1,
// pointed at a test API, so browser tests see exactly what `pnpm start` serves.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, inject } from 'vitest';
import type { DbHandle } from '@mingbai/db/client';
import { useTestApi, type TestApi } from './api.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
export const PORTAL_ENTRY = 'portal/dist/server/entry.mjs';
const STARTUP_MS = 30_000;
const STOP_MS = 5_000;

export interface TestPortal {
  /** The portal's origin, e.g. http://127.0.0.1:43121 (no trailing slash). */
  url: string;
  close(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/**
 * Starts `node portal/dist/server/entry.mjs` on a free port of 127.0.0.1 and waits until it answers HTTP; `env` adds
 * or overrides settings (MINGBAI_PUBLIC_URL, MINGBAI_PORTAL_SECRET, …) for this portal only.
 */
export async function startTestPortal(apiUrl: string, env: Record<string, string> = {}): Promise<TestPortal> {
  const buildError = inject('portalBuildError');
  if (buildError) throw new Error(`the portal did not build (global setup), so it cannot be served:\n${buildError}`);
  if (!existsSync(`${root}/${PORTAL_ENTRY}`)) throw new Error(`${PORTAL_ENTRY} is missing: the portal was not built`);

  const port = await freePort();
  const child = spawn(process.execPath, [PORTAL_ENTRY], {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      MINGBAI_API_URL: apiUrl,
      NODE_ENV: 'production',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (d: Buffer) => {
    output = (output + d.toString()).slice(-20_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const gone = exited(child);

  const close = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_MS);
    await gone;
    clearTimeout(timer);
  };

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + STARTUP_MS;
  let last: unknown;
  let died = false;
  void gone.then(() => (died = true));
  while (Date.now() < deadline && !died) {
    try {
      // Any HTTP answer means the server listens; the page itself may well be an error while the API is cold.
      await fetch(`${url}/favicon.ico`, { signal: AbortSignal.timeout(2_000) }).then((r) => r.arrayBuffer());
      return { url, close };
    } catch (error) {
      last = error;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  await close();
  throw new Error(
    `the portal (${PORTAL_ENTRY} on port ${port}) ${died ? `exited with code ${child.exitCode}` : 'did not answer in time'}` +
      ` (last error: ${String(last)}). Its output:\n${output}`,
  );
}

/**
 * Registers hooks for one test file: the test database and the API (through useTestApi), then the built portal
 * pointed at that API. Read the fields inside tests; the portal stops before the API does.
 */
export function useTestPortal(): { readonly handle: DbHandle; readonly api: TestApi; readonly portal: TestPortal } {
  const backend = useTestApi();
  let portal: TestPortal | undefined;
  beforeAll(async () => {
    portal = await startTestPortal(backend.api.url);
  }, STARTUP_MS + 10_000);
  afterAll(async () => {
    await portal?.close();
  });
  return {
    get handle() {
      return backend.handle;
    },
    get api() {
      return backend.api;
    },
    get portal() {
      if (!portal) throw new Error('the test portal is not running (read fixture.portal inside a test)');
      return portal;
    },
  };
}
