import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { csvTable, detectDelimiter, excelCell, xlsxTable } from './table.ts';
import { declaredUnzippedBytes } from './zip-size.ts';

describe('CSV and tab-separated text', () => {
  it('handles quotes, embedded line breaks, CRLF and numbers rows as Excel shows them', () => {
    const text = '凭证号,摘要\r\n1,"购买""优质""大米,\r\n两袋"\r\n\r\n2,修路\r\n,,\r\n3,"1,234.50"';
    const table = csvTable(text);
    expect(table).toEqual({
      ok: true,
      rows: [
        { row: 1, cells: ['凭证号', '摘要'] },
        { row: 2, cells: ['1', '购买"优质"大米,\n两袋'] },
        { row: 4, cells: ['2', '修路'] },
        { row: 6, cells: ['3', '1,234.50'] },
      ],
    });
  });

  it('detects tabs, and never splits on the Chinese comma', () => {
    expect(detectDelimiter('付村2025年6月\niperiod\tcsign\tino_id\n6\t记\t1')).toBe('\t');
    expect(detectDelimiter('凭证号,摘要\n1,"a\tb"')).toBe(',');
    const table = csvTable('日期\t摘要\t支出\n2025-06-03\t买纸，买笔\t1,234.50');
    expect(table.ok && table.rows[1]!.cells).toEqual(['2025-06-03', '买纸，买笔', '1,234.50']);
  });

  it('reports a quote that is never closed instead of throwing', () => {
    const table = csvTable('凭证号,摘要\n1,"没有结束\n2,修路');
    expect(table).toMatchObject({ ok: false, code: 'LAYOUT_UNKNOWN' });
  });
});

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
    const table = await xlsxTable(bytes, 10_000_000);
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
    expect(await xlsxTable(bytes.subarray(0, bytes.length >> 1), 10_000_000)).toMatchObject({
      ok: false,
      code: 'XLSX_INVALID',
    });
    expect(await xlsxTable(new Uint8Array([0x50, 0x4b, 3, 4, 1, 2, 3]), 10_000_000)).toMatchObject({
      ok: false,
      code: 'XLSX_INVALID',
    });
  });

  it('refuses to unzip more than the limit', async () => {
    const bytes = await workbook((ws) => ws.addRow(['日期']));
    const declared = declaredUnzippedBytes(bytes)!;
    expect(declared).toBeGreaterThan(bytes.length);
    expect(await xlsxTable(bytes, declared - 1)).toMatchObject({ ok: false, code: 'FILE_TOO_LARGE' });
  });

  it('maps every kind of cell value', () => {
    expect(excelCell(undefined)).toBeNull();
    expect(excelCell({ sharedFormula: 'A1', result: 'x' } as ExcelJS.CellValue)).toBe('x');
    expect(excelCell({ formula: 'TODAY()' } as ExcelJS.CellValue)).toBeNull();
    expect(excelCell(false)).toBe('FALSE');
  });
});
