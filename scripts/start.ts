// `pnpm start`: the GraphQL API (with demo data on first start) and the portal, side by side, until Ctrl-C.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { readPortalConfig } from '../portal/src/lib/config.ts';
import { API_HEAP_MB } from './api-heap.ts';
import { buildServer, serverEntry } from './lib/server-build.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const apiPort = process.env.API_PORT ?? '4000';
const portalPort = process.env.PORTAL_PORT ?? '4321';
// The portal's page reads present this to the API and are not charged to its visitors' hourly points; a fresh one
// per start unless the operator set one (needed when the API and the portal run on different machines).
const portalSecret = process.env.MINGBAI_PORTAL_SECRET || randomBytes(24).toString('base64url');
const env = {
  ...process.env,
  API_PORT: apiPort,
  PORTAL_PORT: portalPort,
  MINGBAI_PORTAL_SECRET: portalSecret,
  ASTRO_TELEMETRY_DISABLED: '1',
};
const children: ChildProcess[] = [];
// The portal reads its settings at its first request; a wrong one (MINGBAI_PUBLIC_URL) stops the start here instead.
try {
  readPortalConfig({ ...env, PORT: portalPort });
} catch (error) {
  console.error(`portal settings: ${(error as Error).message}`);
  process.exit(1);
}

function run(name: string, command: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}): ChildProcess {
  const child = spawn(command, args, { cwd: root, env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
  const prefix = (line: string) => `[${name}] ${line}`;
  child.stdout!.on('data', (d: Buffer) =>
    process.stdout.write(d.toString().split('\n').filter(Boolean).map(prefix).join('\n') + '\n'),
  );
  child.stderr!.on('data', (d: Buffer) =>
    process.stderr.write(d.toString().split('\n').filter(Boolean).map(prefix).join('\n') + '\n'),
  );
  children.push(child);
  return child;
}

function exited(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
}

function stopAll(code: number): never {
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  process.exit(code);
}
process.once('SIGINT', () => stopAll(0));
process.once('SIGTERM', () => stopAll(0));

const astro = fileURLToPath(new URL('../portal/node_modules/.bin/astro', import.meta.url));

// glibc gives each thread that allocates its own malloc arena and seldom returns their memory: libvips in the image
// workers (api/src/attachments/) left the API 120 MB larger after two dozen photos. Two arenas keep it flat.
// The API's JavaScript heap is capped (MINGBAI_API_HEAP_MB, default API_HEAP_MB): uncapped, V8 let it grow to
// 420–440 MB after a minute of month pages, and collects sooner once capped (receipts bench: idle 314 MB, peak 367 MB
// during 20 uploads, against 439 / 570 MB uncapped). Exports stream (tests/opendata/scale.test.ts passes under it).
const apiHeapMb = process.env.MINGBAI_API_HEAP_MB?.trim() || String(API_HEAP_MB);
try {
  await buildServer();
} catch (error) {
  console.error(`server build failed: ${(error as Error).message}`);
  process.exit(1);
}
const api = run(
  'api',
  process.execPath,
  [`--max-old-space-size=${apiHeapMb}`, '--enable-source-maps', serverEntry('main')],
  {
    MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? '2',
  },
);
// Tests build the portal once for the whole run; a second build would race on portal/dist.
const build =
  process.env.MINGBAI_SKIP_PORTAL_BUILD === '1'
    ? undefined
    : run('portal', astro, ['build', '--root', 'portal', '--silent']);
void exited(api).then((code) => {
  console.error(`API exited with code ${code}`);
  stopAll(code || 1);
});
const built = build ? await exited(build) : 0;
if (built !== 0) {
  console.error('portal build failed');
  stopAll(built);
}
const portal = run('portal', process.execPath, ['portal/dist/server/entry.mjs'], {
  PORT: portalPort,
  HOST: process.env.PORTAL_HOST ?? '127.0.0.1',
});
void exited(portal).then((code) => {
  console.error(`portal exited with code ${code}`);
  stopAll(code || 1);
});
console.log(`portal: http://localhost:${portalPort}/  ·  API: http://localhost:${apiPort}/graphql`);
