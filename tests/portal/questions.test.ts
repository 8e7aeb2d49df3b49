// Villagers' questions in the portal, rendered against the real API without a browser: the ask form and what guards it
// (Origin/Referer, the page's token, body size), the answers it gives (number and due date, a duplicate, Chinese
// errors with the text kept, the visitor's own rate limit), the public pages (list, question, month, voucher, village,
// region), what never shows there (the contact, the hidden text, markup), the committee's answer and hide forms, the
// township's overdue list, the Atom feeds and the print sheet's line.
import { createRequire } from 'node:module';
import { SaxesParser } from 'saxes';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '@mingbai/db/client';
import { askerKeyOf, askQuestion } from '@mingbai/db/ledger/questions';
import { aMonth, aVillage, aVoucher, credit, debit } from '../support/builders.ts';
import { useTestApi } from '../support/api.ts';
import { startTestPortal, type TestPortal } from '../support/portal.ts';
import { aUser, TEST_PASSWORD } from '../support/users.ts';

const t = useTestApi();
let portal: TestPortal;
beforeAll(async () => {
  // Behind a (pretend) proxy: each request names its visitor in X-Forwarded-For, so a test can ask as many visitors
  // and see the API count each one's asks apart.
  portal = await startTestPortal(t.api.url, { MINGBAI_PORTAL_BEHIND_PROXY: 'true' });
}, 40_000);
afterAll(async () => {
  await portal?.close();
});

const Y = 2025;
const MO = 3;
const YM = '2025-03';
const CSRF = 'q'.repeat(40);
const PHONE = '13812345678';
const MASKED_PHONE = '138****5678';

let visitorCount = 0;
/** A visitor's address of its own (10.25/16: tests/questions uses 10.15/16; the limits are counted in the run's one database), so one test's asks never spend another's hourly limit. */
const aVisitor = () => `10.25.${Math.floor(++visitorCount / 250)}.${(visitorCount % 250) + 1}`;

