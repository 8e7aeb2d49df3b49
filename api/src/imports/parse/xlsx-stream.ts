/**
 * An xlsx worksheet read as a stream of rows, with bounds: the workbook's parts are found through its zip's central
 * directory (the file is in memory), each part is inflated a chunk at a time and parsed by saxes (the XML parser exceljs
 * itself uses), and reading stops at the first row, cell or shared string beyond the limits below. Memory holds the
 * shared strings (bounded) and one chunk of the worksheet, whatever the worksheet's size.
 *
 * exceljs's own streaming reader was the other candidate. It reads the zip in file order, and Excel writes the
 * worksheets before the shared strings, so it copies each worksheet to a temporary file first; it finds worksheets by a
 * fixed path rather than the workbook's relationships; and it keeps every shared string without a bound.
 */
import { createInflateRaw } from 'node:zlib';
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { cellText, type Cell, type TableRow } from './cells.ts';
import { declaredUnzippedBytes, unzipsAsDeclared, zipDirectory, zipEntryData } from './zip-size.ts';

/** What an xlsx may unzip to, whatever the upload limit. */
const MAX_UNZIPPED_BYTES = 200 * 1024 * 1024;

/** Bounds on what one worksheet may hold; a village's month is a few thousand rows of a dozen cells. */
const XLSX_LIMITS = {
  /** Rows that hold at least one cell (a row numbered 1,048,576 counts once). */
  rows: 200_000,
  /** Cells, over all rows. */
  cells: 4_000_000,
  /** Entries of the shared-string table, and their characters together. */
  sharedStrings: 500_000,
  sharedStringChars: 32 * 1024 * 1024,
  /** Characters of one cell (as a CSV record's MAX_RECORD_CHARS). */
  cellChars: 1_000_000,
};

/** Columns read from a worksheet; a ledger has a few dozen. Cells further right are skipped (but counted). */
const MAX_COLUMNS = 1000;

export type XlsxRefusalCode = 'XLSX_INVALID' | 'FILE_TOO_LARGE' | 'FILE_TOO_COMPLEX' | 'TEXT_TOO_LONG';

/** A file refused while it was read; `row` when one row is to blame. */
export class XlsxRefusal extends Error {
  constructor(
    readonly code: XlsxRefusalCode,
    message: string,
    readonly row: number | null = null,
  ) {
    super(message);
  }
}

const BROKEN = 'xlsx 文件已损坏或不完整（可能没有上传完），请重新导出后再上传';
const UNREADABLE = '无法读取这个 xlsx 文件：文件已损坏或不是 Excel 工作簿，请重新导出后再上传';

interface Part {
  method: number;
  data: Uint8Array;
}

/** Part name (lower case, no leading slash) → its compressed bytes, from the central directory. */
function zipParts(bytes: Uint8Array): Map<string, Part> | undefined {
  const entries = zipDirectory(bytes);
  if (!entries || entries === 'zip64') return undefined;
  const parts = new Map<string, Part>();
  for (const entry of entries) {
    const data = zipEntryData(bytes, entry);
    if (!data) return undefined;
    parts.set(entry.name.replace(/^\/+/, '').toLowerCase(), { method: entry.method, data });
  }
  return parts;
}

/** A part's text, a chunk at a time (zlib's 16 KB), written into `parser`; yields after each chunk. */
async function* feed(part: Part, parser: SaxesParser): AsyncGenerator<void> {
  const decoder = new TextDecoder('utf-8');
  if (part.method === 0) {
    parser.write(decoder.decode(part.data));
    parser.close();
    yield;
    return;
  }
  if (part.method !== 8) throw new XlsxRefusal('XLSX_INVALID', UNREADABLE);
  const inflate = createInflateRaw();
  inflate.end(part.data);
  try {
    for await (const chunk of inflate as AsyncIterable<Buffer>) {
      parser.write(decoder.decode(chunk, { stream: true }));
      yield;
    }
  } finally {
    inflate.destroy();
  }
  parser.write(decoder.decode());
  parser.close();
  yield;
}

function xmlParser(): SaxesParser {
  // Namespaces are not resolved: elements are matched by their local name, whatever prefix a writer chose.
  const parser = new SaxesParser({ position: false });
  parser.on('error', (error) => {
    throw error;
  });
  return parser;
}

const local = (name: string): string => {
  const colon = name.indexOf(':');
  return colon < 0 ? name : name.slice(colon + 1);
};

/** Attribute by local name. */
function attr(tag: SaxesTagPlain, name: string): string | undefined {
  for (const [key, value] of Object.entries(tag.attributes)) if (local(key) === name) return value;
  return undefined;
}

