// `pnpm build:server` (and the first step of `pnpm cli`, `pnpm verify`): the server build (scripts/lib/server-build.ts).
// Quiet unless it fails, so the CLI's stdout stays one JSON document.
import { buildServer } from './lib/server-build.ts';

const started = Date.now();
try {
  const changed = await buildServer();
  if (!process.argv.includes('--quiet'))
    console.log(`server built in ${Date.now() - started} ms (${changed.length} files changed)`);
} catch (error) {
  console.error(`server build failed: ${(error as Error).message}`);
  process.exit(1);
}
