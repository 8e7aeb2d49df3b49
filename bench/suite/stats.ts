/** Percentile of sorted-in-place samples (nearest rank). */
export function percentile(samples: number[], q: number): number {
  if (samples.length === 0) return Number.NaN;
  samples.sort((a, b) => a - b);
  return samples[Math.min(samples.length - 1, Math.max(0, Math.ceil(q * samples.length) - 1))]!;
}

export const round = (n: number, digits = 1): number => Math.round(n * 10 ** digits) / 10 ** digits;

/** Runs `loops` async loops until `seconds` have passed; each call of `work` is one timed request. */
export async function closedLoop(
  loops: number,
  seconds: number,
  work: (i: number) => Promise<void>,
): Promise<{ requests: number; seconds: number; p50: number; p99: number; rps: number }> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  const until = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: loops }, async () => {
      while (performance.now() < until) {
        const t = performance.now();
        await work(next++);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  return {
    requests: latencies.length,
    seconds: round(elapsed, 2),
    p50: round(percentile(latencies, 0.5), 2),
    p99: round(percentile(latencies, 0.99), 2),
    rps: round(latencies.length / elapsed, 0),
  };
}
