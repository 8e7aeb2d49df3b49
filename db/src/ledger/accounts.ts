import { and, eq, inArray } from 'drizzle-orm';
import type { Tx } from '../client.ts';
import { accounts, villageAccounts, type AccountStandard } from '../schema/accounts.ts';
import { LedgerError } from './errors.ts';

export interface AccountRef {
  code: string;
  /** Needed the first time a village uses a sub-account; first-level names come from the national chart. */
  name?: string | undefined;
}

const ACCOUNT_CODE = /^[0-9]{3}([0-9]{2}){0,3}$/;

/**
 * Makes sure every account the village is about to use exists in its chart, adding first-level accounts from the
 * national chart and sub-accounts under them. Unknown first-level codes are refused.
 */
export async function ensureVillageAccounts(
  tx: Tx,
  villageId: number,
  standard: AccountStandard,
  refs: AccountRef[],
): Promise<void> {
  const wanted = new Map<string, string | undefined>();
  for (const ref of refs) {
    if (!ACCOUNT_CODE.test(ref.code)) {
      throw new LedgerError('ACCOUNT_UNKNOWN', `科目编码“${ref.code}”格式不对：应为3位一级科目，其后每级2位`, {
        accountCode: ref.code,
      });
    }
    if (!wanted.has(ref.code) || ref.name) wanted.set(ref.code, ref.name ?? wanted.get(ref.code));
  }
  if (wanted.size === 0) return;
  const existing = await tx
    .select({ code: villageAccounts.code })
    .from(villageAccounts)
    .where(
      and(
        eq(villageAccounts.villageId, villageId),
        eq(villageAccounts.standard, standard),
        inArray(villageAccounts.code, [...wanted.keys()]),
      ),
    );
  for (const { code } of existing) wanted.delete(code);
  if (wanted.size === 0) return;

  const topCodes = [...new Set([...wanted.keys()].map((c) => c.slice(0, 3)))];
  const national = await tx
    .select({ code: accounts.code, name: accounts.name })
    .from(accounts)
    .where(and(eq(accounts.standard, standard), inArray(accounts.code, topCodes)));
  const nationalNames = new Map(national.map((a) => [a.code, a.name]));

  const rows = [...wanted].map(([code, name]) => {
    const topCode = code.slice(0, 3);
    const topName = nationalNames.get(topCode);
    if (!topName) {
      throw new LedgerError(
        'ACCOUNT_UNKNOWN',
        `科目“${code}”不在${standardLabel(standard)}会计科目表中（一级科目 ${topCode} 不存在）`,
        { accountCode: code, standard },
      );
    }
    if (code.length > 3 && !name?.trim()) {
      throw new LedgerError('ACCOUNT_NAME_REQUIRED', `明细科目“${code}”第一次使用，需要给出科目名称`, {
        accountCode: code,
      });
    }
    return { villageId, standard, code, topCode, name: code.length === 3 ? topName : name!.trim() };
  });
  await tx.insert(villageAccounts).values(rows).onConflictDoNothing();
}

export function standardLabel(standard: AccountStandard): string {
  return standard === '2023' ? '《农村集体经济组织会计制度》（2023）' : '《村集体经济组织会计制度》（2004）';
}

/** Months before 2024 keep their books on the 2004 chart. */
export function standardForYear(year: number): AccountStandard {
  return year < 2024 ? '2004' : '2023';
}