async function readPart(part: Part, onOpen: (tag: SaxesTagPlain) => void): Promise<void> {
  const parser = xmlParser();
  parser.on('opentag', onOpen);
  for await (const _ of feed(part, parser));
}

/** Relationship id → target part name, resolved against the folder of the part the relationships belong to. */
async function relationships(
  parts: Map<string, Part>,
  of: string,
): Promise<{ id: string; type: string; target: string }[]> {
  const slash = of.lastIndexOf('/');
  const folder = slash < 0 ? '' : of.slice(0, slash + 1);
  const part = parts.get(`${folder}_rels/${of.slice(slash + 1)}.rels`);
  if (!part) return [];
  const out: { id: string; type: string; target: string }[] = [];
  await readPart(part, (tag) => {
    if (local(tag.name) !== 'Relationship' || attr(tag, 'TargetMode') === 'External') return;
    const target = attr(tag, 'Target') ?? '';
    out.push({ id: attr(tag, 'Id') ?? '', type: attr(tag, 'Type') ?? '', target: resolvePath(folder, target) });
  });
  return out;
}

function resolvePath(folder: string, target: string): string {
  const path: string[] = [];
  for (const segment of (target.startsWith('/') ? target.slice(1) : folder + target).split('/')) {
    if (segment === '..') path.pop();
    else if (segment !== '.' && segment !== '') path.push(segment);
  }
  return path.join('/').toLowerCase();
}

/** Built-in number formats that show dates or times (Excel's table, with the CJK ones). */
const BUILT_IN_DATES = new Set([
  14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 45, 46, 47, 50, 51, 52, 53, 54, 55, 56,
  57, 58,
]);

/** As exceljs decides (utils.isDateFmt): date letters outside quotes and brackets. */
function isDateFormat(code: string): boolean {
  return /[ymdhMsb]+/.test(code.replace(/\[[^\]]*]/g, '').replace(/"[^"]*"/g, ''));
}

/** Which cell styles (index into cellXfs) show a number as a date. */
async function dateStyles(part: Part | undefined): Promise<Set<number>> {
  const styles = new Set<number>();
  if (!part) return styles;
  const custom = new Map<number, string>();
  let inCellXfs = false;
  let xf = 0;
  const parser = xmlParser();
  parser.on('opentag', (tag) => {
    const name = local(tag.name);
    if (name === 'numFmt') custom.set(Number(attr(tag, 'numFmtId')), attr(tag, 'formatCode') ?? '');
    else if (name === 'cellXfs') inCellXfs = true;
    else if (name === 'xf' && inCellXfs) {
      const id = Number(attr(tag, 'numFmtId') ?? 0);
      const code = custom.get(id);
      if (code !== undefined ? isDateFormat(code) : BUILT_IN_DATES.has(id)) styles.add(xf);
      xf++;
    }
  });
  parser.on('closetag', (tag) => {
    if (local(tag.name) === 'cellXfs') inCellXfs = false;
  });
  for await (const _ of feed(part, parser));
  return styles;
}

/** The shared-string table, rich text joined, phonetic runs left out; refused beyond the limits. */
async function sharedStrings(part: Part | undefined): Promise<string[]> {
  const strings: string[] = [];
  if (!part) return strings;
  let chars = 0;
  let text: string[] | undefined;
  let inT = false;
  let phonetic = 0;
  const parser = xmlParser();
  parser.on('opentag', (tag) => {
    const name = local(tag.name);
    if (name === 'si') text = [];
    else if (name === 't' && text && phonetic === 0) inT = true;
    else if (name === 'rPh') phonetic++;
  });
  const onText = (t: string) => {
    if (!inT || !text) return;
    chars += t.length;
    if (chars > XLSX_LIMITS.sharedStringChars) {
      throw new XlsxRefusal(
        'FILE_TOO_COMPLEX',
        `xlsx 文件里的文字太多（共享字符串超过 ${XLSX_LIMITS.sharedStringChars.toLocaleString('en')} 个字），请分月导出或另存为 CSV`,
      );
    }
    text.push(t);
  };
  parser.on('text', onText);
  parser.on('cdata', onText);
  parser.on('closetag', (tag) => {
    const name = local(tag.name);
    if (name === 't') inT = false;
    else if (name === 'rPh') phonetic--;
    else if (name === 'si' && text) {
      if (strings.length === XLSX_LIMITS.sharedStrings) {
        throw new XlsxRefusal(
          'FILE_TOO_COMPLEX',
          `xlsx 文件里不同的文字超过 ${XLSX_LIMITS.sharedStrings.toLocaleString('en')} 条，请分月导出或另存为 CSV`,
        );
      }
      strings.push(text.join(''));
      text = undefined;
    }
  });
  for await (const _ of feed(part, parser));
  return strings;
}

