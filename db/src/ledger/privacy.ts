/**
 * What the public may see of a natural person (DESIGN.md, Privacy): 张*, 张*静, ID 前6 + ******** + 后4,
 * phone 138****1234, card 前4 ****后4. Masking happens when a voucher is written, so public reads and searches
 * only ever touch masked text; every public output (pages, GraphQL, CSV, JSON Lines, datapackage, digest) reads
 * the `*_public` columns this module fills. Its behaviour is pinned by `privacy-corpus.tsv` (privacy-corpus.test.ts).
 *
 * Decisions:
 * - Landlines (022-12345678, 022-2739 1234, 400-…) stay in clear: in a village ledger they are the numbers of offices,
 *   shops and suppliers, and DESIGN.md names mobile numbers, not landlines. Mobiles are masked however written.
 * - A surname with a job title (刘会计, 赵主任, 王书记) is a role, not a name, and stays as written.
 * - Names in free text are found two ways: the persons the village pays (`knownNames`), and a surname after a cue
 *   (经办人郑小军, 支付陈大明误工补贴, 陈大明领取…). A name without any cue is not guessed at: the text of a village is
 *   full of words that begin with a surname (高龄补贴, 周转金, 马路, 王庄村).
 */

/** Compound surnames, matched before single ones: 欧阳凤兰 → 欧阳*兰. */
export const COMPOUND_SURNAMES: readonly string[] = (
  '欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 令狐 夏侯 长孙 宇文 司徒 端木 独孤 南宫 西门 轩辕 万俟 闻人 澹台 ' +
  '公冶 宗政 濮阳 淳于 单于 太叔 申屠 钟离 呼延 赫连 拓跋 百里 东郭 左丘 第五 鲜于 闾丘 司空 司寇 子车 颛孙 ' +
  '巫马 公西 漆雕 乐正 谷梁 段干 羊舌 微生 公良 呼和'
).split(' ');

/**
 * Single surnames common enough to start a name in free text. Rare surnames that are everyday words (年, 上, 水, 门,
 * 党, 和, 国, 费, 全, 代) are left out on purpose: a name with one of them is still masked when the village pays the
 * person (known names), only not guessed in free text.
 */
const SINGLE_SURNAMES = new Set(
  [
    ...'王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢',
    ...'姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温',
    ...'康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂',
    ...'成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党',
    ...'宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝',
  ].filter((c) => !'年上水门党和国费全代'.includes(c)),
);

/** 刘会计, 赵主任: a surname with one of these is how a village names an office holder, and stays. */
const TITLES: readonly string[] = (
  '会计 出纳 主任 副主任 书记 副书记 支书 村长 组长 队长 社长 主席 委员 委员长 代表 大夫 医生 护士 老师 教师 校长 院长 ' +
  '经理 总经理 厂长 站长 所长 镇长 乡长 县长 局长 科长 处长 部长 股长 干事 文书 会长 师傅 老板 律师 警官 司机 工 总 ' +
  '经理人 助理 秘书 专干 主管 监事 理事 理事长 董事长 行长'
)
  .split(' ')
  .sort((a, b) => b.length - a.length);

const TITLE_SET = new Set(TITLES);
const COMPOUND_SET = new Set(COMPOUND_SURNAMES);

function isTitleForm(name: string): boolean {
  return (
    (COMPOUND_SET.has(name.slice(0, 2)) && TITLE_SET.has(name.slice(2))) ||
    (SINGLE_SURNAMES.has(name.slice(0, 1)) && TITLE_SET.has(name.slice(1)))
  );
}

function surnameLengthOf(chars: readonly string[]): 1 | 2 {
  return chars.length >= 3 && COMPOUND_SET.has(chars[0]! + chars[1]!) ? 2 : 1;
}

/** 张三 → 张*; 张三丰 → 张*丰; 欧阳凤兰 → 欧阳*兰; 欧阳娜 → 欧阳*; 刘会计 stays (a role, not a name). */
export function maskName(name: string): string {
  const trimmed = name.trim();
  if (isTitleForm(trimmed)) return trimmed;
  const chars = [...trimmed];
  if (chars.length <= 1) return chars.length === 0 ? '' : '*';
  const keep = surnameLengthOf(chars);
  const given = chars.length - keep;
  if (given === 1) return `${chars.slice(0, keep).join('')}*`;
  return `${chars.slice(0, keep).join('')}${'*'.repeat(given - 1)}${chars[chars.length - 1]}`;
}

