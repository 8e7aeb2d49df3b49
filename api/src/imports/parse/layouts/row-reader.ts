import type { Fen } from '@mingbai/db/ledger/money';
import type { CounterpartyInput } from '@mingbai/db/ledger/voucher-input';
import type { LineSide, PaymentMethod } from '@mingbai/db/schema/ledger';
import { parseAccountCell } from '../accounts.ts';
import { MAX_AMOUNT_FEN, parseAmountCell, type AmountCell } from '../amounts.ts';
import { cellText, halfWidth, type Cell, type TableRow } from '../cells.ts';
import { compactNumber, looksLikePerson, parseYesNo, settlementMethod } from '../counterparty.ts';
import { parseDateCell, type DateCell } from '../dates.ts';
import type { ColumnMap, Field } from '../headers.ts';
import { at, shown, type Problems } from '../problems.ts';
import type { ParseErrorCode } from '../types.ts';

/** Far more than any 摘要 or name; a longer cell is a broken or hostile file, not a ledger. */
const MAX_CELL_CHARS = 2000;

/** Reads the cells of one data row by field, and reports each bad cell with its row and column. */
export class RowReader {
  private tooLong: Set<Field> | undefined;

  constructor(
    readonly row: TableRow,
    private readonly columns: ColumnMap,
    private readonly problems: Problems,
  ) {}

  has(field: Field): boolean {
    return this.columns.has(field);
  }

  header(field: Field): string | null {
    return this.columns.get(field)?.header ?? null;
  }

  /** The cell under a field's column; null when the column is absent or the cell is empty. */
  cell(field: Field): Cell {
    const column = this.columns.get(field);
    if (!column) return null;
    let cell = this.row.cells[column.index] ?? null;
    if (typeof cell === 'string' && cell.length > MAX_CELL_CHARS) {
      this.tooLong ??= new Set();
      if (!this.tooLong.has(field)) {
        this.tooLong.add(field);
        this.report(field, 'TEXT_TOO_LONG', `内容有${cell.length}个字符，超过${MAX_CELL_CHARS}个字符的上限，请检查`);
      }
      // Cut by code point, so that no half of a surrogate pair is left; the row is rejected anyway.
      cell = [...cell.slice(0, MAX_CELL_CHARS + 1)].slice(0, MAX_CELL_CHARS - 1).join('');
    }
    return cellText(cell) === '' ? null : cell;
  }

  text(field: Field): string {
    return cellText(this.cell(field));
  }

  /** A problem in a field's cell; the message starts with the row and the column. */
  report(field: Field | null, code: ParseErrorCode, message: string): void {
    const column = field ? this.header(field) : null;
    this.problems.add(this.row.row, column, code, `${at(this.row.row, column)}${message}`);
  }

  /** A problem between two cells of the row, filed under the first; the message names both itself. */
  private reportPair(field: Field, code: ParseErrorCode, message: string): void {
    this.problems.add(this.row.row, this.header(field), code, `${at(this.row.row, null)}${message}`);
  }

  /** The date in a field; a bad date is reported, a blank one is left to the voucher (it may continue the one above). */
  date(field: Field = 'date'): DateCell {
    const date = parseDateCell(this.cell(field));
    if (date.kind === 'invalid') this.report(field, 'DATE_INVALID', `${shown(this.text(field))}${date.reason}`);
    return date;
  }

  /** The account code (and name) of the line; reports a blank or malformed code. */
  account(codeField: Field = 'account', nameField: Field = 'accountName'): { code: string; name?: string } | null {
    const parsed = parseAccountCell(this.cell(codeField));
    if (parsed.kind === 'blank') {
      this.report(codeField, 'ACCOUNT_INVALID', '缺少科目编码');
      return null;
    }
    if (parsed.kind === 'invalid') {
      this.report(codeField, 'ACCOUNT_INVALID', `${shown(this.text(codeField))}${parsed.reason}`);
      return null;
    }
    const name = this.text(nameField) || parsed.name;
    return name ? { code: parsed.code, name } : { code: parsed.code };
  }

  private amount(field: Field): AmountCell {
    const amount = parseAmountCell(this.cell(field));
    if (amount.kind === 'invalid') this.report(field, 'AMOUNT_INVALID', `${shown(this.text(field))}${amount.reason}`);
    return amount;
  }

