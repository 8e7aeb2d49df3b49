import { and, asc, eq, gt, isNull } from 'drizzle-orm';
import { appendSystemAudit } from '@mingbai/db/ledger/audit';
import { sessions, USER_ROLES, userRoles, users, type UserRole } from '@mingbai/db/schema/users';
import type { Db } from '@mingbai/db/client';
import { regionsOfVillage, requireViewer, villageForAction, type Actor } from './village-access.ts';
import { apiError, badInput } from '../errors.ts';
import { createUser, setPassword } from './auth.service.ts';
import { mayAct } from './viewer.ts';

/**
 * What township admins do to the accounts of the villages they manage: confirm or refuse a role another admin
 * granted, remove a role, disable an account, end one session or API token. Every change is written to
 * system_audit_log with the admin as actor. An admin never manages themselves or an account that holds a region
 * role (that is the operator's), so no admin can take over a wider account.
 */

export interface GrantRow {
  id: number;
  username: string;
  displayName: string;
  role: UserRole;
  villageId: number;
  villageSlug: string;
  villageName: string;
  grantedBy: string;
  grantedAt: Date;
  confirmedAt: Date | null;
}

/** Whether the signed-in admin manages the village (a township admin over its town, district or city). */
async function managesVillage(actor: Actor, villageId: number): Promise<boolean> {
  const village = await actor.lookups.villageById(villageId);
  return (
    village !== undefined &&
    mayAct(requireViewer(actor), 'manage_users', village.id, await regionsOfVillage(actor, village))
  );
}

/**
 * A committee or supervisor account for a village the admin manages. An accountant or director role waits for a
 * second admin's confirmation (createUser).
 */
export async function createVillageUser(
  db: Db,
  actor: Actor,
  input: { villageSlug: string; username: string; displayName: string; password: string; role: string },
): Promise<void> {
  await villageForAction(actor, input.villageSlug, 'manage_users');
  const admin = requireViewer(actor);
  if (!(USER_ROLES as readonly string[]).includes(input.role) || input.role === 'township_admin') {
    throw badInput('角色应为 accountant、director 或 supervisor', 'role');
  }
  await createUser(db, {
    username: input.username,
    displayName: input.displayName,
    password: input.password,
    grants: [{ role: input.role as UserRole, scope: input.villageSlug }],
    actor: admin.username,
  });
}

/**
 * A new password for an account the admin manages. The admin must manage every village the user works in (pending
 * roles too); an unknown user gets the same answer. A township admin's own account (or any account holding a region
 * role) is the operator's to reset, so an admin can never take over a wider account through a village role it also
 * holds.
 */
export async function resetVillageUserPassword(
  db: Db,
  actor: Actor,
  username: string,
  password: string,
): Promise<void> {
  const admin = requireViewer(actor);
  await managedUser(db, actor, username);
  await setPassword(db, username, password, admin.username);
}

function forbidden(): never {
  throw apiError('FORBIDDEN', '您不能管理这个账号');
}

/**
 * The account, once the admin is known to manage every village it holds a role in (pending or confirmed). An unknown
 * user gets the same answer as a forbidden one.
 */
export async function managedUser(db: Db, actor: Actor, username: string): Promise<{ id: number; username: string }> {
  const admin = requireViewer(actor);
  const [user] = await db
    .select({ id: users.id, username: users.username })
    .from(users)
    .where(eq(users.username, username.trim().toLowerCase()));
  if (!user || user.id === admin.userId) forbidden();
  const roles = await db
    .select({ villageId: userRoles.villageId, regionId: userRoles.regionId })
    .from(userRoles)
    .where(eq(userRoles.userId, user.id));
  if (roles.length === 0 || roles.some((r) => r.regionId !== null)) forbidden();
  for (const r of roles) if (!(await managesVillage(actor, r.villageId!))) forbidden();
  return user;
}

