import { missingFields, PERSON_FIELDS, type Field, type Layout } from '../headers.ts';
import { parseVoucherNumber } from '../voucher-numbers.ts';
import { debitOrCredit, journalRow } from './journal.ts';
import { RowReader } from './row-reader.ts';

const REQUIRED: readonly Field[] = ['voucherNo', 'date', 'summary', 'account', 'debit', 'credit'];

/**
 * 明白账's own layout: one row per voucher line; consecutive rows with the same 凭证号 form a voucher, and a row whose
 * 凭证号 and 日期 are blank continues the voucher above (as printed vouchers are often exported).
 */
export const mingbaiLayout: Layout = {
  format: 'mingbai',
  fields: {
    voucherNo: ['凭证号', '凭证编号', '凭证字号', '凭证号码', '凭证号数'],
    date: ['日期', '凭证日期', '制单日期', '记账日期'],
    summary: ['摘要'],
    account: ['科目编码', '科目代码', '科目', '会计科目', '科目号'],
    accountName: ['科目名称', '明细科目'],
    debit: ['借方金额', '借方', '借', '借方发生额'],
    credit: ['贷方金额', '贷方', '贷', '贷方发生额'],
    ...PERSON_FIELDS,
    settlement: ['结算方式', '收付方式', '支付方式'],
    attachments: ['附件数', '附单据数', '附件张数', '单据张数', '附件'],
    preparer: ['制单人', '制单'],
    reviewer: ['审核人', '审核'],
    approver: ['审批人', '审批'],
  },
  signature: ['借方金额', '借方', '借', '借方发生额', '贷方金额', '贷方', '贷', '贷方发生额'],
  missing(found) {
    return missingFields(this.fields, REQUIRED, found);
  },
  blankNumberContinues: true,
  read(rows, columns, problems) {
    return rows.map((row) => {
      const r = new RowReader(row, columns, problems);
      return journalRow(r, parseVoucherNumber(r.cell('voucherNo')), () => debitOrCredit(r));
    });
  },
};
