// Child processes and ports for scripts, benchmarks and tests alike (scripts/cluster, bench/suite, tests/support,
// tests/ops, tests/shared): one free-port finder, one "wait until it answers" loop, one way to start a Node server and
// wait for it. Node only, so every side may import it.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A port of 127.0.0.1 nobody listens on right now (the kernel's choice; taken again by whoever binds it first). */
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

/**
 * Tries `attempt` every `everyMs` until it gives a value (anything but undefined) and returns it; a throw counts as
 * "not yet". Past `deadline` (a Date.now() instant) it throws, naming `what` and the last error.
 */
export async function waitUntil<T>(
  what: string,
  deadline: number,
  attempt: () => Promise<T | undefined>,
  everyMs = 200,
): Promise<T> {
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await attempt();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`${what}: not ready in time (${String(last)})`);
}

/** Resolves once the process has exited (at once when it has). */
export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
export async function stopChild(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = exited(child);
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await gone;
  clearTimeout(timer);
}

export interface Child {
  url: string;
  pid: number;
  process: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts `node <args>` in the repository (`--import tsx …` for TypeScript) and waits until `readyPath` answers 200
 * (or any HTTP answer with `anyAnswer`: a portal's favicon may be a 404). Throws with the process's output when it
 * exits or does not answer within `timeoutMs`.
 */
export async function startChild(options: {
  name: string;
  args: string[];
  env: Record<string, string>;
  port: number;
  readyPath: string;
  anyAnswer?: boolean;
  timeoutMs?: number;
}): Promise<Child> {
  const child = spawn(process.execPath, options.args, {
    cwd: ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (d: Buffer) => {
    output = (output + d.toString()).slice(-20_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const stop = () => stopChild(child);
  const url = `http://127.0.0.1:${options.port}`;
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  while (Date.now() < deadline && child.exitCode === null && child.signalCode === null) {
    try {
      const res = await fetch(url + options.readyPath, { signal: AbortSignal.timeout(2_000) });
      await res.arrayBuffer();
      if (res.ok || options.anyAnswer) return { url, pid: child.pid!, process: child, output: () => output, stop };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const died = child.exitCode !== null || child.signalCode !== null;
  await stop();
  throw new Error(
    `${options.name} ${died ? `exited with ${child.signalCode ?? child.exitCode}` : 'did not answer in time'} ` +
      `(port ${options.port}). Its output:\n${output}`,
  );
}

/** User + system CPU time of a process so far, ms (/proc/<pid>/stat, in clock ticks of 10 ms). */
export function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}