async function grantRows(db: Db, actor: Actor, where: ReturnType<typeof and>): Promise<GrantRow[]> {
  const rows = await db
    .select({
      id: userRoles.id,
      username: users.username,
      displayName: users.displayName,
      role: userRoles.role,
      villageId: userRoles.villageId,
      grantedBy: userRoles.grantedBy,
      grantedAt: userRoles.grantedAt,
      confirmedAt: userRoles.confirmedAt,
    })
    .from(userRoles)
    .innerJoin(users, eq(users.id, userRoles.userId))
    .where(where)
    .orderBy(asc(userRoles.id));
  const out: GrantRow[] = [];
  for (const r of rows) {
    if (r.villageId === null) continue;
    const village = await actor.lookups.villageById(r.villageId);
    if (!village) continue;
    out.push({ ...r, villageId: r.villageId, villageSlug: village.slug, villageName: village.name });
  }
  return out;
}

/** Grants waiting for a second admin in the villages this admin manages, oldest first. */
export async function pendingGrants(db: Db, actor: Actor): Promise<GrantRow[]> {
  const admin = requireViewer(actor);
  if (!admin.roles.some((r) => r.role === 'township_admin')) {
    throw apiError('FORBIDDEN', '只有镇街管理员可以查看待确认的授权');
  }
  const rows = await grantRows(db, actor, and(isNull(userRoles.confirmedAt)));
  const mine: GrantRow[] = [];
  for (const row of rows) if (await managesVillage(actor, row.villageId)) mine.push(row);
  return mine;
}

/** A pending grant in a village the admin manages; NOT_FOUND otherwise, FORBIDDEN when it is not theirs to judge. */
async function pendingGrant(db: Db, actor: Actor, id: number): Promise<GrantRow> {
  const [row] = await grantRows(db, actor, and(eq(userRoles.id, id), isNull(userRoles.confirmedAt)));
  if (!row) throw apiError('NOT_FOUND', `没有编号为 ${id} 的待确认授权`);
  if (!(await managesVillage(actor, row.villageId))) {
    throw apiError('FORBIDDEN', `您不管理${row.villageName}，不能确认或拒绝这项授权`);
  }
  return row;
}

/**
 * The second person's yes: the grant starts to give power. The admin who granted it, and the person it is granted
 * to, cannot confirm it (SECOND_ADMIN_REQUIRED).
 */
export async function confirmGrant(db: Db, actor: Actor, id: number): Promise<GrantRow> {
  const admin = requireViewer(actor);
  const grant = await pendingGrant(db, actor, id);
  if (grant.grantedBy === admin.username || grant.username === admin.username) {
    throw apiError('SECOND_ADMIN_REQUIRED', '这项授权须由另一位管理员确认：授权人和被授权人都不能确认', {
      grantedBy: grant.grantedBy,
    });
  }
  const confirmedAt = new Date();
  await db.transaction(async (tx) => {
    const updated = await tx
      .update(userRoles)
      .set({ confirmedBy: admin.username, confirmedAt })
      .where(and(eq(userRoles.id, id), isNull(userRoles.confirmedAt)))
      .returning({ id: userRoles.id });
    if (updated.length === 0) throw apiError('NOT_FOUND', `没有编号为 ${id} 的待确认授权`);
    await appendSystemAudit(tx, {
      actor: admin.username,
      action: 'role.confirm',
      entity: 'user',
      entityKey: grant.username,
      details: { grantId: id, role: grant.role, village: grant.villageSlug, grantedBy: grant.grantedBy },
    });
  });
  return { ...grant, confirmedAt };
}

/** The second person's no (or the granter withdrawing it): the grant is removed, and the refusal audited. */
export async function refuseGrant(db: Db, actor: Actor, id: number, reason: string | undefined): Promise<void> {
  const admin = requireViewer(actor);
  const grant = await pendingGrant(db, actor, id);
  await db.transaction(async (tx) => {
    const deleted = await tx
      .delete(userRoles)
      .where(and(eq(userRoles.id, id), isNull(userRoles.confirmedAt)))
      .returning({ id: userRoles.id });
    if (deleted.length === 0) throw apiError('NOT_FOUND', `没有编号为 ${id} 的待确认授权`);
    await appendSystemAudit(tx, {
      actor: admin.username,
      action: 'role.refuse',
      entity: 'user',
      entityKey: grant.username,
      details: {
        grantId: id,
        role: grant.role,
        village: grant.villageSlug,
        grantedBy: grant.grantedBy,
        ...(reason?.trim() ? { reason: reason.trim().slice(0, 1000) } : {}),
      },
    });
  });
}

