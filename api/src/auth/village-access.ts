// Who may act where: the signed-in viewer, the regions above a village (roles held over a town or district reach
// its villages), and the one check every write to a village's books starts with.
import type { Context } from '../graphql/context.ts';
import { apiError } from '../errors.ts';
import type { VillageRow } from '../villages/village.sql.ts';
import { mayAct, refuseApiKey, type Viewer, type VillageAction } from './viewer.ts';

export function requireViewer(ctx: Context): Viewer {
  refuseApiKey(ctx.limits);
  if (!ctx.viewer) throw apiError('UNAUTHENTICATED', '请先登录');
  return ctx.viewer;
}

/** The town, district and city above a village, for roles held over a region. */
export async function regionsOfVillage(ctx: Context, village: VillageRow): Promise<number[]> {
  const ids: number[] = [];
  let regionId: number | null = village.townId;
  while (regionId !== null) {
    ids.push(regionId);
    regionId = (await ctx.loaders.regionById.load(regionId))?.parentId ?? null;
  }
  return ids;
}

/**
 * The village named by slug, once the viewer is known to be allowed the action there. Unknown villages and
 * forbidden ones give different answers: village slugs are public anyway.
 */
export async function villageForAction(ctx: Context, slug: string, action: VillageAction): Promise<VillageRow> {
  const viewer = requireViewer(ctx);
  const village = await ctx.loaders.villageBySlug.load(slug);
  if (!village) throw apiError('NOT_FOUND', `没有网址名为“${slug}”的村`);
  if (!mayAct(viewer, action, village.id, await regionsOfVillage(ctx, village))) {
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
  review: '查看未公开账目',
  manage_users: '管理账号',
};
