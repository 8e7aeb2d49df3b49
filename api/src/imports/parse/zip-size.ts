import { createInflateRaw } from 'node:zlib';

/** One file of a zip as its central directory describes it. */
export interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflated; anything else is refused by the readers. */
  method: number;
  packedBytes: number;
  declaredBytes: number;
  /** Where its local header starts. */
  localOffset: number;
}

const END_OF_DIRECTORY = 0x06054b50;
const DIRECTORY_ENTRY = 0x02014b50;
const LOCAL_HEADER = 0x04034b50;

/**
 * The entries of a zip's central directory, read without unzipping anything; undefined when there is no readable
 * directory (a truncated or damaged file), 'zip64' for a ZIP64 archive: no real ledger needs one, and its sizes do not
 * fit these fields.
 */
export function zipDirectory(bytes: Uint8Array): ZipEntry[] | 'zip64' | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // The end-of-central-directory record is 22 bytes plus a comment of at most 65,535 bytes.
  const lowest = Math.max(0, bytes.length - 22 - 0xffff);
  let end = -1;
  for (let i = bytes.length - 22; i >= lowest; i--) {
    if (view.getUint32(i, true) === END_OF_DIRECTORY) {
      end = i;
      break;
    }
  }
  if (end < 0) return undefined;
  const count = view.getUint16(end + 10, true);
  let at = view.getUint32(end + 16, true);
  if (count === 0xffff || at === 0xffffffff) return 'zip64';
  const names = new TextDecoder('utf-8');
  const entries: ZipEntry[] = [];
  for (let n = 0; n < count; n++) {
    if (at + 46 > bytes.length || view.getUint32(at, true) !== DIRECTORY_ENTRY) return undefined;
    const nameLength = view.getUint16(at + 28, true);
    const declaredBytes = view.getUint32(at + 24, true);
    if (declaredBytes === 0xffffffff) return 'zip64';
    entries.push({
      name: names.decode(bytes.subarray(at + 46, at + 46 + nameLength)),
      method: view.getUint16(at + 10, true),
      packedBytes: view.getUint32(at + 20, true),
      declaredBytes,
      localOffset: view.getUint32(at + 42, true),
    });
    at += 46 + nameLength + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
  }
  return entries;
}

/** An entry's compressed bytes, found through its local header; undefined when the header or data is not there. */
export function zipEntryData(bytes: Uint8Array, entry: ZipEntry): Uint8Array | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const local = entry.localOffset;
  if (local + 30 > bytes.length || view.getUint32(local, true) !== LOCAL_HEADER) return undefined;
  const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
  if (start + entry.packedBytes > bytes.length) return undefined;
  return bytes.subarray(start, start + entry.packedBytes);
}

/**
 * The total uncompressed size an xlsx (a zip) declares in its central directory, read before unzipping so that a
 * small file cannot expand into gigabytes. Undefined when there is no readable central directory; Infinity for ZIP64.
 */
export function declaredUnzippedBytes(bytes: Uint8Array): number | undefined {
  const entries = zipDirectory(bytes);
  if (entries === 'zip64') return Infinity;
  return entries?.reduce((total, e) => total + e.declaredBytes, 0);
}

/**
 * Whether every entry of the zip inflates to exactly the size its central directory declares, checked by inflating
 * into nothing: memory stays at one chunk and work stops at the first byte too many (a bomb that declares 2 KB).
 */
export async function unzipsAsDeclared(bytes: Uint8Array): Promise<boolean> {
  const entries = zipDirectory(bytes);
  if (!entries || entries === 'zip64') return false;
  for (const entry of entries) {
    const data = zipEntryData(bytes, entry);
    if (!data) return false;
    if (entry.method === 0) {
      if (entry.packedBytes !== entry.declaredBytes) return false;
    } else if (entry.method === 8) {
      if (!(await inflatesTo(data, entry.declaredBytes))) return false;
    } else return false;
  }
  return true;
}

function inflatesTo(data: Uint8Array, size: number): Promise<boolean> {
  return new Promise((resolve) => {
    const inflate = createInflateRaw();
    let total = 0;
    let settled = false;
    const settle = (ok: boolean) => {
      if (settled) return;
      settled = true;
      inflate.destroy();
      resolve(ok);
    };
    inflate.on('data', (chunk: Buffer) => {
      total += chunk.byteLength;
      if (total > size) settle(false);
    });
    inflate.on('error', () => settle(false));
    inflate.on('end', () => settle(total === size));
    inflate.end(data);
  });
}