/** 120111198001011234 → 120111********1234 (15-digit IDs keep the same head and tail). */
export function maskIdNumber(id: string): string {
  const s = id.trim();
  if (s.length <= 10) return '*'.repeat(s.length);
  return `${s.slice(0, 6)}${'*'.repeat(s.length - 10)}${s.slice(-4)}`;
}

/** 13812341234 → 138****1234. */
export function maskPhone(phone: string): string {
  const s = phone.trim();
  if (s.length <= 7) return '*'.repeat(s.length);
  return `${s.slice(0, 3)}${'*'.repeat(s.length - 7)}${s.slice(-4)}`;
}

/** 6228480012345678901 → 6228 ****8901. */
export function maskBankAccount(account: string): string {
  const s = account.replace(/\s+/g, '');
  if (s.length <= 8) return '*'.repeat(s.length);
  return `${s.slice(0, 4)} ****${s.slice(-4)}`;
}

// ---- Numbers, however written ----

/** Full-width digits and separators as ASCII, one UTF-16 unit for one, so positions stay the same. */
function asciiDigits(text: string): string {
  return text.replace(/[\uff10-\uff19\uff38\uff58\uff0b\uff0d\uff0e\u3000\u2010-\u2015\u2212]/g, (c) => {
    const code = c.charCodeAt(0);
    if (code >= 0xff10 && code <= 0xff19) return String.fromCharCode(code - 0xff10 + 48);
    if (c === '\uff38' || c === '\uff58') return 'X';
    if (c === '\uff0b') return '+';
    if (c === '\uff0e') return '.';
    if (c === '\u3000') return ' ';
    return '-';
  });
}

/**
 * A run of digit groups with short separators between them (space, dash, dot), optionally after `+`, optionally
 * ending in an ID check digit X. Chinese text may touch it directly (电话13812345678); a Latin letter glued to it
 * makes it a code (税号 91120111300012345K, HT2025…), as it does for leak-scan.py.
 */
const NUMBER_RUN = /(\+)?(?<![0-9A-Za-z])[0-9]+(?:[ \u00a0.-]{1,3}[0-9]+)*(?:[Xx](?![0-9A-Za-z]))?(?![0-9A-Za-z])/g;
const SEPARATORS = /[ \u00a0.-]{1,3}/g;

const ID_18 = /^[1-8][0-9]{5}(?:19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9X]$/;
const ID_15 = /^[1-8][0-9]{5}[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}$/;
const MOBILE = /^1[3-9][0-9]{9}$/;

interface Group {
  digits: string;
  start: number;
  end: number;
}

/** What the groups `gs` spell, masked; undefined when they are not personal (a date, an amount, a code, a landline). */
function maskNumber(gs: readonly Group[], plus: boolean, checkX: boolean): string | undefined {
  const digits = gs.map((g) => g.digits).join('') + (checkX ? 'X' : '');
  const lengths = gs.map((g) => g.digits.length);
  const wide = (from: number) => lengths.slice(from).every((n) => n >= 3);
  if (ID_18.test(digits) && (gs.length === 1 || lengths.every((n) => n >= 2))) return maskIdNumber(digits);
  if (checkX) return undefined;
  if (ID_15.test(digits) && wide(0)) return maskIdNumber(digits);
  if (MOBILE.test(digits) && wide(0) && !plus) return maskPhone(digits);
  for (const prefix of ['0086', '86']) {
    if (!digits.startsWith(prefix) || !MOBILE.test(digits.slice(prefix.length))) continue;
    if (prefix === '0086' && plus) continue;
    const shapeOk = gs[0]!.digits === prefix ? wide(1) : gs[0]!.digits.length >= prefix.length + 3 && wide(1);
    if (shapeOk) return `${plus ? '+' : ''}${prefix} ${maskPhone(digits.slice(prefix.length))}`;
  }
  if (plus) return undefined;
  if (digits.length >= 16 && digits.length <= 19) {
    const last = lengths[lengths.length - 1]!;
    const blocksOfFour = lengths.slice(0, -1).every((n) => n === 4) && last >= 3 && last <= 4;
    const headAndBody = gs.length === 2 && lengths[0] === 6;
    if (gs.length === 1 || blocksOfFour || headAndBody) return maskBankAccount(digits);
  }
  return undefined;
}

