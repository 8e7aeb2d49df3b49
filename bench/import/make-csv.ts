/**
 * A deterministic voucher CSV in 明白账's own layout, GBK-encoded as Excel on Chinese Windows saves it, for measuring
 * the import. Vouchers of 2–3 balanced lines with the 摘要, accounts and payees of a real village month; the same
 * arguments always give the same bytes.
 *
 *   pnpm exec tsx bench/import/make-csv.ts --lines 1000000 --month 2026-11 --out /tmp/big.csv [--seed 1]
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { mulberry32 } from '@mingbai/db/demo/random';

export interface MakeCsvOptions {
  lines: number;
  year: number;
  month: number;
  seed?: number;
}

const HEADER = [
  '凭证号',
  '日期',
  '摘要',
  '科目编码',
  '科目名称',
  '借方金额',
  '贷方金额',
  '收付款人',
  '是否个人',
  '身份证号',
  '手机号',
  '银行账号',
  '结算方式',
  '附件数',
  '制单人',
  '审核人',
  '审批人',
];

const SURNAMES = '王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎';
const GIVEN = '桂兰淑芬建军国强秀英志刚玉珍德明春华海燕丽娟振华文静凤英红梅永胜宝山金凤秀云树林长海俊杰玉兰';
const SHOPS = [
  '精武镇文具店',
  '西青区供电公司',
  '天津市自来水集团有限公司',
  '精武镇财政所',
  '付村农机合作社',
  '精武镇建材五金店',
  '天津滨海绿化工程有限公司',
  '精武镇卫生院',
  '中国移动西青分公司',
  '精武镇农业服务中心',
];

/** Spending: account, its name, 摘要 stems; the payee is a shop or a villager. */
const SPENDING: [string, string, string[], 'shop' | 'person'][] = [
  ['51301', '办公费', ['购买办公用品（打印纸, 墨盒）', '购买村委会办公桌椅', '复印资料费'], 'shop'],
  ['51302', '水电费', ['支付村委会电费', '支付村委会水费', '支付路灯电费'], 'shop'],
  ['51401', '道路维修', ['修补村内道路坑槽', '东街排水沟清淤', '村道路灯维修'], 'shop'],
  ['51402', '环境整治', ['村内垃圾清运费', '绿化苗木采购', '坑塘治理'], 'shop'],
  ['212', '', ['发放村干部工资', '发放保洁员工资', '发放护林员补贴'], 'person'],
  ['211', '', ['代发低保金', '代发高龄老人补贴', '代发残疾人两项补贴'], 'person'],
  ['51101', '农机服务成本', ['农机作业燃油费', '农机维修配件'], 'shop'],
];
/** Income: account, name, 摘要 stems, payer. */
const INCOME: [string, string, string[]][] = [
  ['50301', '运转经费补助', ['收到镇财政拨付村级组织运转经费', '收到村干部报酬补助']],
  ['50101', '发包收入', ['收到土地承包费', '收到鱼塘承包费', '收到厂房租金']],
  ['50401', '利息收入', ['银行存款利息']],
];
const PREPARERS = ['王淑芬', '李秀英', '张玉兰'];

/** GBK has no encoder in Node: invert the GB18030 decoder over every two-byte sequence, which covers this text. */
function gbkEncoder(): (text: string) => Buffer {
  const decoder = new TextDecoder('gb18030', { fatal: true });
  const table = new Map<number, number>();
  for (let lead = 0x81; lead <= 0xfe; lead++) {
    for (let trail = 0x40; trail <= 0xfe; trail++) {
      if (trail === 0x7f) continue;
      try {
        const ch = decoder.decode(new Uint8Array([lead, trail]));
        const code = ch.codePointAt(0)!;
        if (ch.length === 1 && !table.has(code)) table.set(code, (lead << 8) | trail);
      } catch {
        // not a character
      }
    }
  }
  return (text) => {
    const out = Buffer.allocUnsafe(text.length * 2);
    let n = 0;
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code < 0x80) out[n++] = code;
      else {
        const pair = table.get(code);
        if (pair === undefined) throw new Error(`no GBK code for ${text[i]}`);
        out[n++] = pair >> 8;
        out[n++] = pair & 0xff;
      }
    }
    return out.subarray(0, n);
  };
}

function yuan(fen: number, grouped: boolean): string {
  const whole = Math.floor(fen / 100);
  const text = `${whole}.${String(fen % 100).padStart(2, '0')}`;
  return grouped ? text.replace(/\B(?=(\d{3})+(?!\d))/g, ',') : text;
}

