// Plain words (/help/words): every accounting word a villager meets is explained there, every link to an
// explanation lands on one, and the anchors printed in links stay put. Pages are read over HTTP from the built portal.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { GLOSSARY, GLOSSARY_PATH, lookup, wordsInText, type GlossaryEntry } from '../../portal/src/lib/glossary.ts';
import { useTestPortal } from '../support/portal.ts';

const t = useTestPortal();
const root = new URL('../..', import.meta.url);
const ENTRIES: GlossaryEntry[] = GLOSSARY.flatMap((g) => g.entries);
const IDS = new Set(ENTRIES.map((e) => e.id));

/**
 * Every anchor published so far. Links to them are printed on notice boards and shared in chats: an anchor may be
 * added, never renamed or removed.
 */
const PUBLISHED = [
  'shouru', 'zhichu', 'yue', 'yuechu-yue', 'yuemo-yue', 'qita-wanglai', 'duizhang', 'leiji', 'leibie',
  'shoufukuanren', 'fangshi', 'pingzheng', 'zhaiyao', 'kemu', 'mingxi-kemu', 'fenlu', 'jie-dai', 'jiti', 'fujian',
  'qianzi', 'baozhangyuan', 'jingying-shouru', 'fabao-shangjiao-shouru', 'touzi-shouyi', 'buzhu-shouru',
  'nongyeshui-fanhuan', 'qita-shouru', 'jingying-zhichu', 'shuijin-fujia', 'guanli-feiyong', 'gongyi-zhichu',
  'qita-zhichu', 'suodeshui-feiyong', 'ganbu-baochou', 'kucun-xianjin', 'yinhang-cunkuan', 'duanqi-touzi',
  'yingshoukuan', 'neibu-wanglai', 'kucun-wuzi', 'xiaohaoxing-shengwu-zichan', 'shengchanxing-shengwu-zichan',
  'shengchanxing-shengwu-zichan-zhejiu', 'gongyixing-shengwu-zichan', 'shengchu-zichan', 'linmu-zichan',
  'changqi-touzi', 'guding-zichan', 'leiji-zhejiu', 'zaijian-gongcheng', 'guding-zichan-qingli', 'wuxing-zichan',
  'leiji-tanxiao', 'changqi-daitan-feiyong', 'daichuli-caichan-sunyi', 'duanqi-jiekuan', 'yingfukuan',
  'yingfu-gongzi', 'yingfu-laowufei', 'yingjiao-shuifei', 'yingfu-fulifei', 'changqi-jiekuan', 'yishiyiyi-zijin',
  'zhuanxiang-yingfukuan', 'ziben', 'gongji-gongyijin', 'bennian-shouyi', 'shouyi-fenpei', 'shengchan-chengben',
  'zhuxiang-zhubi', 'gongkai', 'hongqi', 'hongqi-guize', 'jianduyuan', 'jiaocha-jiandu', 'shenhe', 'gengzheng',
  'tiwen', 'shuzi-zhaiyao', 'heyan', 'dibao', 'quhua-daima', 'beiyongjin',
]; // prettier-ignore

/** The words issue 18 and the villagers' complaints name: each must have its explanation. */
const NAMED = [
  '借', '贷', '借方', '贷方', '计提', '其他往来', '管理费用', '经营支出', '公益支出', '应收款', '应付款', '现金',
  '库存现金', '银行存款', '凭证', '记账凭证', '摘要', '科目', '期初余额', '期末余额', '月初余额', '月末余额', '红旗',
]; // prettier-ignore

interface ChartRow {
  standard: '2004' | '2023';
  code: string;
  name: string;
  class: string;
}

function chart(standard: '2004' | '2023'): ChartRow[] {
  // The repository's copy of the national charts (db/reference/, as the database loads them).
  const text = readFileSync(new URL(`db/reference/accounts-${standard}.tsv`, root), 'utf8');
  return text
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => {
      const [code, name, cls] = line.split('\t');
      return { standard, code: code!, name: name!, class: cls! };
    });
}

async function page(path: string): Promise<{ status: number; html: string; headers: Headers }> {
  const res = await fetch(`${t.portal.url}${path}`);
  return { status: res.status, html: await res.text(), headers: res.headers };
}

interface TermLink {
  id: string;
  text: string;
}

const text = (html: string) => html.replace(/<[^>]*>/g, '').trim();

