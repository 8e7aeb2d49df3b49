// Text that committees upload (摘要, counterparties, comments) reaches the page as text, never as markup.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aMonth, aVillage, aVoucher, credit, debit } from '../support/builders.ts';
import { launchBrowser, openPage } from '../support/browser.ts';
import { useTestPortal } from '../support/portal.ts';

const t = useTestPortal();
let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
}, 60_000);
afterAll(async () => {
  await browser?.close();
});

const PAYLOAD = `<script>window.pwned=1</script><img src=x onerror="window.pwned=2">"'&`;

describe('escaping', () => {
  it('shows HTML in a 摘要 and a counterparty as text on the month, voucher and print pages', async () => {
    const village = await aVillage(t.handle.db);
    await aMonth(t.handle.db, village.id, 2025, 6, [
      aVoucher(
        1,
        '2025-06-03',
        `支付${PAYLOAD}`,
        debit('513', 100, { counterparty: { name: `公司${PAYLOAD}`, isPerson: false } }),
        credit('102', 100),
      ),
    ]);
    for (const path of ['2025-06', '2025-06/1', '2025-06/print']) {
      const html = await (await fetch(`${t.portal.url}/v/${village.slug}/${path}`)).text();
      expect(html, path).not.toContain('<script>window.pwned');
      expect(html, path).not.toContain('<img src=x');
      expect(html, path).toContain('&lt;script&gt;');
      const opened = await openPage(browser, { viewport: 'desktop', javaScript: true });
      await opened.page.goto(`${t.portal.url}/v/${village.slug}/${path}`);
      expect(
        await opened.page.evaluate(() => (globalThis as unknown as { pwned?: number }).pwned),
        path,
      ).toBeUndefined();
      expect(await opened.page.locator('main, body').first().innerText(), path).toContain(
        '<script>window.pwned=1</script>',
      );
      await opened.close();
    }
    const csv = await (await fetch(`${t.portal.url}/v/${village.slug}/2025-06.csv`)).text();
    expect(csv).toContain('"支付<script>window.pwned=1</script><img src=x onerror=""window.pwned=2"">""\'&"');
  }, 90_000);

  it('neutralises spreadsheet formulas in the CSV download', async () => {
    const village = await aVillage(t.handle.db);
    await aMonth(t.handle.db, village.id, 2025, 6, [
      aVoucher(1, '2025-06-03', '=HYPERLINK("http://evil.example","点我")', debit('513', 100), credit('102', 100)),
      aVoucher(2, '2025-06-04', '@SUM(A1:A9)', debit('513', 100), credit('102', 100)),
    ]);
    const csv = await (await fetch(`${t.portal.url}/v/${village.slug}/2025-06.csv`)).text();
    expect(csv).toContain(`"'=HYPERLINK(""http://evil.example"",""点我"")"`);
    expect(csv).toContain(`'@SUM(A1:A9)`);
    expect(csv).not.toMatch(/,=HYPERLINK|,@SUM/);
  }, 60_000);
});
