/**
 * Rows into `COPY … FROM STDIN` (text format) with backpressure: rows are joined into chunks of about 256 KB and
 * written to the postgres.js writable; when the server falls behind, the generator waits for `drain`.
 */
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import type { Writable } from 'node:stream';

export type CopyValue = string | number | bigint | boolean | null | undefined;

const SPECIAL = /[\\\n\r\t]/;
const SPECIAL_ALL = /[\\\n\r\t]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function field(value: CopyValue): string {
  if (value === null || value === undefined) return '\\N';
  if (typeof value === 'string') return SPECIAL.test(value) ? value.replace(SPECIAL_ALL, (c) => ESCAPES[c]!) : value;
  if (typeof value === 'boolean') return value ? 't' : 'f';
  return String(value);
}

const CHUNK_CHARS = 256 * 1024;

export class CopyWriter {
  rows = 0;
  bytes = 0;
  private buffer: string[] = [];
  private chars = 0;

  constructor(
    readonly table: string,
    private readonly stream: Writable,
  ) {}

  /** Queues one row; returns a promise only when the caller should wait for the server. */
  row(values: readonly CopyValue[]): Promise<void> | undefined {
    let line = field(values[0]);
    for (let i = 1; i < values.length; i++) line += '\t' + field(values[i]);
    line += '\n';
    this.buffer.push(line);
    this.chars += line.length;
    this.rows++;
    return this.chars >= CHUNK_CHARS ? this.flush() : undefined;
  }

  flush(): Promise<void> | undefined {
    if (this.buffer.length === 0) return undefined;
    const chunk = Buffer.from(this.buffer.join(''), 'utf8');
    this.buffer = [];
    this.chars = 0;
    this.bytes += chunk.length;
    if (this.stream.write(chunk)) return undefined;
    return once(this.stream, 'drain').then(() => undefined);
  }

  async end(): Promise<void> {
    await this.flush();
    this.stream.end();
    await finished(this.stream);
  }
}
