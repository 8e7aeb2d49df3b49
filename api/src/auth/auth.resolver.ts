import { Arg, Ctx, Field, Mutation, ObjectType, Query, Resolver } from 'type-graphql';
import type { Context } from '../graphql/context.ts';
import { authenticate, login, logout, pendingRolesOf } from './auth.service.ts';
import { refuseApiKey, requestSource, type Viewer } from './viewer.ts';

@ObjectType({ description: '角色及其范围 / A role and where it applies.' })
export class RoleAssignment {
  @Field(() => String, {
    description: 'accountant 报账员 · director 村主任/书记 · supervisor 监督员 · township_admin 镇街管理员',
  })
  role!: string;

  @Field(() => String, { nullable: true, description: '村的网址名 / Village slug, for village roles.' })
  villageSlug!: string | null;

  @Field(() => String, { nullable: true, description: '区划网址名 / Region slug, for township admins.' })
  regionSlug!: string | null;
}

@ObjectType({ description: '当前登录的用户 / The signed-in user.' })
export class Me {
  @Field(() => String)
  username!: string;

  @Field(() => String)
  displayName!: string;

  @Field(() => [RoleAssignment])
  roles!: RoleAssignment[];

  @Field(() => [RoleAssignment], {
    description:
      '已授予、尚待第二位管理员确认的角色：确认前不生效 / Roles granted but waiting for a second admin; no power until then.',
  })
  pendingRoles!: RoleAssignment[];
}

@ObjectType()
export class LoginResult {
  @Field(() => String, { description: '会话令牌：放在 Authorization: Bearer 头中 / Bearer token.' })
  token!: string;

  @Field(() => Date)
  expiresAt!: Date;

  @Field(() => Me)
  me!: Me;
}

async function meOf(ctx: Context, viewer: Viewer): Promise<Me> {
  const assignment = async (r: Viewer['roles'][number]) => ({
    role: r.role,
    villageSlug: r.villageId === null ? null : ((await ctx.loaders.villageById.load(r.villageId))?.slug ?? null),
    regionSlug: r.regionId === null ? null : ((await ctx.loaders.regionById.load(r.regionId))?.slug ?? null),
  });
  const roles = await Promise.all(viewer.roles.map(assignment));
  const pendingRoles = await Promise.all((await pendingRolesOf(ctx.db, viewer.userId)).map(assignment));
  return { username: viewer.username, displayName: viewer.displayName, roles, pendingRoles };
}

@Resolver()
export class AuthResolver {
  @Query(() => Me, { nullable: true, description: '当前登录用户；未登录为空 / The signed-in user, or null.' })
  async me(@Ctx() ctx: Context): Promise<Me | null> {
    return ctx.viewer ? meOf(ctx, ctx.viewer) : null;
  }

  @Mutation(() => LoginResult, { description: '登录，取得令牌 / Sign in and get a bearer token.' })
  async login(
    @Arg('username', () => String) username: string,
    @Arg('password', () => String) password: string,
    @Ctx() ctx: Context,
  ): Promise<LoginResult> {
    refuseApiKey(ctx.limits);
    const session = await login(ctx.db, {
      username,
      password,
      source: requestSource(ctx.limits),
      throttle: ctx.settings.loginThrottle,
    });
    const viewer = (await authenticate(ctx.db, session.token))!;
    return { token: session.token, expiresAt: session.expiresAt, me: await meOf(ctx, viewer) };
  }

  @Mutation(() => Boolean, { description: '退出登录，令牌作废 / Sign out: the token stops working.' })
  async logout(@Arg('token', () => String) token: string, @Ctx() ctx: Context): Promise<boolean> {
    refuseApiKey(ctx.limits);
    await logout(ctx.db, token);
    return true;
  }
}
