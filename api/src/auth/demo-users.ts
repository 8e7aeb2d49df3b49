import { inArray } from 'drizzle-orm';
import type { Db } from '@mingbai/db/client';
import { users } from '@mingbai/db/schema/users';
import { villages } from '@mingbai/db/schema/regions';
import { createUser, type RoleGrant } from './auth.service.ts';

export const DEMO_PASSWORD = 'mingbai-demo';

/** The committee of 付村, a cross-district supervisor (交叉监督) and the 精武镇 admin, documented in the README. */
export const DEMO_USERS: { username: string; displayName: string; grants: RoleGrant[] }[] = [
  { username: 'fucun-kuaiji', displayName: '付村报账员 王秀兰', grants: [{ role: 'accountant', scope: 'fucun' }] },
  { username: 'fucun-zhuren', displayName: '付村村主任 付建国', grants: [{ role: 'director', scope: 'fucun' }] },
  {
    username: 'jiandu-1',
    displayName: '监督员 李明',
    grants: [
      { role: 'supervisor', scope: 'fucun' },
      { role: 'supervisor', scope: 'liugangzhuang' }, // 滨海新区: supervising across districts
    ],
  },
  { username: 'jingwu-admin', displayName: '精武镇管理员 张磊', grants: [{ role: 'township_admin', scope: 'jingwu' }] },
];

/** Creates the demo users that are missing, when the demo villages exist. Returns how many were created. */
export async function seedDemoUsers(db: Db): Promise<number> {
  const demoVillages = await db
    .select({ slug: villages.slug })
    .from(villages)
    .where(inArray(villages.slug, ['fucun', 'liugangzhuang']));
  if (demoVillages.length < 2) return 0;
  const existing = new Set(
    (
      await db
        .select({ username: users.username })
        .from(users)
        .where(
          inArray(
            users.username,
            DEMO_USERS.map((u) => u.username),
          ),
        )
    ).map((u) => u.username),
  );
  let created = 0;
  for (const user of DEMO_USERS) {
    if (existing.has(user.username)) continue;
    // A bootstrap: the demo starts with no admin who could confirm the committee's roles, so they are confirmed here
    // (audited as such). Every later grant of an uploading or publishing role waits for a second admin.
    await createUser(db, { ...user, password: DEMO_PASSWORD, actor: 'demo-seed', bootstrap: true });
    created++;
  }
  return created;
}