/** Every link on a page to an explanation on /help/words, with its text. */
function glossaryLinks(html: string): TermLink[] {
  return [...html.matchAll(/<a\b[^>]*\bhref="\/help\/words#([^"]*)"[^>]*>([\s\S]*?)<\/a>/g)].map((m) => ({
    id: m[1]!,
    text: text(m[2]!),
  }));
}

/** The term links (components/Term.astro) of a page. */
function termLinks(html: string): TermLink[] {
  return [...html.matchAll(/<a\b[^>]*\bclass="term"[^>]*>([\s\S]*?)<\/a>/g)].map((m) => ({
    id: /href="\/help\/words#([^"]*)"/.exec(m[0])?.[1] ?? '',
    text: text(m[1]!),
  }));
}

/** The .astro files of the portal, for the literal <Term term="…"> words they use. */
function astroFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return astroFiles(path);
    return name.endsWith('.astro') ? [path] : [];
  });
}

describe('the glossary (lib/glossary.ts)', () => {
  it('explains every first-level account of both national charts under its own name and code', () => {
    const missing: string[] = [];
    for (const row of [...chart('2023'), ...chart('2004')]) {
      const entry = lookup(row.name);
      if (!entry) missing.push(`${row.standard} ${row.code} ${row.name}: no entry`);
      else if (entry.codes?.[row.standard] !== row.code)
        missing.push(
          `${row.standard} ${row.code} ${row.name}: entry "${entry.term}" gives ${entry.codes?.[row.standard]}`,
        );
      else if (entry.class !== row.class)
        missing.push(`${row.standard} ${row.code} ${row.name}: class ${entry.class}, the chart says ${row.class}`);
    }
    expect(missing).toEqual([]);
    // And no entry claims a code its chart does not have under that name.
    for (const entry of ENTRIES.filter((e) => e.codes)) {
      for (const standard of ['2004', '2023'] as const) {
        const code = entry.codes![standard];
        if (!code) continue;
        const row = chart(standard).find((r) => r.code === code);
        expect(row && lookup(row.name)?.id, `${entry.term}: ${standard} ${code} is ${row?.name}`).toBe(entry.id);
      }
    }
  });

  it('explains every word the villagers named', () => {
    expect(NAMED.filter((word) => !lookup(word))).toEqual([]);
    expect(lookup('借')?.id).toBe('jie-dai');
    expect(lookup('贷方')?.id).toBe('jie-dai');
    // The 2004 chart's 现金 is today's 库存现金; brackets as exports write them.
    expect(lookup('现金')?.id).toBe('kucun-xianjin');
    expect(lookup('生产（劳务）成本')?.id).toBe('shengchan-chengben');
  });

  it('says each thing in one or two short sentences', () => {
    for (const e of ENTRIES) {
      const sentences = e.plain.split(/[。！？]/).filter((s) => s.trim() !== '');
      expect(sentences.length, `${e.term}: ${e.plain}`).toBeGreaterThanOrEqual(1);
      expect(sentences.length, `${e.term}: ${e.plain}`).toBeLessThanOrEqual(2);
      expect(e.plain.length, `${e.term} is ${e.plain.length} characters`).toBeLessThanOrEqual(110);
      expect(e.plain, e.term).toMatch(/。$/);
    }
  });

  it('keeps every published anchor, each unique and fit for a URL', () => {
    const ids = ENTRIES.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z][a-z0-9-]*$/);
    expect(PUBLISHED.filter((id) => !IDS.has(id))).toEqual([]);
    const groups = GLOSSARY.map((g) => g.id);
    expect(groups.filter((g) => IDS.has(g))).toEqual([]);
  });

  it('finds the bookkeeping words inside a 摘要, and loses no character of it', () => {
    expect(wordsInText('计提5月份村干部报酬')).toEqual([{ word: '计提' }, { text: '5月份村干部报酬' }]);
    expect(wordsInText('提取备用金')).toEqual([{ text: '提取' }, { word: '备用金' }]);
    expect(wordsInText('付路灯电费')).toEqual([{ text: '付路灯电费' }]);
    expect(wordsInText('')).toEqual([]);
    const mixed = '代收代付低保金，计提报酬，再计提';
    const parts = wordsInText(mixed);
    expect(parts.map((p) => ('word' in p ? p.word : p.text)).join('')).toBe(mixed);
    expect(parts.filter((p) => 'word' in p)).toHaveLength(3);
  });

  it('has every word a page passes to <Term term="…"> (astro check types it; this reads the sources too)', () => {
    const words = astroFiles(fileURLToPath(new URL('portal/src', root))).flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/<Term\s+term="([^"]+)"/g)].map((m) => ({ file, word: m[1]! })),
    );
    expect(words.length).toBeGreaterThan(20);
    expect(words.filter((w) => !lookup(w.word))).toEqual([]);
  });
});

