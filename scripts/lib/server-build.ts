// The server build: the API, the operator CLI, the verifier, the worker threads they start and `pnpm restore`'s
// checks, each bundled by esbuild into one file under .build/server/ (our workspace packages inside, node_modules left
// to Node). `pnpm start`, `pnpm cli`, `pnpm verify` and `pnpm restore` run it, and so do the tests' child processes
// (built once per run by the global setup).
// Why: from the sources every process loads ~230 TypeScript modules through tsx's loader, whose hooks run on another
// thread on Node 20: 3.5 s of CPU before the API answers and 3 s for a `pnpm cli --help`; from the build 1.6 s and
// 0.9 s, and a parse worker starts without registering tsx at all.
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { build, type Plugin } from 'esbuild';
import { ROOT } from './processes.ts';

export const SERVER_BUILD_DIR = join(ROOT, '.build/server');

/** Bundle name → source. A worker's bundle is named after its source file: api/src/worker-thread.ts finds it so. */
const ENTRIES = {
  main: 'api/src/main.ts',
  cli: 'api/src/cli/main.ts',
  verify: 'api/src/verify/main.ts',
  'parse.worker': 'api/src/imports/parse.worker.ts',
  'process.worker': 'api/src/attachments/process.worker.ts',
  // `pnpm restore`'s checks of the restored database (scripts/restore.sh).
  'restore-checks': 'scripts/restore-checks.ts',
} as const;

export type ServerEntry = 'main' | 'cli' | 'verify';

/** The built file of an entry, for `node <flags> <file> …`. */
export function serverEntry(name: ServerEntry): string {
  return join(SERVER_BUILD_DIR, `${name}.mjs`);
}

/** `node` arguments that run an entry with stack traces pointing into the TypeScript sources. */
export function serverArgs(name: ServerEntry): string[] {
  return ['--enable-source-maps', serverEntry(name)];
}

/**
 * `node` arguments of `pnpm cli <args>`: the flags and built entry of the root package.json's `cli` script, its last
 * command (`… && node <flags> .build/server/cli.mjs`), the entry made absolute. For tests and benchmarks that run
 * exactly what an operator runs, without pnpm in between (signals and /proc then reach the process doing the work).
 */
export function cliArgs(...args: string[]): string[] {
  const scripts = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { cli: string } };
  const [node, ...flags] = scripts.scripts.cli.split('&&').at(-1)!.trim().split(/\s+/);
  if (node !== 'node' || flags.at(-1) !== relative(ROOT, serverEntry('cli')))
    throw new Error(`the cli script does not end in \`node <flags> .build/server/cli.mjs\`: ${scripts.scripts.cli}`);
  return [...flags.slice(0, -1), serverEntry('cli'), ...args];
}

/** The workspace packages whose dependencies the bundles import (their own code is inside the bundles). */
const PACKAGES = ['api', 'db', 'common'];

/** Bare imports stay imports, except our own packages (`@mingbai/…`), which are TypeScript and go in the bundle. */
const dependenciesExternal: Plugin = {
  name: 'dependencies-external',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) =>
      args.kind === 'entry-point' || args.path.startsWith('@mingbai/')
        ? undefined
        : { path: args.path, external: true },
    );
  },
};

/**
 * Builds every entry into .build/server/ and links the packages they import into .build/server/node_modules, so
 * Node finds each where its workspace package would. Writes only files whose bytes changed, each to a temporary name
 * renamed into place: a build beside running processes (a test run's `pnpm start`) never shows them half a file.
 * Resolves to the files it changed.
 */
export async function buildServer(): Promise<string[]> {
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: ENTRIES,
    outdir: SERVER_BUILD_DIR,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    tsconfig: join(ROOT, 'tsconfig.json'),
    // TypeGraphQL names GraphQL types after their classes: a bundle must not rename a class to avoid a clash.
    keepNames: true,
    sourcemap: 'linked',
    define: { __MINGBAI_SERVER_BUILD__: 'true' },
    plugins: [dependenciesExternal],
    write: false,
    logLevel: 'warning',
  });
  const changed: string[] = [];
  mkdirSync(SERVER_BUILD_DIR, { recursive: true });
  for (const file of result.outputFiles) {
    if (existsSync(file.path) && readFileSync(file.path).equals(file.contents)) continue;
    const part = `${file.path}.${process.pid}.part`;
    writeFileSync(part, file.contents);
    renameSync(part, file.path);
    changed.push(relative(ROOT, file.path));
  }
  linkDependencies();
  return changed;
}

let builtOnce: Promise<string[]> | undefined;

/** buildServer() once per process: for benchmarks and scripts that start the built API or CLI more than once. */
export function ensureServerBuilt(): Promise<string[]> {
  return (builtOnce ??= buildServer());
}

/** .build/server/node_modules/<name> → the folder each workspace package's own node_modules/<name> points to. */
function linkDependencies(): void {
  const targets = new Map<string, { target: string; from: string }>();
  for (const pkg of PACKAGES) {
    const manifest = JSON.parse(readFileSync(join(ROOT, pkg, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
    };
    for (const [name, version] of Object.entries(manifest.dependencies ?? {})) {
      if (version.startsWith('workspace:')) continue;
      const target = realpathSync(join(ROOT, pkg, 'node_modules', name));
      const seen = targets.get(name);
      if (seen && seen.target !== target)
        throw new Error(`${name}: ${seen.from} and ${pkg} use different copies; the server build needs one`);
      targets.set(name, { target, from: pkg });
    }
  }
  for (const [name, { target }] of targets) {
    const link = join(SERVER_BUILD_DIR, 'node_modules', name);
    if (isLinkTo(link, target)) continue;
    mkdirSync(dirname(link), { recursive: true });
    const part = `${link}.${process.pid}.part`;
    rmSync(part, { force: true });
    symlinkSync(target, part, 'dir');
    renameSync(part, link);
  }
}

function isLinkTo(link: string, target: string): boolean {
  try {
    return lstatSync(link).isSymbolicLink() && readlinkSync(link) === target;
  } catch {
    return false;
  }
}
