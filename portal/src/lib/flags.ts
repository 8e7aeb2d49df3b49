import type { RedFlagFieldsFragment } from './generated/graphql';

/** A red flag on a month: raised by a public rule (source RULE) or by a supervisor (SUPERVISOR). */
export type Flag = RedFlagFieldsFragment;

/** The flags of each voucher, by voucher number; flags on the whole month (no voucher) are left out. */
export function flagsByVoucher(flags: readonly Flag[]): Map<number, Flag[]> {
  const map = new Map<number, Flag[]>();
  for (const flag of flags) {
    if (flag.voucherNumber === null) continue;
    const list = map.get(flag.voucherNumber) ?? [];
    list.push(flag);
    map.set(flag.voucherNumber, list);
  }
  return map;
}

/**
 * Where a flag's rule is explained: the rules in force for the village (its own region's version), at the rule.
 * A supervisor's flag points at the paragraph on supervisors' doubts.
 */
export function ruleHref(villageSlug: string, flag: Pick<Flag, 'source' | 'rule'>): string {
  const anchor = flag.source === 'SUPERVISOR' ? 'SUPERVISOR' : flag.rule.code;
  return `/rules?region=${encodeURIComponent(villageSlug)}#${encodeURIComponent(anchor)}`;
}

/** The anchor of a flag on a page, so that a voucher row's marker can link to it. */
export function flagAnchor(flag: Pick<Flag, 'key'>): string {
  return `flag-${flag.key.replace(/[^A-Za-z0-9_-]/g, '-')}`;
}

/** A supervisor's review decision (APPROVED or RETURNED) in words. */
export function decisionText(decision: string): string {
  const d = decision.toUpperCase();
  return d === 'APPROVED' ? '审核通过' : d === 'RETURNED' ? '退回修改' : decision;
}

export function isReturned(decision: string | undefined): boolean {
  return decision?.toUpperCase() === 'RETURNED';
}