/** Every ID number, mobile number and bank card in `text`, masked; everything else byte for byte as it was. */
export function maskNumbers(text: string): string {
  if (!/[0-9\uff10-\uff19]/.test(text)) return text;
  const ascii = asciiDigits(text);
  let out = '';
  let copied = 0;
  for (const m of ascii.matchAll(NUMBER_RUN)) {
    const plus = m[1] === '+';
    const runStart = m.index + (plus ? 1 : 0);
    let body = m[0].slice(plus ? 1 : 0);
    const checkX = /[Xx]$/.test(body);
    if (checkX) body = body.slice(0, -1);
    const groups: Group[] = [];
    let at = 0;
    for (const part of body.split(SEPARATORS)) {
      const start = body.indexOf(part, at);
      groups.push({ digits: part, start: runStart + start, end: runStart + start + part.length });
      at = start + part.length;
    }
    // Leftmost, longest: a date and a phone in one run (20251003 13812345678) are two things, not a card.
    for (let i = 0; i < groups.length;) {
      let matched = false;
      for (let j = groups.length - 1; j >= i; j--) {
        const last = j === groups.length - 1;
        const masked = maskNumber(groups.slice(i, j + 1), plus && i === 0, checkX && last);
        if (masked === undefined) continue;
        const start = plus && i === 0 ? m.index : groups[i]!.start;
        const end = groups[j]!.end + (checkX && last ? 1 : 0);
        out += text.slice(copied, start) + masked;
        copied = end;
        i = j + 1;
        matched = true;
        break;
      }
      if (!matched) i++;
    }
  }
  return out + text.slice(copied);
}

// ---- Names in free text ----

/** Words before a name: roles of a person in a payment. Longest first. */
const CUES = (
  '经办人 领款人 收款人 付款人 报销人 借款人 经手人 签收人 领取人 代领人 缴款人 交款人 申请人 联系人 负责人 受益人 ' +
  '监护人 代理人 证明人 承包人 承包户 承租人 出租人 户主 村民 农户 居民 贫困户 低保户 五保户 特困户 困难户 残疾人 ' +
  '老党员 党员 老人 村民代表 保洁员 护林员 网格员 工人 司机 会计 出纳 报账员 收款方 经办 收款 领款'
)
  .split(' ')
  .sort((a, b) => b.length - a.length);

/** Verbs and prepositions a name follows: 支付陈大明误工补贴, 由张三领取. */
const VERBS = '支付给 支付 付给 付 发放给 发放 发给 补发 退还给 退还 退 慰问 奖励 赔偿 借给 收到 收取 由 给 向 为 替'
  .split(' ')
  .sort((a, b) => b.length - a.length);

/** What a person does, after the name: 陈大明领取. Enough on its own, even at the start of the text. */
const ACTIONS = (
  '领取 代领 领款 领 报销 借款 借支 签收 签字 垫付 交来 交回 缴纳 缴来 还款 退回 经办 同志 等人 夫妇 一家 之妻 之子 之女 ' +
  '父亲 母亲 儿子 女儿 老伴 妻子 丈夫 户'
)
  .split(' ')
  .sort((a, b) => b.length - a.length);

/** What is paid to a person, after the name: 支付陈大明误工补贴. Only after a cue or a verb. */
const ITEMS = (
  '工资 误工 补贴 补助 劳务 工钱 报酬 押金 保证金 医药费 医疗 慰问金 低保 养老 抚恤 奖金 奖励 借款 差旅 餐费 运费 ' +
  '租金 土地 承包 青苗 拆迁 救助 丧葬 取暖 困难 住院 看病 生活费 加班 值班 务工 装卸 维修 清运 垫款 款 费 的 等 ' +
  '和 与 及 、 家 护林 保洁 护路 看护 巡逻 打扫 清扫 绿化 除草 浇水 巡河 巡查 看门 做饭 帮工 零工 临时工 小工'
)
  .split(' ')
  .sort((a, b) => b.length - a.length);

