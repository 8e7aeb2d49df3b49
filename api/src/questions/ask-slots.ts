// How many asks one API process writes at once. Asking needs no account, so a crowd (or a flood from many addresses)
// could otherwise take the CPU and the connections the public's reads need: the asks queue for a slot instead, and
// wait cheaply (bench: `pnpm bench --only questions`, 100 asks at c=16 beside month pages).
import { apiError } from '../errors.ts';

export const askLimits = {
  /** Asks written at once per process. */
  concurrency: 2,
  /** Asks waiting for a slot; beyond them an ask is refused with QUESTION_RATE_LIMITED (scope `server`). */
  queue: 200,
};

let active = 0;
const waiting: (() => void)[] = [];

/** Runs the ask in a slot, waiting for one if all are taken. */
export async function inAskSlot<T>(work: () => Promise<T>): Promise<T> {
  if (active >= askLimits.concurrency) {
    if (waiting.length >= askLimits.queue) {
      throw apiError('QUESTION_RATE_LIMITED', '现在提问的人太多，请稍等一两分钟再提交', {
        scope: 'server',
        limit: askLimits.concurrency + askLimits.queue,
      });
    }
    await new Promise<void>((resolve) => waiting.push(resolve));
  } else {
    active++;
  }
  try {
    return await work();
  } finally {
    const next = waiting.shift();
    // The slot passes straight to the next ask in line; only when none waits is it given back.
    if (next) next();
    else active--;
  }
}