function quote(cell: string): string {
  return /[",\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell;
}

/** The CSV as text, one voucher at a time (each chunk ends with a line break). */
export function* voucherCsv(options: MakeCsvOptions): Generator<string> {
  const rand = mulberry32(options.seed ?? 1);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
  const days = new Date(Date.UTC(options.year, options.month, 0)).getUTCDate();
  const ym = `${options.year}-${String(options.month).padStart(2, '0')}`;
  const persons = Array.from(
    { length: 400 },
    () => pick([...SURNAMES]) + pick([...GIVEN]) + (rand() < 0.5 ? pick([...GIVEN]) : ''),
  );
  const idOf = (name: string) =>
    `120111${1950 + (name.charCodeAt(0) % 50)}0${1 + (name.charCodeAt(1) % 9)}1${name.length}00${name.charCodeAt(0) % 10}${name.charCodeAt(1) % 10}`;
  yield HEADER.join(',') + '\r\n';
  let left = options.lines;
  let number = 0;
  while (left > 0) {
    const count = left === 3 || (left > 4 && rand() < 0.4) ? 3 : 2;
    left -= count;
    number++;
    // Numbers run 1..n, but a voucher is now and then exported after the next one, as real books are.
    const shown = number % 7 === 3 && left > 0 ? number + 1 : number % 7 === 4 ? number - 1 : number;
    const day = Math.min(days, 1 + Math.floor(((number - 1) / Math.max(1, options.lines / 2.5)) * days));
    const date = `${ym}-${String(day).padStart(2, '0')}`;
    const preparer = pick(PREPARERS);
    const bank = rand() < 0.8;
    const cash = bank ? '102' : '101';
    const settle = bank ? '银行' : '现金';
    const rows: string[][] = [];
    const blank = (): string[] => Array<string>(HEADER.length).fill('');
    if (rand() < 0.25) {
      const [code, name, stems] = pick(INCOME);
      const fen = 10_000 + Math.floor(rand() * 5_000_000);
      const summary = `${pick(stems)}（${options.month}月）`;
      const a = blank();
      Object.assign(a, { 0: String(shown), 1: date, 2: summary, 3: cash, 5: yuan(fen, true), 12: settle });
      a[13] = String(1 + Math.floor(rand() * 3));
      a[14] = preparer;
      a[15] = '刘建军';
      a[16] = '赵国强';
      const b = blank();
      Object.assign(b, { 0: String(shown), 1: date, 2: summary, 3: code, 4: name, 6: yuan(fen, true) });
      b[7] = pick(SHOPS);
      b[8] = '否';
      b[12] = settle;
      rows.push(a, b);
      if (count === 3) {
        // Bank charges on the receipt: the income line is split in two.
        const fee = 100 + Math.floor(rand() * 900);
        a[5] = yuan(fen - fee, true);
        const c = blank();
        Object.assign(c, { 0: String(shown), 1: date, 2: '银行手续费', 3: '51301', 4: '办公费', 5: yuan(fee, false) });
        rows.push(c);
      }
    } else {
      const [code, name, stems, payee] = pick(SPENDING);
      const person = payee === 'person' ? pick(persons) : '';
      const summary = payee === 'person' ? `${pick(stems)}（${person}）` : pick(stems);
      const parts = count === 3 ? 2 : 1;
      let total = 0;
      for (let i = 0; i < parts; i++) {
        const fen = 1_000 + Math.floor(rand() * (payee === 'person' ? 300_000 : 2_000_000));
        total += fen;
        const r = blank();
        Object.assign(r, { 0: String(shown), 1: date, 2: i === 0 ? summary : `${summary}（二）`, 3: code, 4: name });
        r[5] = yuan(fen, rand() < 0.5);
        if (payee === 'person') {
          r[7] = i === 0 ? person : pick(persons);
          r[8] = '是';
          if (rand() < 0.3) r[9] = idOf(r[7]);
          if (rand() < 0.3) r[10] = `138${String(Math.floor(rand() * 1e8)).padStart(8, '0')}`;
        } else {
          r[7] = pick(SHOPS);
          r[8] = '否';
        }
        r[12] = settle;
        if (i === 0) {
          r[13] = String(Math.floor(rand() * 4));
          r[14] = preparer;
          r[15] = '刘建军';
          r[16] = '赵国强';
        }
        rows.push(r);
      }
      const c = blank();
      Object.assign(c, { 0: String(shown), 1: date, 2: summary, 3: cash, 6: yuan(total, true), 12: settle });
      rows.push(c);
    }
    yield rows.map((r) => r.map(quote).join(',')).join('\r\n') + '\r\n';
  }
}

/** Writes the file; returns its size in bytes. */
export function makeCsv(out: string, options: MakeCsvOptions): number {
  const encode = gbkEncoder();
  const fd = openSync(out, 'w');
  let pending: string[] = [];
  let chars = 0;
  let bytes = 0;
  const flush = () => {
    const chunk = encode(pending.join(''));
    writeSync(fd, chunk);
    bytes += chunk.length;
    pending = [];
    chars = 0;
  };
  try {
    for (const text of voucherCsv(options)) {
      pending.push(text);
      chars += text.length;
      if (chars > 1 << 20) flush();
    }
    flush();
  } finally {
    closeSync(fd);
  }
  return bytes;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const { values } = parseArgs({
    options: {
      lines: { type: 'string', default: '1000000' },
      month: { type: 'string', default: '2026-11' },
      out: { type: 'string' },
      seed: { type: 'string', default: '1' },
    },
  });
  const m = /^(\d{4})-(\d{1,2})$/.exec(values.month);
  const lines = Number(values.lines);
  if (!values.out || !m || !Number.isInteger(lines) || lines < 2) {
    console.error('usage: make-csv.ts --lines 1000000 --month 2026-11 --out /tmp/big.csv [--seed 1]');
    process.exit(2);
  }
  const started = performance.now();
  const bytes = makeCsv(values.out, { lines, year: Number(m[1]), month: Number(m[2]), seed: Number(values.seed) });
  console.log(JSON.stringify({ out: values.out, lines, bytes, ms: Math.round(performance.now() - started) }));
}
