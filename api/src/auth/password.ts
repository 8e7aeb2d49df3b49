import { hash, verify } from '@node-rs/argon2';

// argon2id with the library's defaults (19 MiB, 2 passes): OWASP's minimum, about 30 ms on these machines.
export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

/** A hash of nothing, verified when the user does not exist, so a wrong username costs as long as a wrong password. */
let decoy: Promise<string> | undefined;

export async function verifyPassword(passwordHash: string | undefined, password: string): Promise<boolean> {
  if (passwordHash === undefined) {
    decoy ??= hash('decoy-password-for-unknown-users');
    await verify(await decoy, password).catch(() => false);
    return false;
  }
  return verify(passwordHash, password).catch(() => false);
}

export const MIN_PASSWORD_LENGTH = 8;
