import { describe, expect, it } from 'vitest';
import type { TableRow } from './cells.ts';
import { findHeader, headerKey } from './headers.ts';
import { LAYOUTS } from './layouts/index.ts';

const rows = (...lines: string[][]): TableRow[] => lines.map((cells, i) => ({ row: i + 1, cells }));
const detect = (...lines: string[][]) => {
  const h = findHeader(rows(...lines), LAYOUTS);
  return h && { format: h.layout.format, row: h.row, fields: [...h.columns.keys()] };
};

describe('layout detection from the header', () => {
  it('normalises width, spaces, case, units and required-marks', () => {
    expect(headerKey(' 借方金额（元） ')).toBe('借方金额');
    expect(headerKey('＊摘 要')).toBe('摘要');
    expect(headerKey('ＦＤＡＴＥ')).toBe('fdate');
    expect(headerKey('INO_ID')).toBe('ino_id');
  });

  it('finds our own layout below title rows, with header variants', () => {
    const found = detect(
      ['付村2025年6月记账凭证'],
      ['编制单位：付村村委会'],
      ['凭证字号', '制单日期', '摘要', '科目代码', '借方发生额', '贷（元）'],
    );
    expect(found).toEqual({
      format: 'mingbai',
      row: 3,
      fields: ['voucherNo', 'date', 'summary', 'account', 'debit', 'credit'],
    });
  });

  it('prefers our layout for U8 captions unless a U8-only column is there', () => {
    const captions = ['凭证编号', '制单日期', '摘要', '科目编码', '借方金额', '贷方金额', '制单人', '审核人'];
    expect(detect(captions)?.format).toBe('mingbai');
    expect(detect(['会计期间', '凭证类别字', ...captions])?.format).toBe('yonyou-u8');
    expect(detect(['iperiod', 'csign', 'ino_id', 'dbill_date', 'cdigest', 'ccode', 'md', 'mc'])?.format).toBe(
      'yonyou-u8',
    );
  });

  it('recognises 金蝶 KIS and the cash book', () => {
    expect(detect(['FDATE', 'FNUM', 'FEXP', 'FACCTID', 'FDC', 'FAMOUNT'])?.format).toBe('kingdee-kis');
    expect(detect(['ＦＤＡＴＥ', 'fnum', 'FExp', 'FAcctID', 'FDebit', 'FCredit'])?.format).toBe('kingdee-kis');
    expect(detect(['日期', '摘要', '科目', '收入', '支出', '经办人'])?.format).toBe('cashbook');
    expect(detect(['日期', '凭证号', '摘要', '科目', '支出金额', '收付方式'])?.format).toBe('cashbook');
  });

  it('finds nothing in unrelated tables or below the tenth row', () => {
    expect(detect(['姓名', '年龄', '住址'])).toBeUndefined();
    expect(detect(['日期', '摘要'])).toBeUndefined();
    const late = Array.from({ length: 10 }, (_, i) => [`标题${i}`]);
    expect(detect(...late, ['凭证号', '日期', '摘要', '科目编码', '借方金额', '贷方金额'])).toBeUndefined();
  });
});