describe('/help/words', () => {
  let html = '';
  beforeAll(async () => {
    const res = await page(GLOSSARY_PATH);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toContain('public');
    html = res.html;
  });

  it('has an anchor for every entry, once, and each entry its explanation', () => {
    for (const e of ENTRIES) {
      expect(html.split(` id="${e.id}"`).length - 1, e.id).toBe(1);
      expect(html, e.term).toContain(e.plain.replace(/&/g, '&amp;').replace(/"/g, '&quot;').slice(0, 20));
    }
  });

  it('links only to anchors it has', () => {
    const ids = new Set([...html.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]));
    const local = [...html.matchAll(/href="#([^"]+)"/g)].map((m) => m[1]);
    expect(local.length).toBeGreaterThan(5);
    expect(local.filter((id) => !ids.has(id))).toEqual([]);
    expect(glossaryLinks(html).filter((l) => !ids.has(l.id))).toEqual([]);
  });

  it('is light and has no script', () => {
    expect(html).not.toMatch(/<script/i);
    expect(gzipSync(html).length).toBeLessThanOrEqual(40 * 1024);
  });
});

describe('the pages link their words to the glossary', () => {
  /** 付村's months in the demo data: 2025-06 on the 2023 chart, 2023-12 on the 2004 chart. */
  const MONTHS = [
    { year: 2025, month: 6, path: '/v/fucun/2025-06' },
    { year: 2023, month: 12, path: '/v/fucun/2023-12' },
  ];

  interface ApiLine {
    kind: string;
    voucherNumber: number;
    summary: string;
    account: { name: string; categoryName: string };
  }

  async function apiLines(year: number, month: number): Promise<ApiLine[]> {
    const res = await t.api.query<{ village: { statement: { lines: { nodes: ApiLine[] } } } }>(
      `query ($y: Int!, $m: Int!) { village(slug: "fucun") { statement(year: $y, month: $m) {
        lines(first: 100) { nodes { kind voucherNumber summary account { name categoryName } } }
      } } }`,
      { y: year, m: month },
    );
    if (!res.data) throw new Error(res.text);
    return res.data.village.statement.lines.nodes;
  }

  /** The term links of a page: each to an anchor the glossary has, its text that entry's word (or a longer label). */
  function expectTermLinksRight(path: string, html: string): TermLink[] {
    const links = termLinks(html);
    for (const link of links) {
      expect(IDS.has(link.id), `${path}: link to #${link.id}`).toBe(true);
      const entry = ENTRIES.find((e) => e.id === link.id)!;
      const words = [entry.term, ...(entry.also ?? []), ...(entry.covers ?? [])];
      expect(
        lookup(link.text)?.id === entry.id || words.some((w) => link.text.includes(w)),
        `${path}: "${link.text}" links to ${entry.term}`,
      ).toBe(true);
    }
    // Any other link into the glossary (not a Term) lands on an anchor too.
    for (const link of glossaryLinks(html)) expect(IDS.has(link.id), `${path}: #${link.id}`).toBe(true);
    expect(html, path).not.toMatch(/<script/i);
    return links;
  }

  it('the month page: a "怎么看这一页" note, the totals and every line\'s category explained', async () => {
    for (const m of MONTHS) {
      const { status, html } = await page(m.path);
      expect(status, m.path).toBe(200);
      const howto = /<details class="howto"[\s\S]*?<\/details>/.exec(html)?.[0] ?? '';
      expect(howto, m.path).toContain('怎么看这一页');
      const howtoIds = new Set(glossaryLinks(howto).map((l) => l.id));
      for (const id of ['yuechu-yue', 'yuemo-yue', 'shouru', 'zhichu', 'qita-wanglai', 'duizhang', 'hongqi'])
        expect(howtoIds.has(id), `${m.path} how-to explains #${id}`).toBe(true);
      expect(howto).toContain(`href="${GLOSSARY_PATH}"`);

      const links = expectTermLinksRight(m.path, html);
      const ids = new Set(links.map((l) => l.id));
      for (const id of ['yuechu-yue', 'yuemo-yue', 'shouru', 'zhichu', 'duizhang', 'shuzi-zhaiyao'])
        expect(ids.has(id), `${m.path} links #${id}`).toBe(true);

      // Each category a line is booked under is a word of the glossary, linked where the line shows it.
      const lines = await apiLines(m.year, m.month);
      expect(lines.length).toBeGreaterThan(10);
      const table = /<table id="lines"[\s\S]*?<\/table>/.exec(html)?.[0] ?? '';
      const linked = new Set(termLinks(table).map((l) => l.text));
      for (const name of new Set(lines.map((l) => l.account.categoryName))) {
        expect(lookup(name), `${m.path}: category ${name} in the glossary`).toBeDefined();
        expect(linked.has(name), `${m.path}: category ${name} linked in the table`).toBe(true);
      }
      // 计提 in a line's 摘要 is linked where it stands.
      if (lines.some((l) => l.summary.includes('计提')))
        expect(termLinks(table).some((l) => l.id === 'jiti' && l.text === '计提')).toBe(true);
      if (lines.some((l) => l.kind === 'OTHER_RECEIPT' || l.kind === 'OTHER_PAYMENT'))
        expect(termLinks(table).some((l) => l.id === 'qita-wanglai')).toBe(true);
    }
  });

  it('the voucher page: 借 and 贷 as where the money came from and went, every account explained', async () => {
    for (const m of MONTHS) {
      const lines = await apiLines(m.year, m.month);
      const numbers = [...new Set(lines.map((l) => l.voucherNumber))];
      for (const n of numbers) {
        const path = `${m.path}/${n}`;
        const { status, html } = await page(path);
        expect(status, path).toBe(200);
        const links = expectTermLinksRight(path, html);
        const flow = /<section class="flow"[\s\S]*?<\/section>/.exec(html)?.[0] ?? '';
        expect(flow, path).toContain('钱从哪里来');
        expect(flow, path).toMatch(/钱(花|存)?到哪里去/);
        // 钱从哪里来 comes first and names the credit side; then the debit side.
        expect(flow.indexOf('钱从哪里来')).toBeLessThan(flow.search(/钱(花|存)?到哪里去/));
        const flowIds = glossaryLinks(flow).map((l) => l.id);
        expect(flowIds, path).toContain('jie-dai');
        // Every account on the voucher is explained: its first-level name is linked.
        const table = /<table class="stack"[\s\S]*?<\/table>/.exec(html)?.[0] ?? '';
        const linked = new Set(termLinks(table).map((l) => l.text));
        for (const l of lines.filter((x) => x.voucherNumber === n))
          expect(linked.has(l.account.categoryName), `${path}: ${l.account.categoryName}`).toBe(true);
        expect(links.some((l) => l.id === 'fenlu')).toBe(true);
      }
    }
  });

  it('the voucher page says when no money moved (计提), and only then', async () => {
    const lines = await apiLines(2025, 6);
    const accrual = lines.find((l) => l.summary.startsWith('计提'));
    expect(accrual, 'a 计提 voucher in 付村 2025-06').toBeDefined();
    const cashPaid = lines.find((l) => l.kind === 'SPENDING' && !l.summary.startsWith('计提'))!;
    const quiet = await page(`/v/fucun/2025-06/${accrual!.voucherNumber}`);
    expect(quiet.html).toContain('没有收付');
    expect(glossaryLinks(quiet.html).some((l) => l.id === 'jiti')).toBe(true);
    const paid = await page(`/v/fucun/2025-06/${cashPaid.voucherNumber}`);
    expect(paid.html).not.toContain('没有收付');
    expect(paid.html).toContain('钱花到哪里去');
  });

  it('the village and rules pages link their words, and the glossary from them', async () => {
    for (const [path, ids] of [
      ['/v/fucun', ['yue', 'shouru', 'zhichu', 'quhua-daima']],
      ['/rules?region=fucun', ['hongqi', 'jianduyuan', 'jiaocha-jiandu']],
      ['/rules', ['hongqi']],
    ] as const) {
      const { status, html } = await page(path);
      expect(status, path).toBe(200);
      const linked = new Set(expectTermLinksRight(path, html).map((l) => l.id));
      for (const id of ids) expect(linked.has(id), `${path} links #${id}`).toBe(true);
      expect(html, path).toContain(`href="${GLOSSARY_PATH}"`);
    }
  });
});