/** "AB12" → 28 (1-based column); undefined when the reference has no letters. */
function columnOf(ref: string): number | undefined {
  let column = 0;
  let i = 0;
  for (; i < ref.length; i++) {
    const c = ref.charCodeAt(i) | 0x20;
    if (c < 0x61 || c > 0x7a) break;
    column = column * 26 + (c - 0x60);
  }
  return i === 0 ? undefined : column;
}

export interface XlsxSheet {
  /** Rows with at least one cell of text, number or date, in file order. Throws XlsxRefusal beyond the limits. */
  rows: AsyncGenerator<TableRow>;
}

/**
 * Opens the first visible worksheet of an xlsx. The size checks run first: the total the zip declares (within
 * `maxUnzippedBytes` and MAX_UNZIPPED_BYTES), then that each part inflates to exactly what it declares.
 */
export async function openXlsx(
  bytes: Uint8Array,
  maxUnzippedBytes: number,
): Promise<{ ok: true; sheet: XlsxSheet } | { ok: false; code: XlsxRefusalCode; message: string }> {
  const unzipped = declaredUnzippedBytes(bytes);
  if (unzipped === undefined) return { ok: false, code: 'XLSX_INVALID', message: BROKEN };
  if (unzipped > Math.min(maxUnzippedBytes, MAX_UNZIPPED_BYTES)) {
    return {
      ok: false,
      code: 'FILE_TOO_LARGE',
      message: `xlsx 文件解压后有 ${Math.round(unzipped / 1024 / 1024)} MB，超过上限，请分月导出`,
    };
  }
  // The declared sizes may lie: inflate each part, counting, and stop at the first byte beyond what it declared.
  if (!(await unzipsAsDeclared(bytes))) {
    return {
      ok: false,
      code: 'XLSX_INVALID',
      message: 'xlsx 文件已损坏：解压后的大小与文件里记录的不符，请重新导出后再上传',
    };
  }
  const parts = zipParts(bytes);
  if (!parts) return { ok: false, code: 'XLSX_INVALID', message: BROKEN };
  try {
    const root = await relationships(parts, '');
    const workbookName = root.find((r) => r.type.endsWith('/officeDocument'))?.target ?? 'xl/workbook.xml';
    const workbook = parts.get(workbookName);
    if (!workbook) return { ok: false, code: 'XLSX_INVALID', message: UNREADABLE };
    const sheets: { rid: string; visible: boolean }[] = [];
    let date1904 = false;
    await readPart(workbook, (tag) => {
      const name = local(tag.name);
      if (name === 'workbookPr') date1904 = /^(1|true)$/.test(attr(tag, 'date1904') ?? '');
      else if (name === 'sheet') {
        const state = attr(tag, 'state');
        sheets.push({ rid: attr(tag, 'id') ?? '', visible: state === undefined || state === 'visible' });
      }
    });
    const rels = await relationships(parts, workbookName);
    const target = (rid: string) => rels.find((r) => r.id === rid)?.target;
    const chosen = sheets.find((s) => s.visible && target(s.rid)) ?? sheets.find((s) => target(s.rid));
    const sheet = chosen && parts.get(target(chosen.rid)!);
    if (!sheet) return { ok: false, code: 'XLSX_INVALID', message: '这个 xlsx 文件里没有工作表' };
    const byType = (suffix: string, fallback: string) =>
      parts.get(rels.find((r) => r.type.endsWith(suffix))?.target ?? fallback);
    const styles = await dateStyles(byType('/styles', 'xl/styles.xml'));
    const strings = await sharedStrings(byType('/sharedStrings', 'xl/sharedstrings.xml'));
    return { ok: true, sheet: { rows: sheetRows(sheet, strings, styles, date1904) } };
  } catch (error) {
    if (error instanceof XlsxRefusal) return { ok: false, code: error.code, message: error.message };
    return { ok: false, code: 'XLSX_INVALID', message: UNREADABLE };
  }
}

interface CellState {
  column: number;
  type: string;
  style: number;
  formula: boolean;
  /** Text of <v>, or of the <t>s of an inline string. */
  text: string[] | undefined;
  chars: number;
}

