/**
 * The demo's villagers' questions (issue 15), asked and answered through the ledger's own `askQuestion`,
 * `answerQuestion` and `hideQuestion` after every month is public: in 付村 one answered on time, one answered late with
 * the correction of 2025-08, one overdue (逾期), two open, one hidden by the supervisor; a few in other villages, so the
 * region pages have a ranking. Times are counted back from the moment of seeding (a question 2 days old stays open for
 * the first week of a demo), so the clock is visible whenever the demo is loaded.
 */
import { sql } from 'drizzle-orm';
import { queryRows, type Db } from '../client.ts';
import { answerQuestion, askerKeyOf, askQuestion, hideQuestion } from '../ledger/questions.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

interface DemoQuestion {
  slug: string;
  daysAgo: number;
  body: string;
  contact?: string;
  /** The month asked about, and the voucher whose 摘要 contains `voucherLike`, if any. */
  about?: { year: number; month: number; voucherLike?: string };
  answer?: {
    afterDays: number;
    by: 'accountant' | 'director';
    body: string;
    correctionRevision?: number;
    linkVoucher?: boolean;
  };
  hidden?: { afterDays: number; reason: string };
}

export const DEMO_QUESTIONS: readonly DemoQuestion[] = [
  {
    slug: 'fucun',
    daysAgo: 45,
    body: '2025年11月有两笔买硒鼓的钱，金额一样，是不是重复报销了？',
    about: { year: 2025, month: 11, voucherLike: '硒鼓' },
    answer: {
      afterDays: 5,
      by: 'accountant',
      body: '两笔是两次送货，各有送货单和发票，金额相同是因为每次买的数量一样。发票原件在村委会，欢迎来看。',
      linkVoucher: true,
    },
  },
  {
    slug: 'fucun',
    daysAgo: 40,
    body: '2025年8月第12号凭证，路灯维修配件花了1850元，这么贵吗？',
    contact: '王桂芝 13702221234',
    about: { year: 2025, month: 8, voucherLike: '路灯维修配件' },
    answer: {
      afterDays: 23,
      by: 'director',
      body: '经核对发票，这笔实际是1580元，记账时录错了。已更正并重新公开（第2版），感谢您的提醒。',
      correctionRevision: 2,
    },
  },
  {
    slug: 'fucun',
    daysAgo: 14,
    body: '村北生产路拓宽给的青苗补偿款8600元，是按什么标准算的？补给了几户？',
    about: { year: 2026, month: 3, voucherLike: '青苗补偿' },
  },
  {
    slug: 'fucun',
    daysAgo: 25,
    body: '村主任付某某的亲戚是不是也领了低保？他家电话13820001111，大家打电话问问。',
    hidden: { afterDays: 1, reason: '含有他人的电话号码和未经核实的指控，已转村务监督委员会核查' },
  },
  {
    slug: 'fucun',
    daysAgo: 2,
    body: '10月份的电费比9月份多了不少，是路灯多开了吗？',
    contact: '13500005678',
    about: { year: 2026, month: 10 },
  },
  {
    slug: 'fucun',
    daysAgo: 1,
    body: '明年村里还打算修哪几条路？钱从哪里出？',
  },
  {
    slug: 'tianli',
    daysAgo: 30,
    body: '2025年6月现金支付抽水泵抢修费，为什么不走银行转账？',
    about: { year: 2025, month: 6, voucherLike: '抽水泵' },
    answer: {
      afterDays: 3,
      by: 'director',
      body: '当天暴雨抽水泵坏了，维修师傅只收现金，经两委和监委会同意现金支付，维修单和发票附在凭证后。',
      linkVoucher: true,
    },
  },
  {
    slug: 'xiaonanhe',
    daysAgo: 20,
    body: '今年1月年终总结会的工作餐和烟酒一共花了多少？',
    about: { year: 2026, month: 1, voucherLike: '年终总结会' },
  },
  {
    slug: 'liutai',
    daysAgo: 35,
    body: '会议室窗帘花了多少钱？是哪家装的？',
    about: { year: 2024, month: 10, voucherLike: '窗帘' },
    answer: {
      afterDays: 12,
      by: 'accountant',
      body: '窗帘连安装的金额和发票都附在这张凭证后；是镇上的家居店装的，问了三家，选的报价最低的一家。',
      linkVoucher: true,
    },
  },
];

/** The demo's askers: no addresses, only their keys, as for every ask. */
const askerKey = (i: number) => askerKeyOf(`demo-villager-${i}`, 'mingbai-demo');

/** Who answers and hides in the demo: the seed's own actors (`seed.ts`). */
export interface DemoQuestionPeople {
  accountant: string;
  director: string;
  supervisor: string;
}

/**
 * Writes the demo questions of the villages just seeded (`ids`: slug → village id), each ask, answer and hide in its
 * own transaction, as they would happen.
 */
export async function seedDemoQuestions(
  db: Db,
  ids: ReadonlyMap<string, number>,
  people: DemoQuestionPeople,
  now: Date = new Date(),
): Promise<number> {
  let written = 0;
  // In the order they were asked, so each village's numbers follow the calendar.
  const inOrder = [...DEMO_QUESTIONS.entries()].sort(([, a], [, b]) => b.daysAgo - a.daysAgo);
  for (const [i, q] of inOrder) {
    const villageId = ids.get(q.slug);
    if (villageId === undefined) continue;
    const askedAt = new Date(now.getTime() - q.daysAgo * DAY_MS);
    let voucherNumber: number | null = null;
    if (q.about?.voucherLike) {
      const [found] = await queryRows<{ number: number }>(
        db,
        sql`select v.number from vouchers v
             where v.village_id = ${villageId} and v.year = ${q.about.year} and v.month = ${q.about.month}
               and v.revision = (select max(p.revision) from periods p where p.village_id = v.village_id
                                   and p.year = v.year and p.month = v.month and p.status = 'published')
               and v.summary like ${`%${q.about.voucherLike}%`}
             order by v.number limit 1`,
      );
      voucherNumber = found?.number ?? null;
    }
    const asked = await db.transaction((tx) =>
      askQuestion(tx, {
        villageId,
        year: q.about?.year,
        month: q.about?.month,
        voucherNumber,
        body: q.body,
        contact: q.contact,
        askerKey: askerKey(i),
        defaultDueDays: 10,
        limits: { perAddressHour: 1000, perVillageHour: 1000 },
        now: askedAt,
      }),
    );
    const ref = { villageId, numberYear: asked.numberYear, seq: asked.seq };
    if (q.answer) {
      const answer = q.answer;
      await db.transaction((tx) =>
        answerQuestion(tx, {
          ...ref,
          actor: people[answer.by],
          role: answer.by,
          body: answer.body,
          correctionRevision: answer.correctionRevision,
          voucherNumber: answer.linkVoucher ? voucherNumber : null,
          now: new Date(askedAt.getTime() + answer.afterDays * DAY_MS),
        }),
      );
    }
    if (q.hidden) {
      const hidden = q.hidden;
      await db.transaction((tx) =>
        hideQuestion(tx, {
          ...ref,
          actor: people.supervisor,
          reason: hidden.reason,
          now: new Date(askedAt.getTime() + hidden.afterDays * DAY_MS),
        }),
      );
    }
    written++;
  }
  return written;
}
