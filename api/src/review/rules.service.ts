// The public red-flag rules of a place (current version and history) and their change by a district or town admin.
import { desc, eq, inArray } from 'drizzle-orm';
import type { Db } from '@mingbai/db/client';
import {
  beijingDate,
  BUILTIN_EFFECTIVE_FROM,
  BUILTIN_RULES_VERSION,
  DEFAULT_THRESHOLDS,
  parseThresholds,
  regionChain,
  rulesInForceForRegion,
  type Thresholds,
} from '@mingbai/db/ledger/red-flag-rules';
import { regions, villages } from '@mingbai/db/schema/regions';
import { setRuleSet } from '@mingbai/db/ledger/red-flags';
import { redFlagRuleSets } from '@mingbai/db/schema/supervision';
import { requireViewer, type Actor } from '../auth/village-access.ts';
import { mayActOnRegion } from '../auth/viewer.ts';
import { apiError } from '../errors.ts';

export interface RuleSetData {
  version: string;
  effectiveFrom: string;
  regionSlug: string | null;
  regionName: string | null;
  note: string | null;
  thresholds: Thresholds;
}

export interface RulesData {
  current: RuleSetData;
  history: RuleSetData[];
}

const BUILTIN: RuleSetData = {
  version: BUILTIN_RULES_VERSION,
  effectiveFrom: BUILTIN_EFFECTIVE_FROM,
  regionSlug: null,
  regionName: null,
  note: '明白账内置默认值 / built-in defaults',
  thresholds: DEFAULT_THRESHOLDS,
};

/** The region a slug names: a region's own, or a village's town (a village is judged by its town's rules). */
async function regionOfSlug(db: Db, slug: string): Promise<{ id: number; slug: string; level: string; name: string }> {
  const [region] = await db
    .select({ id: regions.id, slug: regions.slug, level: regions.level, name: regions.name })
    .from(regions)
    .where(eq(regions.slug, slug));
  if (region) return region;
  const [village] = await db
    .select({ id: regions.id, slug: regions.slug, level: regions.level, name: regions.name })
    .from(villages)
    .innerJoin(regions, eq(regions.id, villages.townId))
    .where(eq(villages.slug, slug));
  if (village) return village;
  throw apiError('NOT_FOUND', `没有网址名为“${slug}”的区划或村`);
}

/**
 * The rules in force today for a region or village, and every version of it and of the regions above it, newest
 * first, the built-in defaults last: what a villager needs to see how a month was judged.
 */
export async function redFlagRules(db: Db, slug: string): Promise<RulesData> {
  const region = await regionOfSlug(db, slug);
  const chain = await regionChain(db, region.id);
  const rows = await db
    .select({
      regionId: redFlagRuleSets.regionId,
      version: redFlagRuleSets.version,
      effectiveFrom: redFlagRuleSets.effectiveFrom,
      thresholds: redFlagRuleSets.thresholds,
      note: redFlagRuleSets.note,
      regionName: regions.name,
    })
    .from(redFlagRuleSets)
    .innerJoin(regions, eq(regions.id, redFlagRuleSets.regionId))
    .where(
      inArray(
        redFlagRuleSets.regionId,
        chain.map((r) => r.id),
      ),
    )
    .orderBy(desc(redFlagRuleSets.effectiveFrom), desc(redFlagRuleSets.id));
  const slugOf = new Map(chain.map((r) => [r.id, r.slug]));
  const history: RuleSetData[] = rows.map((r) => ({
    version: `${slugOf.get(r.regionId)}-v${r.version}`,
    effectiveFrom: r.effectiveFrom,
    regionSlug: slugOf.get(r.regionId) ?? null,
    regionName: r.regionName,
    note: r.note,
    thresholds: parseThresholds(r.thresholds),
  }));
  const inForce = await rulesInForceForRegion(db, region.id, beijingDate());
  const current = history.find((h) => h.version === inForce.version) ?? BUILTIN;
  return { current, history: [...history, BUILTIN] };
}

/** Every threshold named once; the values themselves are checked by the ledger (`parseThresholds`). */
export function thresholdRecord(list: readonly { name: string; value: string }[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { name, value } of list) {
    if (Object.hasOwn(out, name)) throw apiError('RULES_INVALID', `阈值 ${name} 出现了两次`, { threshold: name });
    out[name] = value;
  }
  return out;
}

/**
 * A district or town sets a new complete version of its thresholds, in force from `effectiveFrom` (a Beijing date).
 * It judges months published from then on; months already published keep the flags frozen with their version. Only
 * a township admin of that region or of a region above it may; a city sets none.
 */
export async function setRedFlagRules(
  db: Db,
  actor: Actor,
  input: { regionSlug: string; effectiveFrom: string; thresholds: { name: string; value: string }[]; note: string },
): Promise<RulesData> {
  const viewer = requireViewer(actor);
  const [region] = await db
    .select({ id: regions.id, level: regions.level, name: regions.name })
    .from(regions)
    .where(eq(regions.slug, input.regionSlug));
  if (!region) throw apiError('NOT_FOUND', `没有网址名为“${input.regionSlug}”的区或镇`);
  const chain = await regionChain(db, region.id);
  const allowed = mayActOnRegion(
    viewer,
    'set_rules',
    chain.map((r) => r.id),
  );
  if (!allowed) throw apiError('FORBIDDEN', `您在${region.name}没有调整红旗规则的权限`, { action: 'set_rules' });
  if (region.level === 'city') {
    throw apiError('RULES_INVALID', '红旗规则由区或镇（街道）制定，市一级不设', { threshold: null });
  }
  await setRuleSet(db, {
    regionId: region.id,
    effectiveFrom: input.effectiveFrom,
    thresholds: thresholdRecord(input.thresholds),
    note: input.note,
    actor: viewer.username,
  });
  return redFlagRules(db, input.regionSlug);
}
