// Stored XSS: hostile text in every field a user can set, then every page that shows it, in Chromium. Twice: once
// with the page's CSP switched off, so escaping alone must hold (no dialog, no injected element), and once with it
// on, where no CSP violation may be reported at all. escaping.test.ts covers the summary on public pages; this adds
// every other field and the committee, docs and print pages.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '@mingbai/api/auth/auth.service';
import { publishPeriod } from '@mingbai/db/ledger/publish';
import { aMonth, aVillage, credit, debit } from '../support/builders.ts';
import { launchBrowser } from '../support/browser.ts';
import { useTestPortal } from '../support/portal.ts';
import { aUser, TEST_PASSWORD } from '../support/users.ts';

const t = useTestPortal();
let browser: Browser;

/** Each payload tries another way out of the text it is put in. */
const PAYLOADS = [
  `<script>alert('s')</script>`,
  `<img src=x onerror="alert('i')">`,
  `"><svg onload="alert('v')">`,
  `'><a href="javascript:alert('a')">点我</a>`,
  `javascript:alert('j')`,
  `{{constructor.constructor('alert(1)')()}}`,
  '${alert(2)}',
  `<iframe srcdoc="<script>alert('f')</script>"></iframe>`,
  `</textarea><style>body{display:none}</style>`,
];
const ALL = PAYLOADS.join(' ');
/** For fields with a tight length limit (display names: 100). */
const SHORT = `<img src=x onerror=alert(1)>"><svg onload=alert(2)>`;

let village: { id: number; slug: string };
const users = { director: '', supervisor: '', accountant: '', named: '' };