/** Takes one village role away from a user, confirmed or pending; it stops working at the user's next request. */
export async function removeRole(db: Db, actor: Actor, input: { username: string; villageSlug: string; role: string }) {
  const admin = requireViewer(actor);
  const village = await actor.lookups.villageBySlug(input.villageSlug);
  if (!village) throw apiError('NOT_FOUND', `没有网址名为“${input.villageSlug}”的村`);
  if (!(await managesVillage(actor, village.id))) forbidden();
  const [user] = await db
    .select({ id: users.id, username: users.username })
    .from(users)
    .where(eq(users.username, input.username.trim().toLowerCase()));
  if (!user || user.id === admin.userId) forbidden();
  await db.transaction(async (tx) => {
    const removed = await tx
      .delete(userRoles)
      .where(
        and(
          eq(userRoles.userId, user.id),
          eq(userRoles.villageId, village.id),
          eq(userRoles.role, input.role as UserRole),
        ),
      )
      .returning({ id: userRoles.id, confirmedAt: userRoles.confirmedAt });
    if (removed.length === 0) throw apiError('NOT_FOUND', `${user.username}在${village.name}没有这个角色`);
    await appendSystemAudit(tx, {
      actor: admin.username,
      action: 'role.remove',
      entity: 'user',
      entityKey: user.username,
      details: { role: input.role, village: village.slug, wasConfirmed: removed[0]!.confirmedAt !== null },
    });
  });
}

/** Disables an account: it cannot sign in, and every session and token it holds ends now. */
export async function disableUser(db: Db, actor: Actor, username: string, reason: string | undefined): Promise<void> {
  const admin = requireViewer(actor);
  const user = await managedUser(db, actor, username);
  await db.transaction(async (tx) => {
    const now = new Date();
    await tx
      .update(users)
      .set({ disabledAt: now })
      .where(and(eq(users.id, user.id), isNull(users.disabledAt)));
    const ended = await tx
      .update(sessions)
      .set({ revokedAt: now })
      .where(and(eq(sessions.userId, user.id), isNull(sessions.revokedAt)))
      .returning({ id: sessions.id });
    await appendSystemAudit(tx, {
      actor: admin.username,
      action: 'user.disable',
      entity: 'user',
      entityKey: user.username,
      details: { sessionsEnded: ended.length, ...(reason?.trim() ? { reason: reason.trim().slice(0, 1000) } : {}) },
    });
  });
}

export interface SessionRow {
  id: number;
  kind: 'session' | 'api_token';
  label: string | null;
  createdAt: Date;
  expiresAt: Date;
}

/** The live sessions and API tokens of an account (never their secrets, which are not stored). */
export async function userSessions(db: Db, actor: Actor, username: string): Promise<SessionRow[]> {
  const user = await managedUser(db, actor, username);
  return db
    .select({
      id: sessions.id,
      kind: sessions.kind,
      label: sessions.label,
      createdAt: sessions.createdAt,
      expiresAt: sessions.expiresAt,
    })
    .from(sessions)
    .where(and(eq(sessions.userId, user.id), isNull(sessions.revokedAt), gt(sessions.expiresAt, new Date())))
    .orderBy(asc(sessions.id));
}

/** Ends one session or API token: the admin of the account's villages may, and so may its own user. */
export async function endSession(db: Db, actor: Actor, id: number): Promise<void> {
  const admin = requireViewer(actor);
  const [row] = await db
    .select({ userId: sessions.userId, username: users.username, kind: sessions.kind })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.id, id), isNull(sessions.revokedAt)));
  if (!row) throw apiError('NOT_FOUND', `没有编号为 ${id} 的有效会话`);
  if (row.userId !== admin.userId) await managedUser(db, actor, row.username);
  await db.transaction(async (tx) => {
    const ended = await tx
      .update(sessions)
      .set({ revokedAt: new Date() })
      .where(and(eq(sessions.id, id), isNull(sessions.revokedAt)))
      .returning({ id: sessions.id });
    if (ended.length === 0) return;
    await appendSystemAudit(tx, {
      actor: admin.username,
      action: 'session.end',
      entity: 'session',
      entityKey: String(id),
      details: { user: row.username, kind: row.kind },
    });
  });
}
