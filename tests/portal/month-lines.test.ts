// The month page's table of payments is written as one string (portal/src/lib/format-lines.ts) instead of a
// component per word and paperclip, for speed (issue 19). It must stay the markup those components write: escaped
// as Astro escapes, linked as <Term> links, marked with the components' own scoped-style attributes, so the page
// looks the same. The built components (portal/dist, built by the test run's global setup) are the reference.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CLIP_SCOPE, escapeText, lineRowsHtml, TERM_SCOPE, type LineRow } from '../../portal/src/lib/format-lines.ts';
import type { Flag } from '../../portal/src/lib/flags.ts';

const chunks = new URL('../../portal/dist/server/chunks/', import.meta.url);

/** The compiled module of a component of the built portal (Term_abc123.mjs). */
function builtComponent(name: string): string {
  const file = readdirSync(chunks).find((f) => f.startsWith(`${name}_`) && f.endsWith('.mjs'));
  if (!file) throw new Error(`portal/dist has no chunk for ${name}.astro: build the portal first`);
  return readFileSync(new URL(file, chunks), 'utf8');
}

const line = (over: Partial<LineRow> = {}): LineRow => ({
  date: '2025-08-05',
  summary: '购买办公用品',
  kind: 'SPENDING',
  paymentMethod: 'CASH',
  amount: { yuan: '1234.50' },
  counterparty: { name: '镇供销社' },
  account: { name: '办公费', categoryName: '管理费用' },
  voucher: { number: 7, attachments: [] },
  ...over,
});

const none = new Map<number, Flag[]>();
const base = '/v/fucun/2025-08';

describe('the month page table as a string', () => {
  it('carries the scoped-style marks the built Term and Paperclip components carry', () => {
    // Astro scopes a component's <style> by an attribute it writes on the component's elements; the rows must carry
    // the same one, or the dotted underline of a word and the paperclip's spacing would be lost.
    expect(builtComponent('Term')).toMatch(new RegExp(`<a class="term"[^>]*\\s${TERM_SCOPE}>`));
    const clip = builtComponent('Paperclip');
    expect(clip).toContain(`"${CLIP_SCOPE}": true`);
    // The drawing itself, as the component writes it.
    const html = lineRowsHtml([line({ voucher: { number: 3, attachments: [{}, {}] } })], {
      base,
      voucherSuffix: '',
      flagged: none,
    });
    const svg = /<svg[^]*<\/svg>/.exec(html)![0];
    expect(clip).toContain(svg);
  });

  it('writes a row as the components did: date, 摘要 with its words linked, signed amount, category words, voucher', () => {
    const html = lineRowsHtml([line({ summary: '计提8月份村干部报酬' })], { base, voucherSuffix: '', flagged: none });
    expect(html).toBe(
      '<tr><td class="nowrap">8月5日</td>' +
        `<td class="wide"><a class="term" href="/help/words#jiti" ${TERM_SCOPE}>计提</a>8月份村干部报酬</td>` +
        '<td class="wide" data-label="收付款人">镇供销社</td><td class="num out">−¥1,234.50</td>' +
        `<td class="wide" data-label="类别"><a class="term" href="/help/words#guanli-feiyong" ${TERM_SCOPE}>管理费用</a>` +
        ` · <a class="term" href="/help/words#guanli-feiyong" ${TERM_SCOPE}>办公费</a></td>` +
        '<td class="nowrap" data-label="方式">现金</td>' +
        '<td class="nowrap"><a href="/v/fucun/2025-08/7">第7号凭证</a></td></tr>',
    );
  });

  it('escapes what comes from the accounts as Astro would, in text and in attributes', () => {
    const evil = `<script>alert("x")</script>&'`;
    const html = lineRowsHtml(
      [line({ summary: evil, counterparty: { name: evil }, account: { name: evil, categoryName: evil } })],
      { base: '/v/a&b/2025-08', voucherSuffix: '?rev=2&x="1"', flagged: none },
    );
    expect(html).not.toContain('<script>');
    expect(html).toContain(escapeText(evil));
    expect(escapeText(evil)).toBe('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;');
    expect(html).toContain('href="/v/a&#38;b/2025-08/7?rev=2&#38;x=&#34;1&#34;"');
  });

  it('marks flagged rows, links their flags, shows receipts, other flows, no counterparty and paperclips', () => {
    const flag = { key: 'R1:7', voucherNumber: 7, rule: { title: '大额<现金>' } } as unknown as Flag;
    const html = lineRowsHtml(
      [
        line({
          kind: 'OTHER_RECEIPT',
          counterparty: null,
          voucher: { number: 7, attachments: [{}] },
        }),
      ],
      { base, voucherSuffix: '?rev=2', flagged: new Map([[7, [flag]]]) },
    );
    expect(html).toMatch(/^<tr class="flagged">/);
    expect(html).toContain(
      '<div class="flag-tag"><a href="#flag-R1-7"><span aria-hidden="true">⚑ </span>红旗：大额&lt;现金&gt;</a></div>',
    );
    expect(html).toContain('<td class="wide" data-label="收付款人">—</td>');
    expect(html).toContain('<td class="num in">+¥1,234.50</td>');
    expect(html).toMatch(/（其他收款）<\/a>|（其他收款）<\/td>/);
    expect(html).toContain(
      `<a class="clip" href="/v/fucun/2025-08/7?rev=2#attachments" title="附件 1 张" data-count="1" ${CLIP_SCOPE}="true"> <svg`,
    );
    expect(html).toContain(`<span class="sr-only" ${CLIP_SCOPE}>附件 1 张</span> </a> </td></tr>`);
  });
});
