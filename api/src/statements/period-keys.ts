/** A village's month: how every read of the statements and vouchers names a period. */
export interface MonthKey {
  villageId: number;
  year: number;
  month: number;
}

/** One revision of a month (1 when first published, +1 per correction). */
export interface RevisionKey extends MonthKey {
  revision: number;
}

// String forms for Maps and DataLoader caches: one spelling, so a key built by one module finds another's entry.
export const monthKey = (k: MonthKey): string => `${k.villageId}:${k.year}:${k.month}`;
export const revisionKey = (k: RevisionKey): string => `${monthKey(k)}:${k.revision}`;

/** A revision key as the SQL rows spell it. */
export interface RevisionDbKey {
  village_id: number;
  year: number;
  month: number;
  revision: number;
}

export const fromDbKey = (r: RevisionDbKey): RevisionKey => ({
  villageId: r.village_id,
  year: r.year,
  month: r.month,
  revision: r.revision,
});