beforeAll(async () => {
  browser = await launchBrowser();
  const db = t.handle.db;
  village = await aVillage(db, '安全村');
  const voucher = (number: number, date: string) => ({
    number,
    date,
    summary: `摘要${ALL}`,
    attachments: 1,
    preparer: `制单${SHORT}`,
    reviewer: `审核${SHORT}`,
    approver: `审批${SHORT}`,
    lines: [
      debit('513', 12_000, {
        summary: `分录${ALL}`,
        counterparty: { name: `公司${ALL}`.slice(0, 200), isPerson: false },
      }),
      debit('514', 3_000, { summary: `补贴${SHORT}`, counterparty: { name: `张${SHORT}`, isPerson: true } }),
      credit('102', 15_000, { summary: `付款${SHORT}` }),
    ],
  });
  await aMonth(db, village.id, 2025, 6, [voucher(1, '2025-06-03')]);
  // A correction with a hostile reason, published as revision 2.
  users.director = await aUser(db, ['director', village.slug]);
  users.supervisor = await aUser(db, ['supervisor', village.slug]);
  users.accountant = await aUser(db, ['accountant', village.slug]);
  const director = t.api.as(await t.api.login(users.director, TEST_PASSWORD));
  const revised = await director(
    `mutation ($v: String!, $r: String!) { reviseMonth(villageSlug: $v, year: 2025, month: 6, reason: $r) { revision } }`,
    { v: village.slug, r: `更正${ALL}` },
  );
  expect(revised.errors).toBeUndefined();
  // The correction starts as a copy of revision 1's vouchers; publish it as it is.
  await db.transaction((tx) =>
    publishPeriod(tx, { villageId: village.id, year: 2025, month: 6, actor: 'test-director' }),
  );
  // An open month under review, with hostile comments and flags.
  await aMonth(db, village.id, 2025, 7, [voucher(1, '2025-07-03')], { publish: false });
  const vars = { v: village.slug, y: 2025, m: 7 };
  const supervisor = t.api.as(await t.api.login(users.supervisor, TEST_PASSWORD));
  const accountant = t.api.as(await t.api.login(users.accountant, TEST_PASSWORD));
  const M = `($v: String!, $y: Int!, $m: Int!, $t: String!)`;
  const A = `villageSlug: $v, year: $y, month: $m`;
  for (const res of [
    await accountant(`mutation ($v: String!, $y: Int!, $m: Int!) { submitMonth(${A}) { status } }`, vars),
    await supervisor(`mutation ${M} { commentOnMonth(${A}, body: $t) { status } }`, { ...vars, t: `意见${ALL}` }),
    await supervisor(`mutation ${M} { flagVoucher(${A}, number: 1, reason: $t) { status } }`, {
      ...vars,
      t: `存疑${ALL}`,
    }),
  ]) {
    expect(res.errors).toBeUndefined();
  }
  users.named = `xss-${process.pid}`;
  await createUser(db, {
    username: users.named,
    displayName: SHORT,
    password: TEST_PASSWORD,
    grants: [{ role: 'accountant', scope: village.slug }],
    bootstrap: true,
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

interface Watched {
  context: BrowserContext;
  page: Page;
  dialogs: string[];
  cspViolations: string[];
}

/** A browser context that reports dialogs and CSP violations, going nowhere but 127.0.0.1. */
async function watched(bypassCSP: boolean): Promise<Watched> {
  const context = await browser.newContext({ bypassCSP, javaScriptEnabled: true, locale: 'zh-CN' });
  context.setDefaultTimeout(20_000);
  await context.route(
    (url) => url.hostname !== '127.0.0.1',
    (route) => route.abort('blockedbyclient'),
  );
  const page = await context.newPage();
  const w: Watched = { context, page, dialogs: [], cspViolations: [] };
  page.on('dialog', (dialog) => {
    w.dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to (execute|load|apply|frame)/i.test(message.text())) {
      w.cspViolations.push(message.text());
    }
  });
  return w;
}

/** What an injection would have left in the page: elements and attributes no page of ours contains. */
async function injected(page: Page): Promise<string[]> {
  // Run in the page (as a string: the tests compile without the DOM library).
  return (await page.evaluate(`(() => {
    const found = [];
    for (const el of Array.from(document.querySelectorAll('*'))) {
      const tag = el.tagName.toLowerCase();
      if (tag === 'script' || tag === 'iframe' || (tag === 'img' && el.getAttribute('src') === 'x')) found.push(tag);
      if (tag === 'svg' && el.hasAttribute('onload')) found.push('svg[onload]');
      if (tag === 'style' && (el.textContent || '').includes('body{display:none}')) found.push('injected style');
      for (const attr of Array.from(el.attributes)) {
        if (attr.name.startsWith('on')) found.push(tag + '[' + attr.name + ']');
        if (/^\\s*javascript:/i.test(attr.value) && ['href', 'src', 'action', 'formaction'].includes(attr.name)) {
          found.push(tag + '[' + attr.name + '=javascript:]');
        }
      }
    }
    return found;
  })()`)) as string[];
}

async function signIn(page: Page, username: string): Promise<void> {
  await page.goto(`${t.portal.url}/login`);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', TEST_PASSWORD);
  await Promise.all([page.waitForURL(/\/committee/), page.click('button[type=submit]')]);
}

/** Visits every page that shows stored text, returning the hostile text each was expected to show. */
async function visitAll(w: Watched, seen: (path: string, text: string) => void): Promise<number> {
  let pages = 0;
  const visit = async (path: string, expectShown: RegExp) => {
    const response = await w.page.goto(`${t.portal.url}${path}`);
    expect(response?.status(), path).toBeLessThan(400);
    // Form fields prefilled with stored text count as showing it.
    const fields = (await w.page.evaluate(
      `Array.from(document.querySelectorAll('textarea, input')).map((e) => e.value).join('\\n')`,
    )) as string;
    const text = `${await w.page.locator('body').innerText()}\n${fields}`;
    expect(text, path).toMatch(expectShown);
    expect(await injected(w.page), path).toEqual([]);
    seen(path, text);
    pages++;
  };
  const base = `/v/${village.slug}/2025-06`;
  await visit(base, /<script>alert\('s'\)<\/script>/);
  await visit(`${base}?revision=1`, /摘要/);
  await visit(`${base}/1`, /更正<script>alert/);
  await visit(`${base}/print`, /分录<script>alert/);
  await visit(`/v/${village.slug}`, /更正|2025/);
  const explorer = new URLSearchParams({
    query: `# ${ALL}\n{ village(slug: "${village.slug}") { statement(year: 2025, month: 6) { reason lines(first: 5) { nodes { summary counterparty { name } } } } } }`,
  });
  await visit(`/docs/explorer?${explorer}`, /<svg onload/);
  await Promise.all([w.page.waitForLoadState('load'), w.page.click('form button[type=submit]')]);
  await w.page.waitForLoadState('load');
  expect(await w.page.locator('body').innerText()).toMatch(/(分录|摘要)<script>alert/);
  expect(await injected(w.page), 'explorer answer').toEqual([]);
  pages++;

  await signIn(w.page, users.supervisor);
  await visit(`/committee/${village.slug}?month=2025-07`, /意见<script>alert\('s'\)<\/script>.*|存疑/s);
  await visit(`/committee/${village.slug}?month=2025-06`, /第2版|更正/);
  await w.context.clearCookies();

  await signIn(w.page, users.named);
  await visit('/committee', /您好，<img src=x onerror=alert\(1\)>/);
  // An upload whose file name is hostile: shown back in the preview.
  await w.page.goto(`${t.portal.url}/committee/${village.slug}?month=2025-08`);
  const csv = [
    '凭证号,日期,摘要,科目编码,科目名称,借方金额,贷方金额,收付款人',
    `1,2025-08-03,${SHORT.replace(/"/g, '')},513,,10.00,,`,
    '1,2025-08-03,付款,102,,,10.00,',
  ].join('\n');
  await w.page.setInputFiles('input[type=file]', {
    name: `"><img src=x onerror=alert(9)>.csv`,
    mimeType: 'text/csv',
    buffer: Buffer.from(csv),
  });
  await Promise.all([w.page.waitForLoadState('load'), w.page.click('form[enctype] button[type=submit]')]);
  await w.page.waitForLoadState('load');
  expect(await w.page.locator('body').innerText()).toMatch(/onerror=alert\(9\)/);
  expect(await injected(w.page), 'upload preview').toEqual([]);
  pages++;
  await w.context.clearCookies();
  return pages;
}

describe('stored XSS', () => {
  it('never runs or injects anything from stored text, even with the CSP switched off', async () => {
    const w = await watched(true);
    try {
      const pages = await visitAll(w, () => undefined);
      console.log(`xss: ${pages} pages, ${PAYLOADS.length} payloads in every user-set field, CSP bypassed`);
      expect(w.dialogs).toEqual([]);
    } finally {
      await w.context.close();
    }
  }, 240_000);

  it('raises no CSP violation on any of those pages with the policy on', async () => {
    const w = await watched(false);
    try {
      await visitAll(w, () => undefined);
      expect(w.dialogs).toEqual([]);
      expect(w.cspViolations).toEqual([]);
    } finally {
      await w.context.close();
    }
  }, 240_000);
});
