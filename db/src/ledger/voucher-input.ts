// A voucher as every writer hands it to the ledger (post.ts, the import spool, the demo seed): what it says, before
// the ledger checks and stores it.
import type { Fen } from './money.ts';
import type { LineSide, PaymentMethod } from '../schema/ledger.ts';

export interface CounterpartyInput {
  name: string;
  isPerson: boolean;
  idNumber?: string | undefined;
  phone?: string | undefined;
  bankAccount?: string | undefined;
}

export interface LineInput {
  accountCode: string;
  accountName?: string | undefined;
  side: LineSide;
  amountFen: Fen;
  summary?: string | undefined;
  counterparty?: CounterpartyInput | undefined;
  paymentMethod?: PaymentMethod | undefined;
}

export interface VoucherInput {
  number: number;
  /** YYYY-MM-DD, inside the period. */
  date: string;
  summary: string;
  attachments: number;
  preparer?: string | undefined;
  reviewer?: string | undefined;
  approver?: string | undefined;
  lines: LineInput[];
}
