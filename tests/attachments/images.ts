// Files for the attachment tests, made in memory: a phone-like photo with EXIF and GPS, and the hostile ones.
import { deflateSync, crc32 } from 'node:zlib';
import sharp from 'sharp';

/** A white page 1200 × 900 with a grey band, EXIF (camera, GPS) and orientation 6 (shown upright as 900 × 1200). */
export async function aPhoto(seed = 0): Promise<Buffer> {
  const width = 1200;
  const height = 900;
  const raw = Buffer.alloc(width * height * 3, 255);
  for (let y = 600; y < 700; y++) raw.fill(120 + (seed % 100), y * width * 3, (y + 1) * width * 3);
  return sharp(raw, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 85 })
    .withExif({
      IFD0: { Make: 'TestPhone', Model: 'Receipt Cam', Copyright: '张三 110101199003071234' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '39/1 8/1 0/1', GPSLongitudeRef: 'E', GPSLongitude: '117/1 12/1 0/1' },
    })
    .withMetadata({ orientation: 6 })
    .toBuffer();
}

/** A small PNG of a random light colour: a file no earlier test stored. */
export async function aPng(): Promise<Buffer> {
  const c = () => 200 + Math.floor(Math.random() * 56);
  return sharp({ create: { width: 300, height: 200, channels: 3, background: { r: c(), g: c(), b: c() } } })
    .png()
    .toBuffer();
}

function chunk(name: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(name, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A decompression bomb: a PNG that says 50,000 × 50,000 pixels (2.5 gigapixels) in a few kilobytes. */
export function aPngBomb(): Buffer {
  const side = 50_000;
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(side, 0);
  ihdr.writeUInt32BE(side, 4);
  ihdr[8] = 1; // bit depth
  ihdr[9] = 0; // greyscale
  // The first 200 rows of zeros; the rest would inflate to 300 MB.
  const rows = Buffer.alloc(200 * (1 + side / 8));
  return Buffer.concat([
    Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A JPEG that is also a ZIP archive (a file appended after the image's end). */
export async function aJpegZipPolyglot(): Promise<Buffer> {
  const zip = Buffer.concat([
    Buffer.from('PK\x03\x04', 'latin1'),
    Buffer.alloc(26),
    Buffer.from('evil.txt', 'latin1'),
    Buffer.from('PK\x05\x06', 'latin1'),
    Buffer.alloc(18),
  ]);
  return Buffer.concat([await aPhoto(7), zip]);
}

/** A JPEG followed by a web page. */
export async function aJpegHtmlPolyglot(): Promise<Buffer> {
  return Buffer.concat([await aPhoto(8), Buffer.from('<html><body onload="alert(1)">hi</body></html>', 'latin1')]);
}

export const anSvg = Buffer.from(
  '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>',
);
