import { createHash, randomBytes } from 'node:crypto';
import { and, eq, gt, isNotNull, isNull } from 'drizzle-orm';
import type { Db, Tx } from '@mingbai/db/client';
import { appendSystemAudit } from '@mingbai/db/ledger/audit';
import { regions, villages } from '@mingbai/db/schema/regions';
import { CONFIRMED_ROLES, sessions, userRoles, users, type UserRole } from '@mingbai/db/schema/users';
import { apiError, badInput } from '../errors.ts';
import { throttleFor, type LoginThrottle } from './login-throttle.ts';
import { hashPassword, MIN_PASSWORD_LENGTH, verifyPassword } from './password.ts';
import type { Viewer } from './viewer.ts';

export const SESSION_LIFETIME_MS = 12 * 60 * 60 * 1000;
export const API_TOKEN_LIFETIME_MS = 365 * 24 * 60 * 60 * 1000;

/** Secrets are 32 random bytes; the database keeps only their SHA-256, so a leaked table opens nothing. */
function newSecret(): { token: string; tokenHash: string } {
  const token = `mb_${randomBytes(32).toString('base64url')}`;
  return { token, tokenHash: hashToken(token) };
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export interface RoleGrant {
  role: UserRole;
  /** Village slug for village roles, region slug for township_admin. */
  scope: string;
}

/** Who acts when nobody is signed in: the operator at the command line, or the demo seed. */
export const OPERATOR = 'operator';

/**
 * Creates a user with roles. A role that can upload or publish (`CONFIRMED_ROLES`) waits for a second admin's
 * confirmation, unless `bootstrap` is set: only the demo seed and tests' fixtures do that, to start a system with no
 * admins yet; it is written in the audit log as such.
 */
export async function createUser(
  db: Db,
  input: {
    username: string;
    displayName: string;
    password: string;
    grants: RoleGrant[];
    actor?: string;
    bootstrap?: boolean;
  },
): Promise<{ id: number; pendingGrants: number }> {
  checkPassword(input.password);
  const username = input.username.trim().toLowerCase();
  if (!/^[a-z0-9][a-z0-9._-]{1,39}$/.test(username)) {
    throw badInput('用户名只能用小写字母、数字、点、横线和下划线，2 到 40 个字符', 'username');
  }
  const displayName = input.displayName.trim();
  if (displayName.length > 100) throw badInput('姓名不能超过 100 个字', 'displayName');
  const passwordHash = await hashPassword(input.password);
  return db.transaction(async (tx) => {
    const [existing] = await tx.select({ id: users.id }).from(users).where(eq(users.username, username));
    if (existing) throw apiError('USER_EXISTS', `用户名“${username}”已被使用`);
    const [user] = await tx
      .insert(users)
      .values({ username, displayName: displayName || username, passwordHash })
      .returning({ id: users.id });
    const actor = input.actor ?? OPERATOR;
    let pendingGrants = 0;
    for (const grant of input.grants) {
      const granted = await grantRole(tx as unknown as Db, user!.id, grant, { actor, bootstrap: input.bootstrap });
      if (granted?.pending) pendingGrants++;
    }
    await appendSystemAudit(tx, {
      actor,
      action: 'user.create',
      entity: 'user',
      entityKey: username,
      details: {
        displayName: displayName || username,
        grants: input.grants,
        ...(input.bootstrap ? { bootstrap: true } : {}),
        pendingGrants,
      },
    });
    return { id: user!.id, pendingGrants };
  });
}

/**
 * Gives a user a role. Returns the grant, or undefined when the user already had it. A role that can upload or
 * publish is pending (no power) until `confirmGrant` by another admin; `bootstrap` confirms it at once.
 */
export async function grantRole(
  db: Db,
  userId: number,
  grant: RoleGrant,
  by: { actor: string; bootstrap?: boolean | undefined } = { actor: OPERATOR },
): Promise<{ id: number; pending: boolean } | undefined> {
  const pending = CONFIRMED_ROLES.includes(grant.role) && !by.bootstrap;
  const now = new Date();
  const who = {
    userId,
    role: grant.role,
    grantedBy: by.actor,
    grantedAt: now,
    confirmedBy: pending ? null : by.bootstrap ? BOOTSTRAP : null,
    confirmedAt: pending ? null : now,
  };
  let row: { id: number } | undefined;
  if (grant.role === 'township_admin') {
    const [region] = await db.select({ id: regions.id }).from(regions).where(eq(regions.slug, grant.scope));
    if (!region) throw badInput(`没有网址名为“${grant.scope}”的区划`, 'scope');
    [row] = await db
      .insert(userRoles)
      .values({ ...who, regionId: region.id })
      .onConflictDoNothing()
      .returning({ id: userRoles.id });
  } else {
    const [village] = await db.select({ id: villages.id }).from(villages).where(eq(villages.slug, grant.scope));
    if (!village) throw badInput(`没有网址名为“${grant.scope}”的村`, 'scope');
    [row] = await db
      .insert(userRoles)
      .values({ ...who, villageId: village.id })
      .onConflictDoNothing()
      .returning({ id: userRoles.id });
  }
  return row && { id: row.id, pending };
}

/** `confirmed_by` of grants confirmed without a second person: the demo seed, and grants older than the rule. */
export const BOOTSTRAP = 'bootstrap';

/**
 * Sets a new password and ends every session and token issued before it. `actor` is who did it: the user
 * themselves (a change), a township admin or the operator (a reset).
 */
export async function setPassword(db: Db, username: string, password: string, actor: string = OPERATOR): Promise<void> {
  checkPassword(password);
  const passwordHash = await hashPassword(password);
  const name = username.trim().toLowerCase();
  await db.transaction(async (tx) => {
    const updated = await tx
      .update(users)
      .set({ passwordHash, passwordChangedAt: new Date() })
      .where(eq(users.username, name))
      .returning({ id: users.id });
    if (updated.length === 0) throw apiError('NOT_FOUND', `没有用户“${username}”`);
    const revoked = await tx
      .update(sessions)
      .set({ revokedAt: new Date() })
      .where(and(eq(sessions.userId, updated[0]!.id), isNull(sessions.revokedAt)))
      .returning({ id: sessions.id });
    await appendSystemAudit(tx, {
      actor,
      action: actor === name ? 'user.password_change' : 'user.password_reset',
      entity: 'user',
      entityKey: name,
      details: { sessionsEnded: revoked.length },
    });
  });
}

function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw badInput(`密码至少 ${MIN_PASSWORD_LENGTH} 个字符`, 'password');
  }
}

