/**
 * The bulk files read back, strictly: anything malformed (a cut-off row, a missing column, a value of the wrong type)
 * is a `Damaged` error naming the file and line, never a crash and never a guess.
 */

export class Damaged extends Error {}

/** RFC 4180 as the bulk files are written (api/src/opendata/csv.ts): a BOM, "\n" rows, "" quotes. Header → records. */
export function parseCsv(text: string, file: string): Record<string, string>[] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  for (; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i++;
        } else quoted = false;
      } else {
        if (c === '\n') line++;
        cell += c;
      }
    } else if (c === '"' && cell === '') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      line++;
    } else cell += c;
  }
  if (quoted) throw new Damaged(`${file} 第 ${line} 行：引号没有结束（文件不完整）`);
  if (cell !== '' || row.length > 0) throw new Damaged(`${file} 第 ${line} 行：最后一行没有换行符（文件不完整）`);
  const [header, ...body] = rows;
  if (!header) throw new Damaged(`${file} 是空的`);
  return body.map((cells, n) => {
    if (cells.length !== header.length) {
      throw new Damaged(`${file} 第 ${n + 2} 行：应有 ${header.length} 列，只有 ${cells.length} 列`);
    }
    return Object.fromEntries(header.map((h, k) => [h, cells[k]!]));
  });
}

/** JSON Lines: one object per "\n"-ended line. */
export function parseJsonl(text: string, file: string): Record<string, unknown>[] {
  if (text !== '' && !text.endsWith('\n')) throw new Damaged(`${file}：最后一行没有换行符（文件不完整）`);
  return text
    .split('\n')
    .slice(0, -1)
    .map((line, n) => {
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        throw new Damaged(`${file} 第 ${n + 1} 行不是有效的 JSON`);
      }
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        throw new Damaged(`${file} 第 ${n + 1} 行不是 JSON 对象`);
      }
      return value as Record<string, unknown>;
    });
}

/** Typed field access that reports the file, line and field when a value is not what the format says. */
export class Fields {
  constructor(
    private readonly record: Record<string, unknown>,
    private readonly where: string,
  ) {}

  private fail(name: string, expected: string): never {
    throw new Damaged(`${this.where}：字段 ${name} 应为${expected}，实为 ${JSON.stringify(this.record[name])}`);
  }

  str(name: string): string {
    const v = this.record[name];
    return typeof v === 'string' ? v : this.fail(name, '字符串');
  }

  strOrNull(name: string): string | null {
    const v = this.record[name];
    return v === null || typeof v === 'string' ? v : this.fail(name, '字符串或 null');
  }

  int(name: string): number {
    const v = this.record[name];
    return Number.isSafeInteger(v) ? (v as number) : this.fail(name, '整数');
  }

  /** A CSV cell holding an integer (empty → null when allowed). */
  csvInt(name: string, nullable = false): number | null {
    const v = this.record[name];
    if (nullable && v === '') return null;
    return typeof v === 'string' && /^-?\d{1,15}$/.test(v) ? Number(v) : this.fail(name, '整数');
  }

  /** A CSV cell where empty means null. */
  csvStr(name: string): string | null {
    const v = this.record[name];
    if (typeof v !== 'string') this.fail(name, '字符串');
    return v === '' ? null : v;
  }

  raw(name: string): unknown {
    return this.record[name];
  }
}
