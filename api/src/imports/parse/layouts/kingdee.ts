import { halfWidth } from '../cells.ts';
import { missingFields, type Layout } from '../headers.ts';
import { parseVoucherNumber } from '../voucher-numbers.ts';
import { debitOrCredit, journalRow, type SideAmount } from './journal.ts';
import { RowReader } from './row-reader.ts';

/**
 * 金蝶 KIS voucher export: a voucher is (FGROUP, FNUM); lines are FENTRYID 0, 1, …; FDC 1 is debit, 0 or -1 credit.
 * Amounts come as FDEBIT/FCREDIT, or as one FAMOUNT whose side FDC gives.
 */
export const kingdeeLayout: Layout = {
  format: 'kingdee-kis',
  fields: {
    date: ['FDATE'],
    period: ['FPERIOD'],
    voucherWord: ['FGROUP'],
    voucherNo: ['FNUM', 'FNUMBER'],
    lineNo: ['FENTRYID'],
    summary: ['FEXP', 'FEXPLANATION'],
    account: ['FACCTID', 'FACCOUNTID', 'FACCTNUMBER'],
    accountName: ['FACCTNAME'],
    direction: ['FDC'],
    debit: ['FDEBIT'],
    credit: ['FCREDIT'],
    amount: ['FAMOUNT'],
    preparer: ['FPREPARE', 'FPREPARER'],
    reviewer: ['FCHECKER', 'FCHECK'],
    attachments: ['FATTACHMENTS', 'FATTACHMENT'],
  },
  signature: [
    ...['FDATE', 'FPERIOD', 'FGROUP', 'FNUM', 'FNUMBER', 'FENTRYID', 'FEXP', 'FACCTID', 'FDC', 'FDEBIT', 'FCREDIT'],
    ...['FAMOUNT', 'FPREPARE'],
  ],
  missing(found) {
    const names = missingFields(this.fields, ['voucherNo', 'date', 'summary', 'account'], found);
    if (found.has('debit') || found.has('credit'))
      names.push(...missingFields(this.fields, ['debit', 'credit'], found));
    else if (found.has('amount')) names.push(...missingFields(this.fields, ['direction'], found));
    else names.push('FDEBIT', 'FCREDIT');
    return names;
  },
  blankNumberContinues: false,
  read(rows, columns, problems) {
    const pair = columns.has('debit') && columns.has('credit');
    return rows.map((row) => {
      const r = new RowReader(row, columns, problems);
      const ref = parseVoucherNumber(r.cell('voucherNo'), halfWidth(r.text('voucherWord')));
      const amount = (): SideAmount => {
        if (pair) return debitOrCredit(r);
        const fen = r.single('amount');
        const side = r.direction('direction');
        return fen !== null && side !== null ? { side, fen } : null;
      };
      return journalRow(r, ref, amount);
    });
  },
};
