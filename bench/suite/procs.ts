// Child processes of the suite (the API, the portal, the importer) and their memory, read from /proc.
import { API_HEAP_MB } from '../../scripts/api-heap.ts';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { freePort, ROOT, startChild, type Child } from '../../scripts/lib/processes.ts';
import { ensureServerBuilt, serverArgs } from '../../scripts/lib/server-build.ts';

// One of each for scripts, benchmarks and tests (scripts/lib/processes.ts); the suite's modules import them from here.
export { cpuMs, freePort, ROOT, startChild, type Child } from '../../scripts/lib/processes.ts';

/** Resident and peak resident memory of a process in MB (VmRSS, VmHWM), or undefined once it has exited. */
export function memoryOf(pid: number): { rssMb: number; peakMb: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
    return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
  } catch {
    return undefined;
  }
}

/**
 * Samples a process's peak RSS every 20 ms until stopped. VmHWM is the kernel's own high-water mark, so the last
 * reading before the process exits is exact; sampling only covers the final 20 ms after it.
 */
export function watchMemory(pid: number): { stop(): number } {
  let peak = 0;
  const read = () => {
    const m = memoryOf(pid);
    if (m) peak = Math.max(peak, m.peakMb, m.rssMb);
  };
  read();
  const timer = setInterval(read, 20);
  return {
    stop() {
      read();
      clearInterval(timer);
      return peak;
    },
  };
}

/** The API as `pnpm start` runs it, without demo data, rate limits off, SQL statement counts in every response. */
export async function startApi(databaseUrl: string, extraEnv: Record<string, string> = {}): Promise<Child> {
  const port = await freePort();
  await ensureServerBuilt();
  return startChild({
    name: 'API',
    // As `pnpm start` runs it: its heap capped (scripts/api-heap.ts).
    args: [`--max-old-space-size=${process.env.MINGBAI_API_HEAP_MB?.trim() || API_HEAP_MB}`, ...serverArgs('main')],
    env: {
      DATABASE_URL: databaseUrl,
      API_PORT: String(port),
      MINGBAI_SEED_DEMO: 'false',
      MINGBAI_SQL_STATS: 'true',
      MINGBAI_RATE_LIMIT_ANONYMOUS: String(Number.MAX_SAFE_INTEGER),
      MINGBAI_DATA_BYTES_ANONYMOUS: String(Number.MAX_SAFE_INTEGER),
      NODE_ENV: 'production',
      // As scripts/start.ts runs the API: two malloc arenas, so libvips' threads do not keep memory they freed.
      MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? '2',
      ...extraEnv,
    },
    port,
    readyPath: '/healthz',
    // The API migrates on start; a migration that backfills derived data at tianjin scale takes minutes.
    timeoutMs: 30 * 60_000,
  });
}

/** Runs a command to completion, returning its stdout, wall time and peak RSS of that very process. */
export async function runMeasured(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string; seconds: number; peakRssMb: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: 'pipe' });
  const memory = watchMemory(child.pid!);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-20_000)));
  // Read the high-water mark while the process is a zombie-to-be: 'exit' fires before /proc is reaped only rarely,
  // so the sampler's last reading (≤ 20 ms before exit) is what counts.
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  const peakRssMb = memory.stop();
  return { code, stdout, stderr, seconds: (performance.now() - started) / 1000, peakRssMb };
}