/** As exceljs's utils.excelToDate. */
function excelDate(serial: number, date1904: boolean): Date {
  return new Date(Math.round((serial - 25569 + (date1904 ? 1462 : 0)) * 24 * 3600 * 1000));
}

async function* sheetRows(
  part: Part,
  strings: readonly string[],
  dates: ReadonlySet<number>,
  date1904: boolean,
): AsyncGenerator<TableRow> {
  const done: TableRow[] = [];
  let rows = 0;
  let cellCount = 0;
  let rowNumber = 0;
  let cells: Cell[] | undefined;
  let lastColumn = 0;
  let cell: CellState | undefined;
  let inValue = false;
  let phonetic = 0;
  const value = (c: CellState): Cell => {
    if (c.text === undefined) return null;
    const text = c.text.join('');
    switch (c.type) {
      case 's': {
        const s = strings[Number(text)];
        return s === undefined ? null : s;
      }
      case 'inlineStr':
      case 'str':
      case 'e':
        return text;
      case 'b':
        return Number(text) !== 0 ? 'TRUE' : 'FALSE';
      default: {
        if (text.trim() === '') return null;
        // A number cell as a double, as Excel holds it; amounts.ts reads it back to fen by its 15 shown digits.
        const n = Number(text);
        return !c.formula && dates.has(c.style) && Number.isFinite(n) ? excelDate(n, date1904) : n;
      }
    }
  };
  const parser = xmlParser();
  parser.on('opentag', (tag) => {
    const name = local(tag.name);
    if (name === 'row') {
      const r = Number(attr(tag, 'r'));
      rowNumber = Number.isInteger(r) && r > 0 ? r : rowNumber + 1;
      cells = [];
      lastColumn = 0;
    } else if (name === 'c' && cells) {
      const ref = attr(tag, 'r');
      const column = (ref === undefined ? undefined : columnOf(ref)) ?? lastColumn + 1;
      lastColumn = column;
      if (++cellCount > XLSX_LIMITS.cells) {
        throw new XlsxRefusal(
          'FILE_TOO_LARGE',
          `工作表的单元格超过 ${XLSX_LIMITS.cells.toLocaleString('en')} 个，超过上限，请分月导出或另存为 CSV`,
        );
      }
      cell = {
        column,
        type: attr(tag, 't') ?? 'n',
        style: Number(attr(tag, 's') ?? 0),
        formula: false,
        text: undefined,
        chars: 0,
      };
    } else if (cell) {
      if (name === 'f') cell.formula = true;
      else if (name === 'rPh') phonetic++;
      else if ((name === 'v' || (name === 't' && cell.type === 'inlineStr')) && phonetic === 0) {
        inValue = true;
        cell.text ??= [];
      }
    }
  });
  const onText = (t: string) => {
    if (!inValue || !cell) return;
    cell.chars += t.length;
    if (cell.chars > XLSX_LIMITS.cellChars) {
      throw new XlsxRefusal(
        'TEXT_TOO_LONG',
        `第${rowNumber}行：有一个单元格超过 ${XLSX_LIMITS.cellChars.toLocaleString('en')} 个字符，请检查后重新导出`,
        rowNumber,
      );
    }
    cell.text!.push(t);
  };
  parser.on('text', onText);
  parser.on('cdata', onText);
  parser.on('closetag', (tag) => {
    const name = local(tag.name);
    if (name === 'v' || name === 't') inValue = false;
    else if (name === 'rPh') phonetic--;
    else if (name === 'c' && cell && cells) {
      if (cell.column <= MAX_COLUMNS) {
        const v = value(cell);
        if (v !== null) {
          while (cells.length < cell.column - 1) cells.push(null);
          cells[cell.column - 1] = v;
        }
      }
      cell = undefined;
    } else if (name === 'row' && cells) {
      if (cells.some((c) => cellText(c) !== '')) {
        if (++rows > XLSX_LIMITS.rows) {
          throw new XlsxRefusal(
            'FILE_TOO_LARGE',
            `工作表超过 ${XLSX_LIMITS.rows.toLocaleString('en')} 行，超过上限，请分月导出或另存为 CSV`,
          );
        }
        done.push({ row: rowNumber, cells });
      }
      cells = undefined;
    }
  });
  try {
    for await (const _ of feed(part, parser)) {
      if (done.length > 0) yield* done.splice(0);
    }
  } catch (error) {
    if (error instanceof XlsxRefusal) throw error;
    throw new XlsxRefusal('XLSX_INVALID', '工作表内容已损坏，读不出来，请重新导出后再上传');
  }
}