/** Words that begin with a surname and are no name: 高龄补贴, 周转金, 马路, 金额. Checked against a candidate's start. */
const NOT_NAMES = new Set(
  (
    '高龄 高温 高压 高中 高速 周转 周年 周边 周末 马路 金额 金融 余额 余款 安全 安装 安置 常规 常年 常务 文化 文艺 文明 ' +
    '文件 卫生 车辆 车费 房屋 房租 钱款 田间 田地 林地 林木 林业 苗木 花卉 花费 石料 石子 石材 沙石 黄沙 白灰 方案 方便 方向 ' +
    '程序 施工 申请 申报 项目 关爱 温暖 温室 景观 武装 洪水 江堤 季度 夏季 万元 包干 包装 成本 成员 任务 任期 管理 ' +
    '管护 管网 管道 顾问 康复 向阳 易耗 严格 陆续 商品 商店 简易 符合 纪念 冷库 池塘 谷物 乔木 雷雨 焦炭 贺卡 明年 ' +
    '时间 计划 解放 路灯 路面 路费 单位 连续 连同 华北 华为 东方红 司机 司法 应急 应收 应付 宫灯 师生 兰花 梅花 柳树 ' +
    '杨树 龙头 牛奶 毛巾 米面 柴油 燃油 童装 麦收 麦种 曲线 党费 党建 齐全 孔雀 陶瓷 鲁班 毕业 艾草 游园 ' +
    '宁静 尚未 舒适 蓝天 苏州 秦皇岛 岳父 岳母 吉祥 吉林 古树 古建 时代 盛世 章程 凌晨 全体 沈阳 杜绝 ' +
    '姜 雷锋 庞大 翁 贺岁 汤 伍 仲 和平 江苏 湖北 湖南 河北 河南 山东 山西 广东 广西 黄河 长江 欧洲 东北 西北 西门'
  ).split(' '),
);

/** Characters no given name here has: they end a name or mean a place or an office. */
const NOT_IN_NAME = new Set([
  ...'的等和与及领村庄镇乡屯营堡窝坨街路区县市省号室院校店厂站所队组社局部处元角年月日费款支付收取补贴助资',
  ...'共计合共元整个次笔项期批户家届季度份张份件台辆套块条根米吨斤平方',
  ...'0123456789*',
]);

/** NOT_NAMES and every start of them of two characters or more: 秦皇 is a start of 秦皇岛, not a name. */
const NOT_NAME_STARTS = new Set([...NOT_NAMES].flatMap((w) => [...w].map((_, i) => w.slice(0, i + 1)).slice(1)));

/** Han in the Basic Multilingual Plane; texts are walked by UTF-16 unit, and a rarer character just ends a name. */
function isHan(c: string | undefined): boolean {
  if (c === undefined) return false;
  const code = c.charCodeAt(0);
  return (code >= 0x3400 && code <= 0x9fff) || (code >= 0xf900 && code <= 0xfaff);
}

const alternation = (words: readonly string[]) => words.map(escapeRegExp).join('|');
const ACTION_AT = new RegExp(alternation(ACTIONS), 'y');
const ITEM_AT = new RegExp(alternation(ITEMS), 'y');
const LONG_ITEM_AT = new RegExp(alternation(ITEMS.filter((w) => w.length > 1)), 'y');
const COMPOUND_FIRST = new Set(COMPOUND_SURNAMES.map((s) => s[0]!));

function startsAt(re: RegExp, text: string, at: number): boolean {
  re.lastIndex = at;
  return re.test(text);
}

type Left = 'cue' | 'verb' | 'weak';

/** Whether a name candidate ending at `end` has a plausible right side for how it was introduced. */
function rightFits(text: string, end: number, left: Left): boolean {
  const next = text[end];
  // The end of the text, punctuation, a digit or a space ends a name after a cue; at the start of a text it proves nothing.
  if (next === undefined || !isHan(next)) return left !== 'weak';
  if (startsAt(ACTION_AT, text, end)) return true;
  // 经办人郑小军…: after a cue the name is what comes, whatever follows it.
  if (left === 'cue') return true;
  // 陈大明的低保金: at the start of a text, 的 only when what follows is paid to a person.
  if (left === 'weak') return next === '的' && startsAt(LONG_ITEM_AT, text, end + 1);
  return startsAt(ITEM_AT, text, end);
}

function candidateAt(text: string, at: number, left: Left): number | undefined {
  const surnameLength = COMPOUND_SET.has(text.slice(at, at + 2)) ? 2 : SINGLE_SURNAMES.has(text[at] ?? '') ? 1 : 0;
  if (surnameLength === 0) return undefined;
  // 刘会计, 赵副主任: a role, whatever follows.
  for (let k = 1; k <= 3; k++) if (isTitleForm(text.slice(at, at + surnameLength + k))) return undefined;
  for (const given of [2, 1]) {
    const end = at + surnameLength + given;
    if (end > text.length) continue;
    let ok = true;
    for (let i = at + surnameLength; i < end; i++) if (!isHan(text[i]) || NOT_IN_NAME.has(text[i]!)) ok = false;
    if (!ok) continue;
    const name = text.slice(at, end);
    if (NOT_NAME_STARTS.has(name) || NOT_NAMES.has(name.slice(0, 2)) || NOT_NAMES.has(name)) continue;
    if (ORGANISATION_ENDINGS.test(text.slice(end, end + 8))) return undefined;
    if (rightFits(text, end, left)) return end;
  }
  return undefined;
}

