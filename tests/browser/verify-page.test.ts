// The village's verify page (/v/fucun/verify) on phones: its command blocks (long `pnpm verify … --from
// http://…/data/` lines) and digests wrap inside their boxes, so the page never scrolls sideways at 320, 390 or 414 px
// (it was 745 px wide). JavaScript off, like a villager's cheap phone; no client script. Screenshots land in
// tests/artifacts/verify-page/.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCheckpoint } from '@mingbai/db/ledger/checkpoints';
import { checkpointKey, useCheckpointKeyFile } from '@mingbai/api/checkpoints/checkpoints';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clearArtifacts, launchBrowser, measureLayout, openPage, screenshot } from '../support/browser.ts';
import { useTestPortal } from '../support/portal.ts';

const t = useTestPortal();
const TEST = 'verify-page';
const WIDTHS = [320, 390, 414] as const;
let browser: Browser;
const keyDir = mkdtempSync(join(tmpdir(), 'mingbai-verify-page-'));

beforeAll(async () => {
  browser = await launchBrowser();
  clearArtifacts(TEST);
  useCheckpointKeyFile(join(keyDir, 'checkpoint.pem'));
}, 60_000);
afterAll(async () => {
  await browser?.close();
  rmSync(keyDir, { recursive: true, force: true });
});

describe('/v/fucun/verify on a phone', () => {
  it('does not scroll sideways at 320, 390 and 414 px; the commands stay whole text', async () => {
    // A checkpoint, so the page shows its card with the village's head digest too.
    await makeCheckpoint(t.handle.db, checkpointKey());
    const opened = await openPage(browser, { viewport: 'phone', javaScript: false });
    try {
      const { page } = opened;
      const res = await page.goto(`${t.portal.url}/v/fucun/verify`);
      expect(res?.status()).toBe(200);
      const html = await res!.text();
      expect(html).not.toMatch(/<script/i);
      expect(html).toContain('python3 docs/verify_checkpoints.py');
      expect(html).toMatch(/第 \d+ 号检查点/);
      for (const width of WIDTHS) {
        await page.setViewportSize({ width, height: 740 });
        const layout = await measureLayout(page);
        expect(layout.scrollWidth, `at ${width} px: ${layout.overflowing.join('; ')}`).toBeLessThanOrEqual(width);
        await screenshot(page, TEST, 'verify');
      }
      // Wrapped on screen only: the text copied from the block is still one command a line.
      const commands = await page.locator('pre code').allInnerTexts();
      expect(commands.join('\n')).toMatch(/^pnpm verify --checkpoints --from http:\/\/\S+ --save 我的镜像$/m);
    } finally {
      await opened.close();
    }
  });
});
