import { Arg, Ctx, Field, Int, Mutation, ObjectType, Query, Resolver } from 'type-graphql';
import { actorOf, requireViewer } from './village-access.ts';
import type { Context } from '../graphql/context.ts';
import { apiError } from '../errors.ts';
import { auditFailedSignIn, setPassword, verifyCredentials } from './auth.service.ts';
import { throttleFor } from './login-throttle.ts';
import {
  confirmGrant,
  createVillageUser,
  disableUser,
  endSession,
  pendingGrants,
  refuseGrant,
  removeRole,
  resetVillageUserPassword,
  userSessions,
  type GrantRow,
} from './user-admin.service.ts';
import { requestSource } from './viewer.ts';

@ObjectType({ description: '一项角色授权 / A role granted to a user in a village.' })
export class RoleGrant {
  @Field(() => Int)
  id!: number;

  @Field(() => String)
  username!: string;

  @Field(() => String)
  displayName!: string;

  @Field(() => String, { description: 'accountant 报账员 · director 村主任/书记' })
  role!: string;

  @Field(() => String)
  villageSlug!: string;

  @Field(() => String)
  villageName!: string;

  @Field(() => String, { description: '授权人 / Who granted it.' })
  grantedBy!: string;

  @Field(() => Date)
  grantedAt!: Date;

  @Field(() => Boolean, { description: '已由第二位管理员确认 / Confirmed by a second admin.' })
  confirmed!: boolean;

  @Field(() => Boolean, {
    description: '当前用户能否确认（授权人和被授权人不能）/ Whether the viewer may confirm it.',
  })
  mayConfirm!: boolean;
}

@ObjectType({ description: '会话或 API 令牌（不含令牌本身）/ A session or API token, without its secret.' })
export class UserSession {
  @Field(() => Int)
  id!: number;

  @Field(() => String, { description: 'session 网页会话 · api_token API 令牌' })
  kind!: string;

  @Field(() => String, { nullable: true })
  label!: string | null;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date)
  expiresAt!: Date;
}

function grantOf(ctx: Context, row: GrantRow): RoleGrant {
  const viewer = ctx.viewer!;
  return {
    ...row,
    confirmed: row.confirmedAt !== null,
    mayConfirm: row.confirmedAt === null && row.grantedBy !== viewer.username && row.username !== viewer.username,
  };
}

/** Township admins manage the committee accounts of the villages in their towns. */
@Resolver()
export class UsersResolver {
  @Mutation(() => Boolean, {
    description:
      '为本镇的村创建村委会或监督员账号（镇街管理员）；报账员、村主任须另一位管理员确认后才生效 / Create a committee account; an accountant or director role works only once a second admin confirms it.',
  })
  async createVillageUser(
    @Arg('villageSlug', () => String) villageSlug: string,
    @Arg('username', () => String) username: string,
    @Arg('displayName', () => String) displayName: string,
    @Arg('password', () => String) password: string,
    @Arg('role', () => String, { description: 'accountant · director · supervisor' }) role: string,
    @Ctx() ctx: Context,
  ): Promise<boolean> {
    await createVillageUser(ctx.db, actorOf(ctx), { villageSlug, username, displayName, password, role });
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
    await resetVillageUserPassword(ctx.db, actorOf(ctx), username, password);
    return true;
  }

  @Query(() => [RoleGrant], {
    description:
      '本人管理的村里等待第二位管理员确认的授权（镇街管理员）/ Grants waiting for a second admin, in villages you manage.',
  })
  async pendingRoleGrants(@Ctx() ctx: Context): Promise<RoleGrant[]> {
    return (await pendingGrants(ctx.db, actorOf(ctx))).map((row) => grantOf(ctx, row));
  }

  @Mutation(() => RoleGrant, {
    description:
      '确认另一位管理员的授权，授权随即生效；授权人和被授权人不能确认 / Confirm a grant made by another admin.',
  })
  async confirmRoleGrant(@Arg('id', () => Int) id: number, @Ctx() ctx: Context): Promise<RoleGrant> {
    return grantOf(ctx, await confirmGrant(ctx.db, actorOf(ctx), id));
  }

  @Mutation(() => Boolean, { description: '拒绝（或撤回）一项待确认的授权 / Refuse or withdraw a pending grant.' })
  async refuseRoleGrant(
    @Arg('id', () => Int) id: number,
    @Arg('reason', () => String, { nullable: true }) reason: string | null,
    @Ctx() ctx: Context,
  ): Promise<boolean> {
    await refuseGrant(ctx.db, actorOf(ctx), id, reason ?? undefined);
    return true;
  }

  @Mutation(() => Boolean, { description: '收回某人在本镇某村的一个角色 / Remove a user’s role in a village.' })
  async removeVillageRole(
    @Arg('username', () => String) username: string,
    @Arg('villageSlug', () => String) villageSlug: string,
    @Arg('role', () => String) role: string,
    @Ctx() ctx: Context,
  ): Promise<boolean> {
    await removeRole(ctx.db, actorOf(ctx), { username, villageSlug, role });
    return true;
  }

  @Mutation(() => Boolean, {
    description: '停用本镇村委会成员的账号，其所有会话和令牌随即失效 / Disable an account and end its sessions.',
  })
  async disableVillageUser(
    @Arg('username', () => String) username: string,
    @Arg('reason', () => String, { nullable: true }) reason: string | null,
    @Ctx() ctx: Context,
  ): Promise<boolean> {
    await disableUser(ctx.db, actorOf(ctx), username, reason ?? undefined);
    return true;
  }

  @Query(() => [UserSession], {
    description: '本镇村委会成员的有效会话和 API 令牌 / Live sessions and API tokens of an account you manage.',
  })
  async villageUserSessions(@Arg('username', () => String) username: string, @Ctx() ctx: Context) {
    return userSessions(ctx.db, actorOf(ctx), username);
  }

  @Mutation(() => Boolean, {
    description: '结束一个会话或 API 令牌（本人或其管理员）/ End one session or API token.',
  })
  async endUserSession(@Arg('id', () => Int) id: number, @Ctx() ctx: Context): Promise<boolean> {
    await endSession(ctx.db, actorOf(ctx), id);
    return true;
  }

  @Mutation(() => Boolean, { description: '修改自己的密码，其他会话随即失效 / Change your own password.' })
  async changePassword(
    @Arg('currentPassword', () => String) currentPassword: string,
    @Arg('newPassword', () => String) newPassword: string,
    @Ctx() ctx: Context,
  ): Promise<boolean> {
    const viewer = requireViewer(actorOf(ctx));
    // Guessing the current password from a stolen session is throttled like signing in.
    const source = requestSource(ctx.limits);
    const throttle = throttleFor(ctx.settings.loginThrottle, source);
    await throttle?.check(viewer.username, source);
    if (!(await verifyCredentials(ctx.db, viewer.username, currentPassword))) {
      await throttle?.failed(viewer.username, source);
      await auditFailedSignIn(ctx.db, viewer.username, source);
      throw apiError('LOGIN_FAILED', '当前密码不正确');
    }
    await setPassword(ctx.db, viewer.username, newPassword, viewer.username);
    return true;
  }
}
