// The checkout's root folder, the anchor of every default path (.data/, db/migrations): found by walking up to
// pnpm-workspace.yaml rather than counted in '../' from this file, because the server build (scripts/build-server.ts)
// runs this code from .build/server/, at another depth than db/src/.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no pnpm-workspace.yaml above ${from}: not inside a 明白账 checkout`);
  }
}

export const REPO_ROOT = findRoot(dirname(fileURLToPath(import.meta.url)));
