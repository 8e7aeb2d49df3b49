import { Kind, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';

/**
 * Fields of `MonthlyStatement` answered from the month's published revisions alone (`publishedRevisions`, one small
 * statement) or by another domain's own loader (`lines`: vouchers/). Any other field (the figures, byCategory,
 * reconciliation, previous month, year to date, changes, …) reads rollups, and is cheapest read by the bundle.
 */
const WITHOUT_BUNDLE = new Set([
  '__typename',
  'id',
  'year',
  'month',
  'revision',
  'isCurrent',
  'standard',
  'publishedAt',
  'reason',
  'digest',
  'previousDigest',
  'voucherCount',
  'lineCount',
  'revisions',
  'revisionsConnection',
  'village',
  'lines',
]);

/**
 * Whether the statement's selection asks for anything beyond `WITHOUT_BUNDLE`: then one bundle statement reads the
 * whole month (statementBundle); else the month's revisions alone. Fragments are followed; `@skip`/`@include` are not
 * evaluated (a field that may be asked counts as asked), so an answer never depends on this guess, only its cost.
 */
export function needsBundle(info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>): boolean {
  const seen = new Set<string>();
  const wants = (set: SelectionSetNode | undefined): boolean => {
    if (!set) return false;
    for (const s of set.selections) {
      if (s.kind === Kind.FIELD) {
        if (!WITHOUT_BUNDLE.has(s.name.value)) return true;
      } else if (s.kind === Kind.INLINE_FRAGMENT) {
        if (wants(s.selectionSet)) return true;
      } else {
        const name = s.name.value;
        if (seen.has(name)) continue;
        seen.add(name);
        if (wants(info.fragments[name]?.selectionSet)) return true;
      }
    }
    return false;
  };
  return info.fieldNodes.some((n) => wants(n.selectionSet));
}

/** Whether a field of one of `names` is asked anywhere under the field (fragments followed; a guess, like above). */
export function asksAnywhere(info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>, names: Set<string>): boolean {
  const seen = new Set<string>();
  const wants = (set: SelectionSetNode | undefined): boolean => {
    if (!set) return false;
    for (const s of set.selections) {
      if (s.kind === Kind.FIELD) {
        if (names.has(s.name.value) || wants(s.selectionSet)) return true;
      } else if (s.kind === Kind.INLINE_FRAGMENT) {
        if (wants(s.selectionSet)) return true;
      } else if (!seen.has(s.name.value)) {
        seen.add(s.name.value);
        if (wants(info.fragments[s.name.value]?.selectionSet)) return true;
      }
    }
    return false;
  };
  return info.fieldNodes.some((n) => wants(n.selectionSet));
}

/** The headline figures, which the `sums` loader reads unless the statement has them otherwise. */
export const FIGURES = new Set(['openingBalance', 'closingBalance', 'income', 'spending']);

/** Fields of a statement that read every account's rollups: with one of them asked, the figures come from those too. */
export const READS_ROLLUPS = new Set(['byCategory', 'reconciliation', 'reconciled', 'previousMonth']);
