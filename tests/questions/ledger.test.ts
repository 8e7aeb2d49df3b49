// The ledger's rules for questions, whoever calls them (API, CLI, demo seed): persons the village pays are masked by
// name in questions, including a person first paid after earlier asks; numbers never collide under concurrent asks;
// the database refuses what the code would never write.
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { queryRows } from '@mingbai/db/client';
import { askerKeyOf, askQuestion, parseQuestionNumber } from '@mingbai/db/ledger/questions';
import { openDb } from '@mingbai/db/client';
import { inject } from 'vitest';
import { useTestApi } from '../support/api.ts';
import { aMonth, aVillage, aVoucher, credit, debit } from '../support/builders.ts';

const t = useTestApi();
const limits = { perAddressHour: 1000, perVillageHour: 1000 };
const ask = (villageId: number, body: string, address = 'ledger-test') =>
  t.handle.db.transaction((tx) =>
    askQuestion(tx, { villageId, body, askerKey: askerKeyOf(address, 'ledger-test'), defaultDueDays: 10, limits }),
  );
const publicBody = async (villageId: number, seq: number) =>
  (
    await queryRows<{ body_public: string }>(
      t.handle.db,
      sql`select body_public from questions where village_id = ${villageId} and seq = ${seq}`,
    )
  )[0]!.body_public;

describe('questions in the ledger', () => {
  it('masks the persons the village pays by name, a person paid after earlier asks too', async () => {
    const v = await aVillage(t.handle.db, '名单村');
    await aMonth(t.handle.db, v.id, 2025, 1, [
      aVoucher(
        1,
        '2025-01-06',
        '发放护林补贴',
        debit('51301', 50_000, { accountName: '补贴' }),
        credit('102', 50_000, { counterparty: { name: '钱秀兰', isPerson: true } }),
      ),
    ]);
    const first = await ask(v.id, '为什么钱秀兰家有两份补贴？赵铁柱家呢？');
    expect(await publicBody(v.id, first.seq)).toBe('为什么钱*兰家有两份补贴？赵铁柱家呢？');

    await aMonth(t.handle.db, v.id, 2025, 2, [
      aVoucher(
        1,
        '2025-02-06',
        '发放护林补贴',
        debit('51301', 50_000, { accountName: '补贴' }),
        credit('102', 50_000, { counterparty: { name: '赵铁柱', isPerson: true } }),
      ),
    ]);
    const second = await ask(v.id, '为什么赵铁柱家有两份补贴？');
    expect(await publicBody(v.id, second.seq)).toBe('为什么赵*柱家有两份补贴？');
  });

  it('numbers concurrent asks 1, 2, 3 … without a gap or a collision, from several connections', async () => {
    const v = await aVillage(t.handle.db, '并发村');
    const url = inject('databaseUrl');
    // On PGlite one connection serves the file: the asks still queue through the same locks.
    const handles = url ? await Promise.all([1, 2, 3].map(() => openDb({ databaseUrl: url, poolSize: 4 }))) : [];
    const dbs = handles.length > 0 ? handles.map((h) => h.db) : [t.handle.db];
    try {
      const asked = await Promise.all(
        Array.from({ length: 24 }, (_, i) =>
          dbs[i % dbs.length]!.transaction((tx) =>
            askQuestion(tx, {
              villageId: v.id,
              body: `并发问题 ${i}`,
              askerKey: askerKeyOf(`concurrent-${i}`, 'ledger-test'),
              defaultDueDays: 10,
              limits,
            }),
          ),
        ),
      );
      expect(asked.map((a) => a.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
    } finally {
      await Promise.all(handles.map((h) => h.close()));
    }
  });

  it('reads numbers in either form, and no other', () => {
    expect(parseQuestionNumber('付村-2026-0012', '付村')).toEqual({ numberYear: 2026, seq: 12 });
    expect(parseQuestionNumber(' 2026-0012 ')).toEqual({ numberYear: 2026, seq: 12 });
    expect(parseQuestionNumber('2026-12')).toEqual({ numberYear: 2026, seq: 12 });
    for (const bad of ['别村-2026-0012', '2026', '2026-0000', '26-0012', '2026-0012-1', '', 'x'.repeat(300)]) {
      expect(parseQuestionNumber(bad, '付村'), bad).toBeUndefined();
    }
  });

  it('refuses in the database what the code never writes: an empty text, a second answer, a delete', async () => {
    const v = await aVillage(t.handle.db, '约束村');
    const q = await ask(v.id, '约束测试');
    const where = sql`village_id = ${v.id} and seq = ${q.seq}`;
    const refuse = (statement: ReturnType<typeof sql>) => expect(t.handle.db.execute(statement)).rejects.toThrow();
    await refuse(sql`update questions set due_at = due_at + interval '30 days' where ${where}`);
    await refuse(sql`delete from questions where ${where}`);
    await refuse(sql`update questions set answer_body = '只有答复' where ${where}`);
    await t.handle.db.execute(
      sql`update questions set answer_body = '答', answer_public = '答', answered_at = now(), answered_by = 'x',
                 answered_by_role = 'director' where ${where}`,
    );
    await refuse(sql`update questions set answer_body = '改答复', answer_public = '改答复' where ${where}`);
    await refuse(
      sql`insert into questions (village_id, number_year, seq, body, body_public, body_hash, asker_key, asked_at, due_at)
          values (${v.id}, 2026, 999, '   ', ' ', ${'0'.repeat(64)}, ${'0'.repeat(64)}, now(), now() + interval '1 day')`,
    );
  });
});