/**
 * Checks a username and password and opens a session (portal) or issues an API token. The error is the same for
 * an unknown user and a wrong password, so it reveals nothing about who has an account.
 */
export async function login(
  db: Db,
  input: {
    username: string;
    password: string;
    kind?: 'session' | 'api_token';
    label?: string;
    /** Where the attempt comes from ("ip:…"), for throttling; absent at the command line. */
    source?: string | undefined;
    /** The server's login throttle (`Context.settings.loginThrottle`); needed with a source. */
    throttle?: LoginThrottle | undefined;
  },
): Promise<{ token: string; expiresAt: Date; userId: number }> {
  // Refused before the password is even checked, so a throttled guesser learns nothing more.
  const throttle = throttleFor(input.throttle, input.source);
  await throttle?.check(input.username, input.source);
  const user = await verifyCredentials(db, input.username, input.password);
  if (!user) {
    await throttle?.failed(input.username, input.source);
    await auditFailedSignIn(db, input.username, input.source);
    throw apiError('LOGIN_FAILED', '用户名或密码不正确');
  }
  await throttle?.succeeded(input.username, input.source);
  const kind = input.kind ?? 'session';
  const { token, tokenHash } = newSecret();
  const expiresAt = new Date(Date.now() + (kind === 'session' ? SESSION_LIFETIME_MS : API_TOKEN_LIFETIME_MS));
  await db.transaction(async (tx) => {
    const [session] = await tx
      .insert(sessions)
      .values({ userId: user.id, kind, tokenHash, label: input.label ?? null, expiresAt })
      .returning({ id: sessions.id });
    await auditSession(tx, user.username, kind === 'session' ? 'session.login' : 'session.api_token', session!.id, {
      expiresAt: expiresAt.toISOString(),
      ...(input.source ? { source: input.source } : {}),
    });
  });
  return { token, expiresAt, userId: user.id };
}

