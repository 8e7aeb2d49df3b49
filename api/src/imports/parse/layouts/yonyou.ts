import { halfWidth } from '../cells.ts';
import { missingFields, type Field, type Layout } from '../headers.ts';
import { parseVoucherNumber } from '../voucher-numbers.ts';
import { debitOrCredit, journalRow } from './journal.ts';
import { RowReader } from './row-reader.ts';

const REQUIRED: readonly Field[] = ['voucherNo', 'date', 'summary', 'account', 'debit', 'credit'];

/**
 * 用友 U8 voucher export (table GL_accvouch): a voucher is (csign, ino_id); cbill prepared it, ccheck reviewed it.
 * The Chinese captions some exports use are accepted too; iperiod and inid are not needed.
 */
export const yonyouLayout: Layout = {
  format: 'yonyou-u8',
  fields: {
    period: ['iperiod', '会计期间'],
    voucherWord: ['csign', '凭证类别字', '凭证类别', '凭证字'],
    voucherNo: ['ino_id', '凭证编号', '凭证号'],
    lineNo: ['inid', '行号', '分录号'],
    date: ['dbill_date', '制单日期', '日期'],
    attachments: ['idoc', '附单据数', '附件数'],
    preparer: ['cbill', '制单人'],
    reviewer: ['ccheck', '审核人'],
    summary: ['cdigest', '摘要'],
    account: ['ccode', '科目编码', '科目代码'],
    accountName: ['ccode_name', '科目名称'],
    debit: ['md', '借方金额', '借方'],
    credit: ['mc', '贷方金额', '贷方'],
  },
  signature: [
    ...['iperiod', 'csign', 'ino_id', 'inid', 'dbill_date', 'idoc', 'cbill', 'ccheck', 'cdigest', 'ccode', 'md', 'mc'],
    ...['会计期间', '凭证类别字', '凭证类别', '行号'],
  ],
  missing(found) {
    return missingFields(this.fields, REQUIRED, found);
  },
  blankNumberContinues: false,
  read(rows, columns, problems) {
    return rows.map((row) => {
      const r = new RowReader(row, columns, problems);
      const ref = parseVoucherNumber(r.cell('voucherNo'), halfWidth(r.text('voucherWord')));
      return journalRow(r, ref, () => debitOrCredit(r));
    });
  },
};
