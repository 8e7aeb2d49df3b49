// The built portal (portal/dist, built once per run by global-setup.ts) as a real Node server on 127.0.0.1,
// pointed at a test API, so browser tests see exactly what `pnpm start` serves.
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, inject } from 'vitest';
import type { DbHandle } from '@mingbai/db/client';
import { freePort, ROOT, startChild } from '../../scripts/lib/processes.ts';
import { useTestApi, type TestApi } from './api.ts';

// The tests that start a server of their own take their port from here.
export { freePort } from '../../scripts/lib/processes.ts';
export const PORTAL_ENTRY = 'portal/dist/server/entry.mjs';
const STARTUP_MS = 30_000;

export interface TestPortal {
  /** The portal's origin, e.g. http://127.0.0.1:43121 (no trailing slash). */
  url: string;
  close(): Promise<void>;
}

/**
 * Starts `node portal/dist/server/entry.mjs` on a free port of 127.0.0.1 and waits until it answers HTTP; `env` adds
 * or overrides settings (MINGBAI_PUBLIC_URL, MINGBAI_PORTAL_SECRET, …) for this portal only.
 */
export async function startTestPortal(apiUrl: string, env: Record<string, string> = {}): Promise<TestPortal> {
  const buildError = inject('portalBuildError');
  if (buildError) throw new Error(`the portal did not build (global setup), so it cannot be served:\n${buildError}`);
  if (!existsSync(`${ROOT}/${PORTAL_ENTRY}`)) throw new Error(`${PORTAL_ENTRY} is missing: the portal was not built`);

  const port = await freePort();
  const child = await startChild({
    name: `the portal (${PORTAL_ENTRY})`,
    args: [PORTAL_ENTRY],
    env: { PORT: String(port), HOST: '127.0.0.1', MINGBAI_API_URL: apiUrl, NODE_ENV: 'production', ...env },
    port,
    // Any HTTP answer means the server listens; the page itself may well be an error while the API is cold.
    readyPath: '/favicon.ico',
    anyAnswer: true,
    timeoutMs: STARTUP_MS,
  });
  return { url: child.url, close: child.stop };
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
