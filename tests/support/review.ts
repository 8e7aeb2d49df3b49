import type { DbHandle } from '@mingbai/db/client';
import type { TestApi } from './api.ts';
import { aUser, TEST_PASSWORD } from './users.ts';

interface Flags {
  redFlags: { key: string; answer: { body: string } | null }[];
}

/**
 * What publishMonth needs of a submitted month, done over HTTP as people do it: a supervisor of the village approves
 * the current content, then a member of the committee answers every red flag in writing. New users are made for
 * either role unless their usernames are given. Returns the keys it answered; any refusal fails the test.
 */
export async function reviewOverApi(
  t: { readonly handle: DbHandle; readonly api: TestApi },
  month: { villageSlug: string; year: number; month: number },
  people: { supervisor?: string; committee?: string } = {},
): Promise<string[]> {
  const vars = { v: month.villageSlug, y: month.year, m: month.month };
  const signIn = async (username: string) => t.api.as(await t.api.login(username, TEST_PASSWORD));
  const supervisor = await signIn(people.supervisor ?? (await aUser(t.handle.db, ['supervisor', month.villageSlug])));
  const approved = await supervisor<{ approveMonth: Flags }>(
    `mutation ($v: String!, $y: Int!, $m: Int!) {
       approveMonth(villageSlug: $v, year: $y, month: $m, note: "已逐张核对凭证") { redFlags { key answer { body } } } }`,
    vars,
  );
  if (!approved.data) throw new Error(`approveMonth refused: ${approved.text}`);
  const committee = await signIn(people.committee ?? (await aUser(t.handle.db, ['accountant', month.villageSlug])));
  const open = approved.data.approveMonth.redFlags.filter((f) => f.answer === null).map((f) => f.key);
  for (const key of open) {
    const answered = await committee(
      `mutation ($v: String!, $y: Int!, $m: Int!, $k: String!) {
         answerFlag(villageSlug: $v, year: $y, month: $m, flagKey: $k, body: "已核实，凭证和收据齐全") { status } }`,
      { ...vars, k: key },
    );
    if (!answered.data) throw new Error(`answerFlag ${key} refused: ${answered.text}`);
  }
  return open;
}
