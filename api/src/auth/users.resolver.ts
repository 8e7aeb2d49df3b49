import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import { USER_ROLES, type UserRole } from '@mingbai/db/schema/users';
import { requireViewer, villageForAction } from '../committee/committee.service.ts';
import type { Context } from '../graphql/context.ts';
import { apiError, badInput } from '../errors.ts';
import { createUser, setPassword, verifyCredentials, viewerByUsername } from './auth.service.ts';
import { loginThrottle } from './login-throttle.ts';
import { requestSource } from './viewer.ts';

/** Township admins manage the committee accounts of the villages in their towns. */
@Resolver()
export class UsersResolver {
  @Mutation(() => Boolean, {
    description: '为本镇的村创建村委会或监督员账号（镇街管理员）/ Create a committee account for a village.',
  })
  async createVillageUser(
    @Arg('villageSlug', () => String) villageSlug: string,
    @Arg('username', () => String) username: string,
    @Arg('displayName', () => String) displayName: string,
    @Arg('password', () => String) password: string,
    @Arg('role', () => String, { description: 'accountant · director · supervisor' }) role: string,
    @Ctx() ctx: Context,
  ): Promise<boolean> {
    await villageForAction(ctx, villageSlug, 'manage_users');
    const admin = requireViewer(ctx);
    if (!(USER_ROLES as readonly string[]).includes(role) || role === 'township_admin') {
      throw badInput('角色应为 accountant、director 或 supervisor', 'role');
    }
    await createUser(ctx.db, {
      username,
      displayName,
      password,
      grants: [{ role: role as UserRole, scope: villageSlug }],
      actor: admin.username,
    });
    return true;
  }

  @Mutation(() => Boolean, {
    description: '重设本镇村委会成员的密码，其所有会话随即失效 / Reset a committee member’s password.',
  })
  async resetVillageUserPassword(
    @Arg('username', () => String) username: string,
    @Arg('password', () => String) password: string,
    @Ctx() ctx: Context,
  ): Promise<boolean> {
    const admin = requireViewer(ctx);
    const user = await viewerByUsername(ctx.db, username);
    const villageIds = user?.roles.flatMap((r) => (r.villageId === null ? [] : [r.villageId])) ?? [];
    // The admin must manage every village the user works in; an unknown user gets the same answer.
    const villages = await Promise.all(villageIds.map((id) => ctx.loaders.villageById.load(id)));
    // A township admin's own account (or any account holding a region role) is the operator's to reset, so an admin
    // can never take over a wider account through a village role it also holds.
    const holdsRegionRole = user?.roles.some((r) => r.regionId !== null) ?? false;
    if (!user || villages.length === 0 || holdsRegionRole || user.userId === admin.userId) {
      throw apiError('FORBIDDEN', '您不能管理这个账号');
    }
    for (const village of villages) await villageForAction(ctx, village!.slug, 'manage_users');
    await setPassword(ctx.db, username, password, admin.username);
    return true;
  }

  @Mutation(() => Boolean, { description: '修改自己的密码，其他会话随即失效 / Change your own password.' })
  async changePassword(
    @Arg('currentPassword', () => String) currentPassword: string,
    @Arg('newPassword', () => String) newPassword: string,
    @Ctx() ctx: Context,
  ): Promise<boolean> {
    const viewer = requireViewer(ctx);
    // Guessing the current password from a stolen session is throttled like signing in.
    const source = requestSource(ctx.limits);
    await loginThrottle.check(viewer.username, source);
    if (!(await verifyCredentials(ctx.db, viewer.username, currentPassword))) {
      await loginThrottle.failed(viewer.username, source);
      throw apiError('LOGIN_FAILED', '当前密码不正确');
    }
    await setPassword(ctx.db, viewer.username, newPassword, viewer.username);
    return true;
  }
}
