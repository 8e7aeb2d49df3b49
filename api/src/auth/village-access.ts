// Who may act where: the actor a write service is given, the regions above a village (roles held over a town or
// district reach its villages), and the one check every write to a village's books starts with.
import { eq } from 'drizzle-orm';
import type { Db } from '@mingbai/db/client';
import { regions, villages } from '@mingbai/db/schema/regions';
import type { Context } from '../graphql/context.ts';
import { apiError } from '../errors.ts';
import type { RegionRow } from '../regions/region.sql.ts';
import type { VillageRow } from '../villages/village.sql.ts';
import { apiKeyRefusal, isApiKey, mayAct, type Viewer, type VillageAction } from './viewer.ts';

/** How a permission check finds villages and regions: the request's loaders in the API, plain queries at the CLI. */
export interface AccessLookups {
  villageBySlug(slug: string): Promise<VillageRow | undefined>;
  villageById(id: number): Promise<VillageRow | undefined>;
  regionById(id: number): Promise<RegionRow | undefined>;
}

/**
 * Who asks a write service to act: the signed-in person (null: nobody), whether the request presented an API key
 * (which only reads), and the lookups the permission checks need. Services take it with the database, never the
 * GraphQL context.
 */
export interface Actor {
  viewer: Viewer | null;
  apiKey: boolean;
  lookups: AccessLookups;
}

/** The actor of a GraphQL request: its viewer, and its loaders for the lookups (batched and cached per request). */
export function actorOf(ctx: Context): Actor {
  const { loaders } = ctx;
  return {
    viewer: ctx.viewer,
    apiKey: isApiKey(ctx.limits),
    lookups: {
      villageBySlug: (slug) => loaders.villageBySlug.load(slug),
      villageById: (id) => loaders.villageById.load(id),
      regionById: (id) => loaders.regionById.load(id),
    },
  };
}

/** The actor of the operator's CLI acting as `viewer`: the same checks, with lookups that are plain queries. */
export function actorAt(db: Db, viewer: Viewer): Actor {
  return {
    viewer,
    apiKey: false,
    lookups: {
      villageBySlug: async (slug) => (await db.select().from(villages).where(eq(villages.slug, slug)))[0],
      villageById: async (id) => (await db.select().from(villages).where(eq(villages.id, id)))[0],
      regionById: async (id) => (await db.select().from(regions).where(eq(regions.id, id)))[0],
    },
  };
}

/** The signed-in person behind the actor; refuses API keys and strangers. */
export function requireViewer(actor: Actor): Viewer {
  if (actor.apiKey) throw apiKeyRefusal();
  if (!actor.viewer) throw apiError('UNAUTHENTICATED', '请先登录');
  return actor.viewer;
}

/** The town, district and city above a village, for roles held over a region. */
export async function regionsOfVillage(actor: Actor, village: VillageRow): Promise<number[]> {
  const ids: number[] = [];
  let regionId: number | null = village.townId;
  while (regionId !== null) {
    ids.push(regionId);
    regionId = (await actor.lookups.regionById(regionId))?.parentId ?? null;
  }
  return ids;
}

/**
 * The village named by slug, once the actor is known to be allowed the action there. Unknown villages and
 * forbidden ones give different answers: village slugs are public anyway.
 */
export async function villageForAction(actor: Actor, slug: string, action: VillageAction): Promise<VillageRow> {
  const viewer = requireViewer(actor);
  const village = await actor.lookups.villageBySlug(slug);
  if (!village) throw apiError('NOT_FOUND', `没有网址名为“${slug}”的村`);
  if (!mayAct(viewer, action, village.id, await regionsOfVillage(actor, village))) {
    throw apiError('FORBIDDEN', `您在${village.name}没有${ACTION_LABELS[action]}的权限`, { action });
  }
  return village;
}

const ACTION_LABELS: Record<VillageAction, string> = {
  import: '上传账目',
  submit: '提交审核',
  withdraw: '撤回修改',
  publish: '公开',
  revise: '更正',
  comment: '评论',
  flag: '标记存疑凭证',
  approve: '审核（通过或退回）',
  answer: '答复红旗',
  review: '查看未公开账目',
  manage_users: '管理账号',
  answer_question: '答复村民提问',
  hide_question: '隐藏村民提问',
  read_questions: '查看村民提问原文',
  preview_attachments: '预览未公开的附件',
};
