import { RULES } from '@mingbai/db/ledger/red-flag-rules';
import { ruleAsJudged, type RedFlagRuleSet } from './review.type.ts';
import type { RuleSetData } from './rules.service.ts';

/** A version of the rules as GraphQL shows it: every rule with its thresholds written in. */
export function toRuleSet(set: RuleSetData): RedFlagRuleSet {
  return {
    version: set.version,
    effectiveFrom: set.effectiveFrom,
    regionSlug: set.regionSlug,
    regionName: set.regionName,
    note: set.note,
    rules: RULES.map((r) => ruleAsJudged(r.code, set.thresholds)),
  };
}
