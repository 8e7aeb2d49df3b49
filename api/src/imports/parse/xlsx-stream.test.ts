import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import type { TableRow } from './cells.ts';
import { openXlsx, XlsxRefusal } from './xlsx-stream.ts';
import { declaredUnzippedBytes } from './zip-size.ts';

/** Every row of the first visible worksheet, or the refusal (as the parser reports it) instead of a throw. */
async function readSheet(bytes: Uint8Array, maxUnzippedBytes: number) {
  const opened = await openXlsx(bytes, maxUnzippedBytes);
  if (!opened.ok) return { ok: false, code: opened.code, row: null, message: opened.message };
  const rows: TableRow[] = [];
  try {
    for await (const row of opened.sheet.rows) rows.push(row);
  } catch (error) {
    if (!(error instanceof XlsxRefusal)) throw error;
    return { ok: false, code: error.code, row: error.row, message: error.message };
  }
  return { ok: true, rows };
}

describe('xlsx', () => {
  async function workbook(build: (ws: ExcelJS.Worksheet) => void): Promise<Uint8Array> {
    const wb = new ExcelJS.Workbook();
    build(wb.addWorksheet('凭证'));
    wb.addWorksheet('别的表').addRow(['不读这里']);
    return new Uint8Array(await wb.xlsx.writeBuffer());
  }

  it('reads the first worksheet: numbers, strings, dates, rich text and formula results, with Excel row numbers', async () => {
    const bytes = await workbook((ws) => {
      ws.addRow(['付村2025年6月记账凭证']);
      ws.addRow([]);
      ws.addRow(['日期', '金额', '摘要', '合计']);
      const row = ws.addRow([
        new Date(Date.UTC(2025, 5, 3)),
        1234.5,
        { richText: [{ text: '购买' }, { text: '纸张', font: { bold: true } }] },
        { formula: 'B4*2', result: 2469 },
      ]);
      row.getCell(1).numFmt = 'yyyy-mm-dd';
      ws.addRow([{ text: '链接', hyperlink: 'https://example.org' }, { error: '#N/A' }, true, null]);
    });
    const table = await readSheet(bytes, 10_000_000);
    expect(table).toEqual({
      ok: true,
      rows: [
        { row: 1, cells: ['付村2025年6月记账凭证'] },
        { row: 3, cells: ['日期', '金额', '摘要', '合计'] },
        { row: 4, cells: [new Date(Date.UTC(2025, 5, 3)), 1234.5, '购买纸张', 2469] },
        { row: 5, cells: ['链接', '#N/A', 'TRUE'] },
      ],
    });
  });

  it('reports a truncated or fake xlsx instead of throwing', async () => {
    const bytes = await workbook((ws) => ws.addRow(['日期']));
    expect(await readSheet(bytes.subarray(0, bytes.length >> 1), 10_000_000)).toMatchObject({
      ok: false,
      code: 'XLSX_INVALID',
    });
    expect(await readSheet(new Uint8Array([0x50, 0x4b, 3, 4, 1, 2, 3]), 10_000_000)).toMatchObject({
      ok: false,
      code: 'XLSX_INVALID',
    });
  });

  it('refuses to unzip more than the limit', async () => {
    const bytes = await workbook((ws) => ws.addRow(['日期']));
    const declared = declaredUnzippedBytes(bytes)!;
    expect(declared).toBeGreaterThan(bytes.length);
    expect(await readSheet(bytes, declared - 1)).toMatchObject({ ok: false, code: 'FILE_TOO_LARGE' });
  });

  it('reads a formula without a cached result as empty and false as FALSE', async () => {
    const bytes = await workbook((ws) => ws.addRow([{ formula: 'TODAY()' } as ExcelJS.CellValue, false, 'x']));
    expect(await readSheet(bytes, 10_000_000)).toEqual({ ok: true, rows: [{ row: 1, cells: [null, 'FALSE', 'x'] }] });
  });
});
