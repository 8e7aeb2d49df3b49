// The image workers as a pool: a worker that overflows its heap, hangs past the deadline or dies fails only its own
// file, with a coded refusal, and is replaced; the API answers meanwhile and the next photo goes through. The queue
// is bounded: past it an upload is refused with ATTACHMENT_BUSY and nothing is stored.
import { afterAll, describe, expect, it } from 'vitest';
import {
  configureImagePool,
  DEFAULT_IMAGE_POOL,
  imagePoolStats,
  processInWorker,
  testJob,
} from '@mingbai/api/attachments/process-in-worker';
import { hasFile, sha256Hex } from '@mingbai/db/files/store';
import { useTestApi } from '../support/api.ts';
import { aPhoto, aPng } from './images.ts';
import { ATTACH, anOpenMonth, type Attached } from './month.ts';

const t = useTestApi();

afterAll(() => configureImagePool(DEFAULT_IMAGE_POOL));

const codeOf = (e: unknown) =>
  (e as { code?: string }).code ?? (e as { extensions?: { code?: string } }).extensions?.code;

describe('the image worker pool', () => {
  it('survives a worker that exhausts its heap, hangs or exits, and goes on with the next photo', async () => {
    await configureImagePool({ ...DEFAULT_IMAGE_POOL, testHooks: true, timeoutMs: 3_000, workers: 2 });
    const { as, attachInput } = await anOpenMonth(t);
    const accountant = await as('accountant');
    const started = performance.now();
    const hostile = Promise.allSettled([testJob('exhaust-heap'), testJob('hang')]);
    // The API's own thread is free while the workers struggle.
    const alive = await t.api.query<{ __typename: string }>('{ __typename }');
    expect(alive.data?.__typename).toBe('Query');
    expect(performance.now() - started).toBeLessThan(1_000);
    const [heap, hang] = await hostile;
    expect(heap.status).toBe('rejected');
    expect(codeOf((heap as PromiseRejectedResult).reason)).toBe('FILE_UNREADABLE');
    expect((heap as PromiseRejectedResult).reason.message).toContain('内存');
    expect(hang.status).toBe('rejected');
    expect(codeOf((hang as PromiseRejectedResult).reason)).toBe('FILE_UNREADABLE');
    expect((hang as PromiseRejectedResult).reason.message).toContain('超时');
    await expect(testJob('exit')).rejects.toMatchObject({ code: 'FILE_UNREADABLE' });
    expect(imagePoolStats()).toMatchObject({ workers: 2, busy: 0, queued: 0, replaced: 3 });

    const res = await accountant<{ attachFile: Attached }>(ATTACH, attachInput(await aPhoto(21), 'IMG_0021.jpg'));
    expect(res.errors).toBeUndefined();
    expect(hasFile(res.data!.attachFile.sha256)).toBe(true);
  });

  it('refuses an upload with ATTACHMENT_BUSY when the queue is full, storing nothing', async () => {
    await configureImagePool({ ...DEFAULT_IMAGE_POOL, testHooks: true, timeoutMs: 10_000, workers: 1, queue: 1 });
    const { as, attachInput } = await anOpenMonth(t);
    const accountant = await as('accountant');
    // The one worker hangs; one file waits; the next is refused.
    const hanging = testJob('hang').catch((e: unknown) => e);
    const waiting = processInWorker(await aPng(), 'wait.png', []).catch((e: unknown) => e);
    const png = await aPng();
    const refused = await accountant(ATTACH, attachInput(png, 'busy.png'));
    expect(refused.errors?.[0]?.extensions?.code).toBe('ATTACHMENT_BUSY');
    expect(refused.errors?.[0]?.message).toMatch(/排队/);
    expect(refused.errors?.[0]?.extensions?.queued).toBe(1);
    expect(hasFile(sha256Hex(png))).toBe(false);
    // A new pool: the old one's jobs are refused, not left hanging.
    await configureImagePool({ ...DEFAULT_IMAGE_POOL });
    expect(await hanging).toBeInstanceOf(Error);
    expect(await waiting).toBeInstanceOf(Error);
    const after = await accountant<{ attachFile: Attached }>(ATTACH, attachInput(png, 'busy.png'));
    expect(after.errors).toBeUndefined();
  });
});