async function get(path: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${portal.url}${path}`, { headers, redirect: 'manual' });
  return { status: res.status, headers: res.headers, html: await res.text() };
}

/** Text of the page without tags, whitespace squeezed: what a reader sees. */
const text = (html: string) =>
  html
    .replace(/<style[\s\S]*?<\/style>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');

/** The ask form's fields as a page carries them (token and what it is about). */
function formFields(html: string): Record<string, string> {
  const form = /<form method="post" action="[^"]*\/ask"[\s\S]*?<\/form>/.exec(html)?.[0];
  if (!form) throw new Error('no ask form on the page');
  const fields: Record<string, string> = {};
  for (const m of form.matchAll(/<input type="hidden" name="(\w+)" value="([^"]*)"/g)) fields[m[1]!] = m[2]!;
  return fields;
}

interface Ask {
  body: string;
  contact?: string;
  /** Overrides of the page's hidden fields (a forged token, another month). */
  fields?: Record<string, string>;
  headers?: Record<string, string>;
  visitor?: string;
  /** The page whose form is sent (default: the month page). */
  from?: string;
}

async function ask(slug: string, options: Ask) {
  const from = options.from ?? `/v/${slug}/${YM}`;
  const page = await get(from);
  const fields = { ...formFields(page.html), ...options.fields, body: options.body, contact: options.contact ?? '' };
  const res = await fetch(`${portal.url}/v/${slug}/ask`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      origin: portal.url,
      'x-forwarded-for': options.visitor ?? aVisitor(),
      ...options.headers,
    },
    body: new URLSearchParams(fields),
    redirect: 'manual',
  });
  const html = await res.text();
  const number = /id="asked-number">([^<]+)</.exec(html)?.[1];
  return { status: res.status, headers: res.headers, html, number, tail: number?.replace(/^.*-(\d{4}-\d{4})$/, '$1') };
}

/**
 * A question asked `daysAgo` days ago through the ledger (its clock is the test's): past its 10 days it is overdue.
 * Questions are history, so the test cannot move an asked one's clock; it asks in the past instead.
 */
async function askedInThePast(v: { id: number; name: string }, body: string, daysAgo: number) {
  const asked = await t.handle.db.transaction((tx) =>
    askQuestion(tx, {
      villageId: v.id,
      year: Y,
      month: MO,
      body,
      askerKey: askerKeyOf(`10.99.0.${daysAgo}`, 'portal-test-secret'),
      defaultDueDays: 10,
      limits: { perAddressHour: 100, perVillageHour: 100 },
      now: new Date(Date.now() - daysAgo * 86_400_000),
    }),
  );
  const tail = `${asked.numberYear}-${String(asked.seq).padStart(4, '0')}`;
  return { number: `${v.name}-${tail}`, tail };
}

async function questionCount(villageId: number): Promise<number> {
  const [row] = await queryRows<{ n: number }>(
    t.handle.db,
    sql`select count(*)::int as n from questions where village_id = ${villageId}`,
  );
  return row!.n;
}

/** A village with a published March: a payment to a person (voucher 1) and an electricity bill (voucher 2). */
async function aPublishedVillage(name = '提问村') {
  const village = await aVillage(t.handle.db, name);
  await aMonth(
    t.handle.db,
    village.id,
    Y,
    MO,
    [
      aVoucher(
        1,
        `${YM}-05`,
        '支付临时用工工资',
        debit('513', 120_000, { counterparty: { name: '张三丰', isPerson: true }, paymentMethod: 'bank' }),
        credit('102', 120_000, { counterparty: { name: '张三丰', isPerson: true }, paymentMethod: 'bank' }),
      ),
      aVoucher(2, `${YM}-20`, '支付电费', debit('513', 30_000), credit('102', 30_000)),
    ],
    {
      opening: [
        { accountCode: '102', balanceFen: 10_000_000n },
        { accountCode: '301', balanceFen: -10_000_000n },
      ],
    },
  );
  const [row] = await queryRows<{ name: string; town: string }>(
    t.handle.db,
    sql`select v.name, r.slug as town from villages v join regions r on r.id = v.town_id where v.id = ${village.id}`,
  );
  return { ...village, name: row!.name, town: row!.town };
}

/** The portal as a signed-in user (session cookie and the double-submit token). */
async function portalAs(username: string) {
  const token = await t.api.login(username, TEST_PASSWORD);
  const cookie = `mingbai_session=${token}; mingbai_csrf=${CSRF}`;
  return {
    get: (path: string) => get(path, { cookie }),
    async post(path: string, fields: Record<string, string>) {
      const res = await fetch(`${portal.url}${path}`, {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', origin: portal.url },
        body: new URLSearchParams({ csrf: CSRF, ...fields }),
        redirect: 'manual',
      });
      return { status: res.status, html: await res.text() };
    },
  };
}

/** Parses XML strictly (well-formed, namespaces), returning each element's path and text: a feed that breaks throws. */
function parseXml(xml: string): {
  root: string;
  ns: string;
  entries: { id: string; title: string; updated: string; link: string; summary: string }[];
  fields: Record<string, string>;
} {
  const parser = new SaxesParser({ xmlns: true });
  const stack: string[] = [];
  const entries: { id: string; title: string; updated: string; link: string; summary: string }[] = [];
  const fields: Record<string, string> = {};
  let entry: Record<string, string> | undefined;
  let root = '';
  let ns = '';
  let textBuffer = '';
  parser.on('error', (e) => {
    throw e;
  });
  parser.on('opentag', (tag) => {
    if (stack.length === 0) {
      root = tag.local;
      ns = tag.uri;
    }
    stack.push(tag.local);
    textBuffer = '';
    if (tag.local === 'entry') entry = {};
    if (tag.local === 'link' && entry && tag.attributes.href) entry.link = String(tag.attributes.href.value);
  });
  parser.on('text', (s) => (textBuffer += s));
  parser.on('closetag', (tag) => {
    stack.pop();
    if (tag.local === 'entry' && entry) {
      entries.push(entry as (typeof entries)[number]);
      entry = undefined;
    } else if (entry) entry[tag.local] = textBuffer;
    else if (stack.length === 1) fields[tag.local] = textBuffer;
    textBuffer = '';
  });
  parser.write(xml).close();
  return { root, ns, entries, fields };
}

describe('asking on the month page', () => {
  it('posts without JavaScript and answers with the public number, the due date and a link; the question is listed', async () => {
    // Setup
    const v = await aPublishedVillage();
    const month = await get(`/v/${v.slug}/${YM}`);
    expect(month.status).toBe(200);
    expect(month.html).toContain('id="ask"');
    expect(month.html).not.toMatch(/<script/i);
    // Action
    const asked = await ask(v.slug, { body: '第2号凭证的电费为什么比上月多？', contact: PHONE });
    // Assertions
    expect(asked.status).toBe(200);
    expect(asked.headers.get('cache-control')).toBe('no-store');
    expect(asked.number).toMatch(new RegExp(`^${v.name}-\\d{4}-0001$`));
    expect(text(asked.html)).toContain('问题已收到');
    expect(text(asked.html)).toMatch(/答复期限 \d{4}年\d{1,2}月\d{1,2}日前/);
    expect(asked.html).toContain(`href="/v/${v.slug}/questions/${asked.tail}"`);
    expect(await questionCount(v.id)).toBe(1);

    const list = await get(`/v/${v.slug}/questions`);
    expect(list.status).toBe(200);
    expect(text(list.html)).toContain(asked.number!);
    expect(text(list.html)).toContain('待答复');
    expect(text(list.html)).toContain('第2号凭证的电费为什么比上月多？');
    // The month page lists it at once: the ask dropped this portal's cached copy of the village's pages.
    expect(text((await get(`/v/${v.slug}/${YM}`)).html)).toContain(asked.number!);
    const page = await get(`/v/${v.slug}/questions/${asked.tail}`);
    expect(page.status).toBe(200);
    expect(text(page.html)).toContain('关于2025年3月账目');
    expect(page.html).toContain(`href="/v/${v.slug}/${YM}"`);
    // Looked up by number (the tail or the full form) from the list's box.
    const byTail = await get(`/v/${v.slug}/questions?number=${encodeURIComponent(asked.tail!)}`);
    expect(byTail.status).toBe(303);
    expect(byTail.headers.get('location')).toBe(`/v/${v.slug}/questions/${asked.tail}`);
    const byFull = await get(`/v/${v.slug}/questions?number=${encodeURIComponent(asked.number!)}`);
    expect(byFull.headers.get('location')).toBe(`/v/${v.slug}/questions/${asked.tail}`);
    expect((await get(`/v/${v.slug}/questions/2025-9999`)).status).toBe(404);
  });

  it('asks about a voucher from its page; the voucher page and the month page list it', async () => {
    const v = await aPublishedVillage();
    const asked = await ask(v.slug, { body: '这笔工资是哪几天的工？', from: `/v/${v.slug}/${YM}/1` });
    expect(asked.status).toBe(200);
    expect(text(asked.html)).toContain('2025年3月第1号凭证');
    const voucher = await get(`/v/${v.slug}/${YM}/1`);
    expect(text(voucher.html)).toContain(asked.number!);
    expect(text(voucher.html)).toContain('这笔工资是哪几天的工？');
    expect(text((await get(`/v/${v.slug}/${YM}/2`)).html)).not.toContain(asked.number!);
    expect(text((await get(`/v/${v.slug}/${YM}`)).html)).toContain(asked.number!);
    expect(text((await get(`/v/${v.slug}/questions/${asked.tail}`)).html)).toContain('关于2025年3月第1号凭证');
  });

  it('the same question twice in a day is one question, and the answer says so', async () => {
    const v = await aPublishedVillage();
    const first = await ask(v.slug, { body: '电费发票能公开吗？' });
    const again = await ask(v.slug, { body: '电费发票能公开吗？' });
    expect(again.status).toBe(200);
    expect(again.number).toBe(first.number);
    expect(text(again.html)).toContain('这个问题已经提过了');
    expect(await questionCount(v.id)).toBe(1);
  });

  it('refuses what the API refuses in Chinese and keeps the text: empty, over 500 characters, a control character', async () => {
    const v = await aPublishedVillage();
    const long = '为什么'.repeat(200); // 600 characters
    const tooLong = await ask(v.slug, { body: long, contact: '李四' });
    expect(tooLong.status).toBe(400);
    expect(tooLong.html).toMatch(/role="alert"[^>]*>(<span aria-hidden="true">⚠ <\/span>)?[^<]*[\u4e00-\u9fff]/);
    expect(tooLong.html).toContain(`>${long}</textarea>`);
    expect(tooLong.html).toContain('value="李四"');
    const control = await ask(v.slug, { body: '电费\u0001是多少' });
    expect(control.status).toBe(400);
    expect(await questionCount(v.id)).toBe(0);
  });

  it('a body over the form’s limit gets the form again with a message (413), and nothing is written', async () => {
    const v = await aPublishedVillage();
    const fields = formFields((await get(`/v/${v.slug}/${YM}`)).html);
    const res = await fetch(`${portal.url}/v/${v.slug}/ask`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: portal.url },
      body: new URLSearchParams({ ...fields, body: '问'.repeat(200_000) }),
    });
    const html = await res.text();
    expect(res.status).toBe(413);
    expect(text(html)).toContain('提交的内容太长');
    expect(html).toContain('id="ask"');
    expect(await questionCount(v.id)).toBe(0);
  });

  it('counts the visitor’s address, not the portal’s: the sixth ask in an hour is refused for that visitor only', async () => {
    const v = await aPublishedVillage();
    const visitor = aVisitor();
    for (let i = 1; i <= 5; i++) expect((await ask(v.slug, { body: `第${i}个问题：电费`, visitor })).status).toBe(200);
    const sixth = await ask(v.slug, { body: '第6个问题：电费', visitor });
    expect(sixth.status).toBe(429);
    expect(text(sixth.html)).toMatch(/问题没有提交：.*[\u4e00-\u9fff]/);
    expect(sixth.html).toContain('>第6个问题：电费</textarea>');
    // Another visitor behind the same portal still asks.
    expect((await ask(v.slug, { body: '第7个问题：电费' })).status).toBe(200);
    expect(await questionCount(v.id)).toBe(6);
  });
});

describe('the ask form’s guard (nothing written when refused)', () => {
  it('refuses a missing or forged token, a token for another page, a foreign Origin, and no Origin or Referer at all', async () => {
    const v = await aPublishedVillage();
    const missing = await ask(v.slug, { body: '没有令牌', fields: { token: '' } });
    expect(missing.status).toBe(403);
    expect(missing.html).toContain('>没有令牌</textarea>'); // kept, to send again from our own form
    const forged = await ask(v.slug, { body: '伪造令牌', fields: { token: 'k0.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' } });
    expect(forged.status).toBe(403);
    // The month page's token does not fit a question about voucher 2: it is bound to its page.
    const moved = await ask(v.slug, { body: '换了凭证', fields: { voucher: '2' } });
    expect(moved.status).toBe(403);
    const foreign = await ask(v.slug, { body: '别的网站', headers: { origin: 'https://evil.example' } });
    expect(foreign.status).toBe(403);
    expect(foreign.html).not.toContain('别的网站'); // a page elsewhere cannot fill our form
    const crossSite = await ask(v.slug, { body: '跨站', headers: { 'sec-fetch-site': 'cross-site' } });
    expect(crossSite.status).toBe(403);
    const nowhere = await ask(v.slug, { body: '无来源', headers: { origin: '' } });
    expect(nowhere.status).toBe(403);
    const foreignReferer = await ask(v.slug, {
      body: '别处来的',
      headers: { origin: '', referer: 'https://evil.example/page' },
    });
    expect(foreignReferer.status).toBe(403);
    expect(await questionCount(v.id)).toBe(0);
    // Our own page as the Referer, without Origin (an older browser): accepted.
    const ours = await ask(v.slug, {
      body: '本站来的',
      headers: { origin: '', referer: `${portal.url}/v/${v.slug}/${YM}` },
    });
    expect(ours.status).toBe(200);
    expect(await questionCount(v.id)).toBe(1);
  });

  it('the token is the same for every visitor of a page, and the month page stays in the page cache', async () => {
    const v = await aPublishedVillage();
    const a = await get(`/v/${v.slug}/${YM}`, { 'x-forwarded-for': aVisitor() });
    const b = await get(`/v/${v.slug}/${YM}`, { 'x-forwarded-for': aVisitor() });
    expect(formFields(a.html).token).toBe(formFields(b.html).token);
    expect(b.headers.get('x-cache')).toBe('HIT');
    expect(a.headers.get('set-cookie')).toBeNull();
    expect(a.headers.get('cache-control')).toBe('public, max-age=60');
  });
});

describe('what the public pages show', () => {
  it('markup in a question and in its answer appears as text, on every page and in the feed', async () => {
    const v = await aPublishedVillage();
    const payload = `<script>alert(1)</script><img src=x onerror="alert(2)"> & 'x'`;
    const asked = await ask(v.slug, { body: `电费${payload}` });
    expect(asked.status).toBe(200);
    const accountant = await portalAs(await aUser(t.handle.db, ['accountant', v.slug]));
    const answered = await accountant.post(`/committee/${v.slug}/questions`, {
      action: 'answer',
      number: asked.number!,
      body: `已核实${payload}`,
    });
    expect(answered.status).toBe(200);
    for (const path of [
      `/v/${v.slug}/questions`,
      `/v/${v.slug}/questions/${asked.tail}`,
      `/v/${v.slug}/${YM}`,
      `/committee/${v.slug}/questions`,
    ]) {
      const html = path.startsWith('/committee') ? (await accountant.get(path)).html : (await get(path)).html;
      expect(html, path).not.toMatch(/<script|<img src=x|onerror="/i);
      expect(html, path).toContain('&lt;script&gt;');
    }
    const feed = await get(`/v/${v.slug}/feed.xml`);
    const parsed = parseXml(feed.html);
    expect(parsed.entries.some((e) => e.summary.includes('<script>alert(1)</script>'))).toBe(true);
  });

  it('the contact never appears on a public page or feed; the committee sees it masked; personal data in the text is masked', async () => {
    const v = await aPublishedVillage();
    const asked = await ask(v.slug, { body: `请张三丰回个电话 13987654321，电费怎么算的？`, contact: PHONE });
    expect(asked.status).toBe(200);
    for (const path of [
      `/v/${v.slug}/questions`,
      `/v/${v.slug}/questions/${asked.tail}`,
      `/v/${v.slug}/${YM}`,
      `/v/${v.slug}`,
      `/v/${v.slug}/feed.xml`,
      `/r/${v.town}/feed.xml`,
    ]) {
      const { html } = await get(path);
      expect(html, path).not.toContain(PHONE);
      expect(html, path).not.toContain(MASKED_PHONE);
      expect(html, path).not.toContain('13987654321');
    }
    expect(asked.html).not.toContain(PHONE);
    const supervisor = await portalAs(await aUser(t.handle.db, ['supervisor', v.slug]));
    const committee = await supervisor.get(`/committee/${v.slug}/questions`);
    expect(committee.status).toBe(200);
    expect(committee.html).toContain(MASKED_PHONE);
    expect(committee.html).not.toContain(PHONE);
    expect(text(committee.html)).toContain('13987654321'); // the text as asked, for the committee
  });
});

describe('the committee answers, a supervisor hides, the clock runs out', () => {
  it('an accountant answers with a voucher link; the public page shows the answer, its role and date; a second answer is refused', async () => {
    const v = await aPublishedVillage();
    const asked = await ask(v.slug, { body: '工资发给谁了？' });
    const accountant = await portalAs(await aUser(t.handle.db, ['accountant', v.slug]));
    const list = await accountant.get(`/committee/${v.slug}/questions`);
    expect(list.status).toBe(200);
    expect(list.html).toContain(`value="${asked.number}"`);
    expect(list.html).not.toContain('隐藏这个问题'); // hiding is for supervisors
    const res = await accountant.post(`/committee/${v.slug}/questions`, {
      action: 'answer',
      number: asked.number!,
      body: '发给临时用工人员，见第1号凭证。',
      voucherNumber: '1',
    });
    expect(res.status).toBe(200);
    expect(text(res.html)).toContain(`已答复 ${asked.number}`);
    const page = await get(`/v/${v.slug}/questions/${asked.tail}`);
    expect(text(page.html)).toContain('发给临时用工人员，见第1号凭证。');
    expect(text(page.html)).toContain('已答复');
    expect(text(page.html)).toMatch(/于\d{4}年\d{1,2}月\d{1,2}日答复（按期）/);
    expect(page.html).toContain(`href="/v/${v.slug}/${YM}/1"`);
    const again = await accountant.post(`/committee/${v.slug}/questions`, {
      action: 'answer',
      number: asked.number!,
      body: '再答一次',
    });
    expect(again.status).toBe(409);
    // Without the double-submit token: refused, nothing changes.
    const forged = await fetch(`${portal.url}/committee/${v.slug}/questions`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' },
      body: new URLSearchParams({ action: 'answer', number: asked.number!, body: 'x' }),
      redirect: 'manual',
    });
    expect([303, 403]).toContain(forged.status);
  });

  it('a supervisor hides a question with a public reason: the text leaves the public pages, the reason shows', async () => {
    const v = await aPublishedVillage();
    const asked = await ask(v.slug, { body: '某某某是个骗子，辱骂内容' });
    const supervisor = await portalAs(await aUser(t.handle.db, ['supervisor', v.slug]));
    const res = await supervisor.post(`/committee/${v.slug}/questions`, {
      action: 'hide',
      number: asked.number!,
      reason: '含辱骂内容',
    });
    expect(res.status).toBe(200);
    const page = await get(`/v/${v.slug}/questions/${asked.tail}`);
    expect(text(page.html)).toContain('含辱骂内容');
    expect(text(page.html)).not.toContain('骗子');
    expect(text((await get(`/v/${v.slug}/questions`)).html)).not.toContain('骗子');
    // Kept for the committee and the audit.
    expect(text((await supervisor.get(`/committee/${v.slug}/questions`)).html)).toContain('骗子');
  });

  it('past its due date a question shows 逾期 in words, and the township admin’s list has it', async () => {
    const v = await aPublishedVillage();
    const asked = await askedInThePast(v, '为什么没有公开招标？', 15);
    const page = await get(`/v/${v.slug}/questions/${asked.tail}`);
    expect(text(page.html)).toContain('逾期未答复');
    expect(text(page.html)).toMatch(/逾期\d+天/);
    const overdue = await get(`/v/${v.slug}/questions?status=overdue`);
    expect(text(overdue.html)).toContain(asked.number!);
    expect(text((await get(`/v/${v.slug}/questions?status=open`)).html)).not.toContain(asked.number!);
    const village = await get(`/v/${v.slug}`);
    expect(village.html).toMatch(/逾期未答复<\/div><div class="value out">/);
    const admin = await portalAs(await aUser(t.handle.db, ['township_admin', v.town]));
    const town = await admin.get(`/committee/town/${v.town}`);
    expect(town.status).toBe(200);
    const section = /<section id="overdue-questions">[\s\S]*?<\/section>/.exec(town.html)?.[0] ?? '';
    expect(text(section)).toContain(asked.number!);
    expect(text(section)).toContain('逾期');
  });
});

describe('record, ranking, feeds and the print sheet', () => {
  it('the village page shows the 12-month record and links its feed; the region page ranks villages and links its feed', async () => {
    const v = await aPublishedVillage();
    await ask(v.slug, { body: '问题一：电费' });
    const village = await get(`/v/${v.slug}`);
    expect(village.html).toContain('id="question-record"');
    expect(text(village.html)).toMatch(/提问 1 个/);
    expect(village.html).toContain(`<link rel="alternate" type="application/atom+xml" href="/v/${v.slug}/feed.xml"`);
    const region = await get(`/r/${v.town}`);
    expect(region.status).toBe(200);
    expect(region.html).toContain('id="question-ranking"');
    expect(region.html).toContain(`href="/v/${v.slug}/questions"`);
    expect(region.html).toContain(`<link rel="alternate" type="application/atom+xml" href="/r/${v.town}/feed.xml"`);
  });

  it('the village and region feeds are valid Atom: the month’s publication, the question and its answer', async () => {
    const v = await aPublishedVillage();
    const asked = await ask(v.slug, { body: '电费单价多少？' });
    const accountant = await portalAs(await aUser(t.handle.db, ['accountant', v.slug]));
    await accountant.post(`/committee/${v.slug}/questions`, {
      action: 'answer',
      number: asked.number!,
      body: '每度0.5元。',
    });
    const res = await get(`/v/${v.slug}/feed.xml`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/atom+xml; charset=utf-8');
    const feed = parseXml(res.html);
    expect(feed.root).toBe('feed');
    expect(feed.ns).toBe('http://www.w3.org/2005/Atom');
    expect(feed.fields.updated).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
    for (const e of feed.entries) {
      expect(e.id).toMatch(/^https?:\/\/[^/]+\//);
      expect(e.updated).toMatch(/^\d{4}-\d{2}-\d{2}T/);
      expect(e.title.length).toBeGreaterThan(0);
    }
    expect(new Set(feed.entries.map((e) => e.id)).size).toBe(feed.entries.length);
    const titles = feed.entries.map((e) => e.title);
    expect(titles).toContain(`${v.name}公开了2025年3月的账目`);
    expect(titles.some((s) => s.startsWith(`村民提问 ${asked.number}`))).toBe(true);
    expect(titles.some((s) => s.includes(`答复了 ${asked.number}`))).toBe(true);
    expect(feed.entries.find((e) => e.title.includes('答复了'))!.summary).toBe('每度0.5元。');

    // A region's pages stay cached up to a minute after an ask (only the village's are dropped): another address.
    const region = await get(`/r/${v.town}/feed.xml?fresh=${Date.now()}`);
    expect(region.status).toBe(200);
    const regional = parseXml(region.html);
    expect(regional.root).toBe('feed');
    expect(
      regional.entries.some((e) => e.title.includes(asked.number!)),
      regional.entries.map((e) => e.title).join('\n'),
    ).toBe(true);
    expect((await get('/v/no-such-village/feed.xml')).status).toBe(404);
    expect((await get('/r/no-such-region/feed.xml')).status).toBe(404);
  });

  it('the print sheet’s QR code leads to the month page’s form, and its line names the form and the due days', async () => {
    const v = await aPublishedVillage();
    const sheet = await get(`/v/${v.slug}/${YM}/print`);
    expect(sheet.status).toBe(200);
    const line = text(/<p class="small" id="ask-line">[\s\S]*?<\/p>/.exec(sheet.html)?.[0] ?? '');
    expect(line).toContain('可向村务监督委员会反映');
    expect(line).toContain('对2025年3月的账目有疑问？');
    expect(line).toMatch(/10日内答复/);
    // The QR code is the one the portal draws for the month page's #ask address on the public origin.
    const QRCode = createRequire(new URL('../../portal/package.json', import.meta.url))('qrcode') as {
      toString(text: string, options: Record<string, unknown>): Promise<string>;
    };
    const pageUrl = /网址：(\S+)/.exec(text(sheet.html))?.[1] ?? '';
    expect(pageUrl).toMatch(new RegExp(`^https?://[^/]+/v/${v.slug}/${YM}$`));
    const drawn = await QRCode.toString(`${pageUrl}#ask`, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
    expect(sheet.html).toContain(drawn);
  });
});
