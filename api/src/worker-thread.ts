// Starting a worker thread on one of our TypeScript entries (parse.worker.ts, process.worker.ts), from the sources or
// from the server build. Worker threads do not inherit tsx's loader, so from the sources the worker registers tsx
// before importing its entry (about half a second of CPU per thread). The server build (scripts/build-server.ts)
// bundles each worker entry as `<name>.mjs` beside the code that starts it, which a thread loads as it is.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** Replaced by `true` in the server build (esbuild's `define`); never defined when running from the sources. */
declare const __MINGBAI_SERVER_BUILD__: boolean | undefined;
export const IN_SERVER_BUILD = typeof __MINGBAI_SERVER_BUILD__ !== 'undefined' && __MINGBAI_SERVER_BUILD__;

let tsxApi: string | undefined;

/** `entry` is the worker's source, `new URL('./x.worker.ts', import.meta.url)` in the module that starts it. */
export function startWorker(entry: URL, options: Omit<WorkerOptions, 'eval'>): Worker {
  if (IN_SERVER_BUILD) return new Worker(new URL(entry.href.replace(/\.ts$/, '.mjs')), options);
  tsxApi ??= pathToFileURL(
    createRequire(import.meta.url)
      .resolve('tsx/esm/api')
      .replace(/\.cjs$/, '.mjs'),
  ).href;
  const boot = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(boot, { ...options, eval: true });
}
