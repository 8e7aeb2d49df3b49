// The month page's table of payments (pages/v/[slug]/[month]/index.astro), written as one HTML string.
//
// Why a string and not components: the table is most of the page's markup, and Astro renders each component
// instance with an object, a slot renderer and several promises. Fifty rows of <TermsInText>, <Term> and
// <Paperclip> made the table about half of the portal's CPU for a month page (issue 19's profile: bench/README.md).
// This writes the very markup those components write, byte for byte, with Astro's own escaping rules; the page's
// look does not change. tests/portal/month-lines.test.ts holds the two side by side (the scoped-style marks below
// included), so a change to Term.astro or Paperclip.astro that this file does not follow fails there.
import { countInWords } from './attachments';
import { flagAnchor, type Flag } from './flags';
import { FLOW_KIND, PAYMENT_METHOD, yuan } from './format';
import { entryOf, glossaryHref, lookup, wordsInText, type GlossaryEntry } from './glossary';

/**
 * The scoped-style marks Astro gives the elements of Term.astro and Paperclip.astro (a hash of each component; its
 * <style> rules select on it). Checked against the components' own output by tests/portal/month-lines.test.ts.
 */
export const TERM_SCOPE = 'data-astro-cid-hr2hq2fv';
export const CLIP_SCOPE = 'data-astro-cid-mt4parnf';

/** What a row shows of a statement line (StatementLineFields). */
export interface LineRow {
  date: string;
  summary: string;
  kind: string;
  paymentMethod: string;
  amount: { yuan: string };
  counterparty?: { name: string } | null;
  account: { name: string; categoryName: string };
  voucher: { number: number; attachments: readonly unknown[] };
}

/** Text as Astro escapes an expression's value (html-escaper's escape). */
export function escapeText(value: string): string {
  return /[&<>'"]/.test(value) ? value.replace(/[&<>'"]/g, (c) => TEXT_ESCAPES[c]!) : value;
}
const TEXT_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', "'": '&#39;', '"': '&quot;' };

/** An attribute's value as Astro writes it (addAttribute: `&` and `"` only). */
function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&#38;').replace(/"/g, '&#34;');
}

/** <Term word={word} hint={false} /> and <Term term={…} hint={false}>label</Term>, as Term.astro writes them. */
function term(entry: GlossaryEntry | undefined, label: string): string {
  return entry
    ? `<a class="term" href="${escapeAttribute(glossaryHref(entry))}" ${TERM_SCOPE}>${escapeText(label)}</a>`
    : escapeText(label);
}

/** <TermsInText text={…} />: the bookkeeping words in a 摘要 linked to their explanation. */
function termsInText(text: string): string {
  let html = '';
  for (const part of wordsInText(text))
    html += 'word' in part ? term(entryOf(part.word), part.word) : escapeText(part.text);
  return html;
}

/**
 * <Paperclip count={…} href={…} />: its slot's spaces and the one after it included, and the scope mark written
 * `="true"` on the outer tag, as Astro writes it on a dynamic tag (`<Tag>`).
 */
function paperclip(count: number, href: string): string {
  const words = escapeText(countInWords(count));
  return (
    `<a class="clip" href="${escapeAttribute(href)}" title="${escapeAttribute(countInWords(count))}" data-count="${count}" ${CLIP_SCOPE}="true"> ` +
    `<svg aria-hidden="true" viewBox="0 0 24 24" width="16" height="16" focusable="false" ${CLIP_SCOPE}>` +
    `<path d="M21.4 11.1l-9.2 9.2a6 6 0 0 1-8.5-8.5l9.2-9.2a4 4 0 0 1 5.7 5.7l-9.2 9.2a2 2 0 0 1-2.8-2.8l8.5-8.5" fill="none" stroke="currentColor" stroke-width="2.2" stroke-linecap="round" stroke-linejoin="round" ${CLIP_SCOPE}></path></svg>` +
    `<span aria-hidden="true" ${CLIP_SCOPE}>${count}</span><span class="sr-only" ${CLIP_SCOPE}>${words}</span> </a> `
  );
}

const isReceipt = (kind: string) => kind === 'INCOME' || kind === 'OTHER_RECEIPT';

/**
 * The <tr>s of the month's lines: date, 摘要 (with its red-flag markers), counterparty, signed amount, category and
 * account, method, voucher link with its paperclip. `voucherSuffix` is `?rev=N` on an old revision, else empty.
 */
export function lineRowsHtml(
  lines: readonly LineRow[],
  options: { base: string; voucherSuffix: string; flagged: ReadonlyMap<number, readonly Flag[]> },
): string {
  let html = '';
  for (const l of lines) {
    const flags = options.flagged.get(l.voucher.number) ?? [];
    const receipt = isReceipt(l.kind);
    html += flags.length > 0 ? '<tr class="flagged">' : '<tr>';
    html += `<td class="nowrap">${Number(l.date.slice(5, 7))}月${Number(l.date.slice(8))}日</td>`;
    html += `<td class="wide">${termsInText(l.summary)}`;
    for (const f of flags) {
      html += `<div class="flag-tag"><a href="${escapeAttribute(`#${flagAnchor(f)}`)}"><span aria-hidden="true">⚑ </span>红旗：${escapeText(f.rule.title)}</a></div>`;
    }
    html += '</td>';
    html += `<td class="wide" data-label="收付款人">${escapeText(l.counterparty?.name ?? '—')}</td>`;
    html += `<td class="num ${receipt ? 'in' : 'out'}">${receipt ? '+' : '−'}${escapeText(yuan(l.amount.yuan))}</td>`;
    html += `<td class="wide" data-label="类别">${term(lookup(l.account.categoryName), l.account.categoryName)}`;
    if (l.account.name !== l.account.categoryName) html += ` · ${term(lookup(l.account.name), l.account.name)}`;
    if (l.kind === 'OTHER_RECEIPT' || l.kind === 'OTHER_PAYMENT') {
      const flow = FLOW_KIND[l.kind]!;
      html += term(lookup(flow), `（${flow}）`);
    }
    html += '</td>';
    html += `<td class="nowrap" data-label="方式">${escapeText(PAYMENT_METHOD[l.paymentMethod] ?? '')}</td>`;
    const voucher = `${options.base}/${l.voucher.number}${options.voucherSuffix}`;
    html += `<td class="nowrap"><a href="${escapeAttribute(voucher)}">第${l.voucher.number}号凭证</a>`;
    if (l.voucher.attachments.length > 0) html += paperclip(l.voucher.attachments.length, `${voucher}#attachments`);
    html += '</td></tr>';
  }
  return html;
}
