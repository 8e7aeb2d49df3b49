import type { Db } from '@mingbai/db/client';
import { createUser } from '@mingbai/api/auth/auth.service';
import type { UserRole } from '@mingbai/db/schema/users';

let counter = 0;
export const TEST_PASSWORD = 'test-password-1';

/** A user with the given roles (village or region slugs), unique to this test, confirmed at once (a bootstrap). */
export async function aUser(db: Db, ...grants: [UserRole, string][]): Promise<string> {
  counter += 1;
  const username = `u${process.pid}-${counter}`;
  await createUser(db, {
    username,
    displayName: `测试用户${counter}`,
    password: TEST_PASSWORD,
    grants: grants.map(([role, scope]) => ({ role, scope })),
    bootstrap: true,
  });
  return username;
}
