/**
 * CSV as PostgreSQL's `COPY … (format csv)` writes it, so a file is the same bytes whichever engine made it:
 * RFC 4180 quoting, "\n" between rows, NULL as an empty cell and the empty string as "".
 * Formula neutralising happens in the SQL (export-sql.ts), before either writer sees a value.
 */
export function copyCsvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const s = String(value);
  if (s === '') return '""';
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function copyCsvRow(values: readonly unknown[]): string {
  return values.map(copyCsvCell).join(',') + '\n';
}

/** Excel on Chinese Windows reads UTF-8 only with it. */
export const UTF8_BOM = '\ufeff';
