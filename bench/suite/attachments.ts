// Receipts (issue 16): a 12-megapixel phone photo through the image pipeline in its worker (decode, orient, redact,
// re-encode the full view and thumbnail), the process's RSS meanwhile, and 20 photos sent at once (they queue for the
// worker slots). A figure, not a test: the bound the issue sets is under 1 s per photo and RSS under 400 MB.
import sharp from 'sharp';
import { round } from './stats.ts';

export interface AttachmentsResult {
  megapixels: number;
  photoBytes: number;
  /** One photo, from bytes to both derivatives: the first run (worker and libvips start), then the median. */
  firstMs: number;
  p50Ms: number;
  viewBytes: number;
  thumbnailBytes: number;
  /** 20 photos at once: until the last is done. */
  twentyAtOnceMs: number;
  peakRssMb: number;
}

/** A phone-like photo: 4000 × 3000 with detail everywhere (what JPEG keeps large), EXIF and an orientation tag. */
async function aPhonePhoto(): Promise<Buffer> {
  const width = 4000;
  const height = 3000;
  const raw = Buffer.alloc(width * height * 3);
  let x = 2463534242;
  for (let i = 0; i < raw.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    raw[i] = 96 + ((x >>> 0) % 64) + ((i / 3 / width) % 64);
  }
  return sharp(raw, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 88 })
    .withExif({ IFD0: { Make: 'BenchPhone' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '39/1 8/1 0/1' } })
    .withMetadata({ orientation: 6 })
    .toBuffer();
}

export async function attachmentsRun(options: { log: (s: string) => void }): Promise<AttachmentsResult> {
  const { processInWorker } = await import('@mingbai/api/attachments/process-in-worker');
  const photo = await aPhonePhoto();
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const redactions = [{ x: 0.1, y: 0.6, w: 0.5, h: 0.08 }];
  const times: number[] = [];
  let sizes = { view: 0, thumbnail: 0 };
  for (let i = 0; i < 6; i++) {
    const started = performance.now();
    const out = await processInWorker(photo, 'IMG_0001.jpg', redactions);
    times.push(performance.now() - started);
    sizes = { view: out.view.bytes.length, thumbnail: out.thumbnail.bytes.length };
  }
  const started = performance.now();
  await Promise.all(Array.from({ length: 20 }, () => processInWorker(photo, 'IMG_0002.jpg', redactions)));
  const twentyAtOnceMs = performance.now() - started;
  clearInterval(sampler);
  const rest = times.slice(1).sort((a, b) => a - b);
  const result: AttachmentsResult = {
    megapixels: 12,
    photoBytes: photo.length,
    firstMs: round(times[0]!),
    p50Ms: round(rest[Math.floor(rest.length / 2)]!),
    viewBytes: sizes.view,
    thumbnailBytes: sizes.thumbnail,
    twentyAtOnceMs: round(twentyAtOnceMs),
    peakRssMb: Math.round(peak / 1024 / 1024),
  };
  options.log(
    `attachments: 12 MP photo ${result.p50Ms} ms (first ${result.firstMs} ms), view ${result.viewBytes} B, ` +
      `thumbnail ${result.thumbnailBytes} B; 20 at once ${result.twentyAtOnceMs} ms; peak RSS ${result.peakRssMb} MB`,
  );
  return result;
}