/**
 * A failed sign-in, for the admins and the operator to see who is being guessed at and from where: the name as typed
 * (an unknown one too, cut to 100 characters) and the address, never the password.
 */
export async function auditFailedSignIn(db: Db, username: string, source: string | undefined): Promise<void> {
  await db.transaction((tx) =>
    appendSystemAudit(tx, {
      actor: 'anonymous',
      action: 'session.login_failed',
      entity: 'user',
      entityKey: username.trim().toLowerCase().slice(0, 100),
      details: source ? { source } : {},
    }),
  );
}

function auditSession(tx: Tx, actor: string, action: string, sessionId: number, details: Record<string, unknown>) {
  return appendSystemAudit(tx, { actor, action, entity: 'session', entityKey: String(sessionId), details });
}

/** The user when the password is theirs; undefined otherwise, in the same time whether or not the user exists. */
export async function verifyCredentials(
  db: Db,
  username: string,
  password: string,
): Promise<{ id: number; username: string } | undefined> {
  const [user] = await db.select().from(users).where(eq(users.username, username.trim().toLowerCase()));
  const ok = await verifyPassword(user && !user.disabledAt ? user.passwordHash : undefined, password);
  return user && ok ? user : undefined;
}

/** Ends the session of the token, if it is still live; a second logout changes nothing. */
export async function logout(db: Db, token: string): Promise<void> {
  await db.transaction(async (tx) => {
    const [ended] = await tx
      .update(sessions)
      .set({ revokedAt: new Date() })
      .where(and(eq(sessions.tokenHash, hashToken(token)), isNull(sessions.revokedAt)))
      .returning({ id: sessions.id, userId: sessions.userId });
    if (!ended) return;
    const [user] = await tx.select({ username: users.username }).from(users).where(eq(users.id, ended.userId));
    await auditSession(tx, user?.username ?? `#${ended.userId}`, 'session.logout', ended.id, {});
  });
}

/** The viewer a bearer token or session cookie stands for, or null when it is unknown, expired or revoked. */
export async function authenticate(db: Db, token: string): Promise<Viewer | null> {
  const [row] = await db
    .select({
      userId: users.id,
      username: users.username,
      displayName: users.displayName,
      passwordChangedAt: users.passwordChangedAt,
      createdAt: sessions.createdAt,
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(
      and(
        eq(sessions.tokenHash, hashToken(token)),
        isNull(sessions.revokedAt),
        gt(sessions.expiresAt, new Date()),
        isNull(users.disabledAt),
      ),
    );
  if (!row || row.createdAt < row.passwordChangedAt) return null;
  return viewerOf(db, row);
}

/** The viewer for a username, for the operator CLI's `--as`: roles are checked exactly as for a signed-in user. */
export async function viewerByUsername(db: Db, username: string): Promise<Viewer | null> {
  const [row] = await db
    .select({ userId: users.id, username: users.username, displayName: users.displayName })
    .from(users)
    .where(and(eq(users.username, username.trim().toLowerCase()), isNull(users.disabledAt)));
  return row ? viewerOf(db, row) : null;
}

async function viewerOf(db: Db, user: { userId: number; username: string; displayName: string }): Promise<Viewer> {
  const roles = await db
    .select({ role: userRoles.role, villageId: userRoles.villageId, regionId: userRoles.regionId })
    .from(userRoles)
    // A grant still waiting for its second person gives no power.
    .where(and(eq(userRoles.userId, user.userId), isNotNull(userRoles.confirmedAt)));
  return { userId: user.userId, username: user.username, displayName: user.displayName, roles };
}

/** The user's grants still waiting for a second admin: shown to them, never used for permissions. */
export async function pendingRolesOf(db: Db, userId: number): Promise<Viewer['roles']> {
  return db
    .select({ role: userRoles.role, villageId: userRoles.villageId, regionId: userRoles.regionId })
    .from(userRoles)
    .where(and(eq(userRoles.userId, userId), isNull(userRoles.confirmedAt)));
}