/** Words that make the text they end an organisation or a place: 李记五金店, 王庄村委会, 张三丰超市. */
const ORGANISATION_ENDINGS =
  /^[^\s，,。.、；;：:（）()0-9]{0,4}?(?:店|公司|超市|医院|诊所|卫生室|卫生院|学校|小学|中学|幼儿园|合作社|银行|厂|商行|门市|经营部|集团|中心|委员会|村委会|政府|办事处|市场|加油站|酒店|饭店|宾馆|物业|工程队|施工队|养殖场|农场|种植园|社区|街道)/u;

const CUE_SET = new Set(CUES);
const VERB_SET = new Set(VERBS);
const LONGEST_LEFT_WORD = Math.max(...CUES.map((w) => w.length), ...VERBS.map((w) => w.length));

/** Whether a cue or a verb ends right before `at` (a colon, space, 为 or 是 may stand between). */
function leftWordBefore(text: string, at: number): Left | undefined {
  let j = at;
  while (j > 0 && '：: \u3000\t为是'.includes(text[j - 1]!)) j--;
  let verb = false;
  for (let k = Math.min(LONGEST_LEFT_WORD, j); k >= 1; k--) {
    const word = text.slice(j - k, j);
    if (CUE_SET.has(word)) return 'cue';
    if (VERB_SET.has(word)) verb = true;
  }
  return verb ? 'verb' : undefined;
}

/**
 * Names introduced by a cue in free text: 经办人郑小军 → 经办人郑*军, 陈大明领取误工补贴 → 陈*明领取误工补贴,
 * 支付欧阳凤兰护林工资 → 支付欧阳*兰护林工资. A list after a cue (张三、李四) is masked name by name.
 */
export function maskCuedNames(text: string): string {
  let out = '';
  let copied = 0;
  let chained = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (!SINGLE_SURNAMES.has(c) && !COMPOUND_FIRST.has(c)) continue;
    const prev = text[i - 1];
    const weak =
      i === 0 ||
      (prev !== undefined && !isHan(prev) && prev !== '*') ||
      (prev !== undefined && '月日号'.includes(prev) && /[0-9０-９]/u.test(text[i - 2] ?? ''));
    const left: Left | undefined = i === chained ? 'cue' : (leftWordBefore(text, i) ?? (weak ? 'weak' : undefined));
    const end = left ? candidateAt(text, i, left) : undefined;
    if (end === undefined) continue;
    out += text.slice(copied, i) + maskName(text.slice(i, end));
    copied = end;
    i = end - 1;
    if ('、，,和及与'.includes(text[end] ?? '-') && left !== 'weak') chained = end + 1;
  }
  return out + text.slice(copied);
}

/**
 * Masks personal data in free text (摘要, the name of a payee that is not a person): every ID, mobile or card number
 * however written, the full names of the persons the village deals with (`knownNames`), and names a cue introduces.
 * Build the masker once per batch: it compiles the names into one expression.
 */
export function createTextMasker(knownNames: Iterable<string> = []): (text: string) => string {
  const names = [...new Set([...knownNames].map((n) => n.trim()).filter((n) => n.length >= 2 && !isTitleForm(n)))];
  // Longest first, so 张三丰 is masked before a 张三 inside it could be.
  names.sort((a, b) => b.length - a.length);
  const nameRegex = names.length > 0 ? new RegExp(names.map(escapeRegExp).join('|'), 'g') : undefined;
  return (text) => {
    const numbersMasked = maskNumbers(text);
    const known = nameRegex ? numbersMasked.replace(nameRegex, maskName) : numbersMasked;
    return maskCuedNames(known);
  };
}

export function maskText(text: string, knownNames: Iterable<string> = []): string {
  return createTextMasker(knownNames)(text);
}

/**
 * The public form of a month's review: who approved, raised a flag or answered (masked like any person's name) and
 * what they wrote (a supervisor's reason, an answer, an approval note: numbers and named people masked as in 摘要).
 * The API, the bulk files and the v2 digest all use these two, so anyone can recompute a digest from what is public.
 */
export function publicReviewName(name: string): string {
  return maskName(name);
}

export function publicReviewText(text: string): string {
  return maskText(text);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