  /** A line amount must be positive and below the ceiling. */
  private positive(field: Field, fen: Fen): Fen | null {
    if (fen === 0n) {
      this.report(field, 'AMOUNT_NOT_POSITIVE', '金额为0；每条分录的金额都必须大于0');
      return null;
    }
    if (fen < 0n) {
      this.report(
        field,
        'AMOUNT_NOT_POSITIVE',
        `${shown(this.text(field))}是负数；分录金额必须是正数，红字冲销请改用相反方向的正数金额`,
      );
      return null;
    }
    if (fen > MAX_AMOUNT_FEN) {
      this.report(field, 'AMOUNT_TOO_LARGE', `${shown(this.text(field))}超过10万亿元，不是有效金额，请检查`);
      return null;
    }
    return fen;
  }

  /** One amount column that must be filled (金蝶 FAMOUNT). */
  single(field: Field): Fen | null {
    const amount = this.amount(field);
    if (amount.kind === 'invalid') return null;
    if (amount.kind === 'empty') {
      this.report(field, 'AMOUNT_INVALID', '缺少金额');
      return null;
    }
    return this.positive(field, amount.fen);
  }

  /**
   * Exactly one of two amount columns (借方/贷方, 收入/支出). Exports from U8 and KIS write 0 on the unused side, so a
   * zero beside an amount counts as empty.
   */
  oneOf(a: Field, b: Field): { which: 'a' | 'b'; fen: Fen } | null {
    const first = this.amount(a);
    const second = this.amount(b);
    if (first.kind === 'invalid' || second.kind === 'invalid') return null;
    const names = `“${this.header(a)}”和“${this.header(b)}”`;
    if (first.kind === 'empty' && second.kind === 'empty') {
      this.reportPair(a, 'AMOUNT_INVALID', `${names}都没有金额`);
      return null;
    }
    if (first.kind === 'amount' && second.kind === 'amount') {
      if (first.fen === 0n && second.fen !== 0n) return this.pick('b', b, second.fen);
      if (second.fen === 0n && first.fen !== 0n) return this.pick('a', a, first.fen);
      if (first.fen !== 0n) {
        this.reportPair(a, 'AMOUNT_BOTH_SIDES', `${names}都填了金额，一行只能填其中一个`);
        return null;
      }
    }
    return first.kind === 'amount' ? this.pick('a', a, first.fen) : this.pick('b', b, (second as { fen: Fen }).fen);
  }

  private pick(which: 'a' | 'b', field: Field, fen: Fen): { which: 'a' | 'b'; fen: Fen } | null {
    const checked = this.positive(field, fen);
    return checked === null ? null : { which, fen: checked };
  }

  /** 借贷方向 of 金蝶 FDC: 1 is debit, 0 or -1 credit; 借/贷 are read too. */
  direction(field: Field): LineSide | null {
    const text = halfWidth(this.text(field)).toLowerCase();
    if (['1', '1.0', '借', 'd', 'dr', 'debit'].includes(text)) return 'debit';
    if (['0', '-1', '0.0', '-1.0', '贷', 'c', 'cr', 'credit'].includes(text)) return 'credit';
    this.report(
      field,
      'AMOUNT_INVALID',
      text === '' ? '缺少借贷方向（1为借方，0或-1为贷方）' : `${shown(text)}不是借贷方向：1为借方，0或-1为贷方`,
    );
    return null;
  }

  /** The payee or payer, with the person flag from 是否个人 or, without it, guessed from the name. */
  counterparty(): CounterpartyInput | undefined {
    const name = this.text('counterparty');
    if (!name) return undefined;
    const isPerson = parseYesNo(this.text('isPerson')) ?? looksLikePerson(name);
    const cp: CounterpartyInput = { name, isPerson };
    const idNumber = compactNumber(this.text('idNumber'));
    const phone = compactNumber(this.text('phone'));
    const bankAccount = compactNumber(this.text('bankAccount'));
    if (idNumber) cp.idNumber = idNumber;
    if (phone) cp.phone = phone;
    if (bankAccount) cp.bankAccount = bankAccount;
    return cp;
  }

  settlement(): PaymentMethod | undefined {
    return settlementMethod(this.text('settlement'));
  }

  /** 附件数: a whole number (“3张” reads as 3); anything else counts as 0, it is not worth rejecting a ledger over. */
  attachments(): number | undefined {
    const cell = this.cell('attachments');
    if (cell === null) return undefined;
    const m = /^(\d{1,4})(?:\.0+)?\s*[张份页]?$/.exec(halfWidth(cellText(cell)));
    return m ? Number(m[1]) : 0;
  }

  /** A name field (制单人, 审核人, 审批人, 经办人). */
  name(field: Field): string | undefined {
    return this.text(field) || undefined;
  }
}
