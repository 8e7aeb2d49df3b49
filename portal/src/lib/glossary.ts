/**
 * The words a villager meets on our pages, each explained in one or two plain sentences for /help/words.
 *
 * Every entry's `id` is the anchor of its explanation (`/help/words#jie-dai`). Pages link to it, and so may a notice
 * board's printout or a WeChat message: an id, once published, is never renamed or removed (tests/portal/words.test.ts
 * keeps the list). Add entries freely; change a sentence when it can be said more plainly.
 *
 * The account entries carry their codes in both national charts (shared/reference/accounts-2023.tsv and
 * accounts-2004.tsv; the same code means other things in the two, so a code is always paired with its chart), and
 * the test checks every first-level account of both charts is here under its own name.
 */

/** asset 资产 · liability 负债 · equity 所有者权益 · cost 成本 · income 收入 · expense 支出, as the charts say. */
export type AccountClass = 'asset' | 'liability' | 'equity' | 'cost' | 'income' | 'expense';

interface EntryDef {
  /** The anchor on /help/words: lowercase pinyin, stable forever. */
  readonly id: string;
  /** The word as our pages write it. */
  readonly term: string;
  /** Other ways the pages write the same thing (the 2004 chart's name, a short form, the column heading). */
  readonly also?: readonly string[];
  /** Narrower words this entry explains too (a village's sub-accounts under it: 办公费 under 管理费用). */
  readonly covers?: readonly string[];
  /** One or two sentences an elderly villager understands without another glossary. */
  readonly plain: string;
  /** An account's first-level code in each chart it exists in. */
  readonly codes?: { readonly '2023'?: string; readonly '2004'?: string };
  readonly class?: AccountClass;
}

interface GroupDef {
  readonly id: string;
  readonly title: string;
  /** A line under the heading saying why these words belong together. */
  readonly intro: string;
  readonly entries: readonly EntryDef[];
}

const GROUPS = [
  {
    id: 'month',
    title: '看月报先懂这几个词',
    intro: '每个月的收支公开页面最上面的几个数。',
    entries: [
      {
        id: 'shouru',
        term: '收入',
        also: ['本月收入'],
        plain:
          '村集体收到、归村里所有的钱，比如土地发包款、房屋租金、上级拨的补助。替别人代收、以后要转出去的钱不算收入。',
      },
      {
        id: 'zhichu',
        term: '支出',
        also: ['本月支出'],
        plain: '村集体花掉的钱，比如修路、办公、村干部报酬。替别人转付的钱（比如代发的低保金）不算支出。',
      },
      {
        id: 'yue',
        term: '余额',
        also: ['账上余额'],
        plain: '村里现在手上有多少钱，就是库存现金加上银行存款。',
      },
      {
        id: 'yuechu-yue',
        term: '月初余额',
        also: ['期初余额'],
        plain: '这个月开始的时候，村里的现金和银行存款一共有多少钱。它就是上个月的月末余额。',
      },
      {
        id: 'yuemo-yue',
        term: '月末余额',
        also: ['期末余额'],
        plain: '这个月结束的时候，村里的现金和银行存款一共还剩多少钱。',
      },
      {
        id: 'qita-wanglai',
        term: '其他往来',
        also: ['其他收款', '其他付款', '往来'],
        covers: ['代收代付'],
        plain:
          '进出村里账户、但这时不算收入也不算支出的钱，比如代收代付的低保金、收了以后要退的押金、发放早先计提过的报酬。收进来叫“其他收款”，付出去叫“其他付款”。',
      },
      {
        id: 'duizhang',
        term: '对账相符',
        also: ['对账'],
        plain:
          '系统自己算了一遍：月初余额加收入、减支出、再加减其他往来，正好等于月末余额。不相符，就说明账有问题，可以向村委会问。',
      },
      {
        id: 'leiji',
        term: '累计',
        also: ['本年累计', '年初至今'],
        plain: '从今年1月到这个月，每个月加在一起一共多少。',
      },
      {
        id: 'leibie',
        term: '类别',
        also: ['支出构成', '一级科目'],
        plain: '这笔钱算哪一类收入或支出，比如管理费用、公益支出。类别就是国家统一规定的会计科目大类。',
      },
      {
        id: 'shoufukuanren',
        term: '收付款人',
        plain: '钱付给了谁，或者是从谁那里收来的。个人的名字只显示姓，比如“张*”，保护个人信息。',
      },
      {
        id: 'fangshi',
        term: '付款方式',
        also: ['方式'],
        plain: '这笔钱是怎么给的：现金就是当面给钱；银行、转账是通过银行账户走的，银行有记录可查。',
      },
    ],
  },
  {
    id: 'voucher',
    title: '凭证上的词',
    intro: '每一笔钱都有一张记账凭证，点“第几号凭证”就能看到。',
    entries: [
      {
        id: 'pingzheng',
        term: '记账凭证',
        also: ['凭证'],
        plain: '记一笔账的单子：哪天、干什么用、多少钱、从哪个账上走。每一笔钱进出，会计都要填一张，经手人要签字。',
      },
      {
        id: 'zhaiyao',
        term: '摘要',
        plain: '凭证上用一句话写的“这笔钱是干什么的”，比如“付5月路灯电费”。',
      },
      {
        id: 'kemu',
        term: '科目',
        also: ['会计科目'],
        plain: '会计给钱分的类，每一类有名字和编号，比如“513 管理费用”。大类由国家统一规定，村里可以在下面再分小类。',
      },
      {
        id: 'mingxi-kemu',
        term: '明细科目',
        also: ['子科目', '二级科目'],
        plain: '大类科目下面再分的小类，编号是在大类编号后面加两位，比如“51301 办公费”属于“513 管理费用”。',
      },
      {
        id: 'fenlu',
        term: '分录',
        plain: '凭证上的每一行。一张凭证至少有两行：一行写钱从哪里来，一行写钱到哪里去。',
      },
      {
        id: 'jie-dai',
        term: '借和贷',
        also: ['借', '贷', '借方', '贷方', '借贷'],
        plain:
          '会计记账的两边，和借钱、贷款没有关系：“贷”写钱从哪里来，比如从银行存款付出、收到发包款；“借”写钱到哪里去，比如花在修路上、存进银行。一张凭证借方的合计一定等于贷方的合计，一分不差。',
      },
      {
        id: 'jiti',
        term: '计提',
        plain:
          '先把该付、还没付的钱记到账上，比如月底先记下这个月的干部报酬，真正发钱时再记一笔。计提的时候，钱还没有离开村里的账户。',
      },
      {
        id: 'beiyongjin',
        term: '备用金',
        plain: '从银行取出来、放在出纳手上备着零星开支的现金。钱只是从银行换到了手上，还是村里的，不算支出。',
      },
      {
        id: 'fujian',
        term: '附件',
        also: ['单据', '单据照片'],
        plain:
          '凭证后面贴的原始单据，比如发票、收据、领款人签字的名单。网上公开的照片已经遮盖了身份证号、银行卡号等个人信息。',
      },
      {
        id: 'qianzi',
        term: '制单、审核、审批',
        also: ['制单', '审核', '审批', '签字'],
        plain:
          '凭证上签字的三个人：制单是填凭证的人，一般是会计或报账员；审核是检查凭证对不对的人；审批是同意花这笔钱的人，一般是村主任或书记。',
      },
      {
        id: 'baozhangyuan',
        term: '报账员',
        also: ['会计', '村会计'],
        plain: '村里管账的人，把每一笔收支记到账上，每个月把账目上传公开。',
      },
    ],
  },
  {
    id: 'income',
    title: '收入的类别',
    intro: '村集体的钱从哪里来。括号里是科目编号；2024年起用新的会计制度，有的编号变了。',
    entries: [
      {
        id: 'jingying-shouru',
        term: '经营收入',
        covers: ['发包收入', '房屋租赁收入'],
        plain: '村集体经营、出租、发包集体的土地和房屋挣来的钱，比如土地承包费、房屋租金。',
        codes: { '2023': '501', '2004': '501' },
        class: 'income',
      },
      {
        id: 'fabao-shangjiao-shouru',
        term: '发包及上交收入',
        plain:
          '2024年以前的科目：把集体的土地、鱼塘、果园包给别人经营收来的承包费，以及村办企业上交的钱。2024年起算在经营收入里。',
        codes: { '2004': '511' },
        class: 'income',
      },
      {
        id: 'touzi-shouyi',
        term: '投资收益',
        plain: '村集体拿钱入股、投资，分回来的利润或者利息。',
        codes: { '2023': '502', '2004': '561' },
        class: 'income',
      },
      {
        id: 'buzhu-shouru',
        term: '补助收入',
        covers: ['运转经费补助', '专项补助'],
        plain: '上级政府拨给村里的钱，比如维持村委会运转的经费、修路的专项补助。专项补助只能用在指定的事上。',
        codes: { '2023': '503', '2004': '522' },
        class: 'income',
      },
      {
        id: 'nongyeshui-fanhuan',
        term: '农业税附加返还收入',
        plain: '2024年以前的科目：以前国家把收的农业税附加返还给村里。农业税2006年起已经取消，这个科目现在很少用到。',
        codes: { '2004': '521' },
        class: 'income',
      },
      {
        id: 'qita-shouru',
        term: '其他收入',
        covers: ['利息收入'],
        plain: '不属于上面几类的收入，比如银行存款的利息、别人捐给村里的钱。',
        codes: { '2023': '504', '2004': '531' },
        class: 'income',
      },
    ],
  },
  {
    id: 'spending',
    title: '支出的类别',
    intro: '村集体的钱花到哪里去。括号里是科目编号；2024年起用新的会计制度，有的编号变了。',
    entries: [
      {
        id: 'jingying-zhichu',
        term: '经营支出',
        plain: '村集体为了经营挣钱花的本钱，比如出租房屋的维修费、经营用的材料。',
        codes: { '2023': '511', '2004': '502' },
        class: 'expense',
      },
      {
        id: 'shuijin-fujia',
        term: '税金及附加',
        plain: '村集体经营要向国家交的税和附加费，比如出租房屋交的税。',
        codes: { '2023': '512' },
        class: 'expense',
      },
      {
        id: 'guanli-feiyong',
        term: '管理费用',
        covers: ['办公费', '水电费', '通讯费', '招待费'],
        plain: '村委会日常办公、运转花的钱，比如办公用品、水电费、电话费、村干部的报酬。',
        codes: { '2023': '513', '2004': '541' },
        class: 'expense',
      },
      {
        id: 'gongyi-zhichu',
        term: '公益支出',
        plain:
          '为全村人办好事花的钱，比如修路、路灯、环境卫生、绿化、老年人补贴。2024年以前没有这个科目，这些钱记在其他支出里。',
        codes: { '2023': '514' },
        class: 'expense',
      },
      {
        id: 'qita-zhichu',
        term: '其他支出',
        covers: ['银行手续费'],
        plain: '不属于上面几类的支出，比如银行手续费、意外的损失。2024年以前，修路、路灯这些公益花费也记在这里。',
        codes: { '2023': '515', '2004': '551' },
        class: 'expense',
      },
      {
        id: 'suodeshui-feiyong',
        term: '所得税费用',
        plain: '村集体经营挣了钱，按国家规定交的所得税。',
        codes: { '2023': '521' },
        class: 'expense',
      },
      {
        id: 'ganbu-baochou',
        term: '干部报酬',
        covers: ['误工补贴'],
        plain: '发给村干部的工作报酬；误工补贴是给为村里办事、耽误了自己干活的人的补贴。都记在管理费用里。',
      },
    ],
  },
  {
    id: 'accounts',
    title: '钱和东西放在哪里、谁欠谁',
    intro: '凭证上还会出现这些科目：它们记的是村里有什么、欠别人什么、别人欠村里什么，不算收入，也不算支出。',
    entries: [
      {
        id: 'kucun-xianjin',
        term: '库存现金',
        also: ['现金'],
        plain: '村里放在出纳手上的现金。按规定不能放太多，一般不超过5000元，多的要存进银行。',
        codes: { '2023': '101', '2004': '101' },
        class: 'asset',
      },
      {
        id: 'yinhang-cunkuan',
        term: '银行存款',
        plain: '村集体存在银行账户里的钱。走银行的每一笔钱，银行都有记录可查。',
        codes: { '2023': '102', '2004': '102' },
        class: 'asset',
      },
      {
        id: 'duanqi-touzi',
        term: '短期投资',
        plain: '村集体买的、一年之内能收回来的投资，比如国债。',
        codes: { '2023': '111', '2004': '111' },
        class: 'asset',
      },
      {
        id: 'yingshoukuan',
        term: '应收款',
        plain: '别人欠村里、还没给的钱，比如还没交的承包费。',
        codes: { '2023': '112', '2004': '112' },
        class: 'asset',
      },
      {
        id: 'neibu-wanglai',
        term: '内部往来',
        plain: '村集体和村里的各个组、村办企业之间互相借的、欠的钱。',
        codes: { '2023': '113', '2004': '113' },
        class: 'asset',
      },
      {
        id: 'kucun-wuzi',
        term: '库存物资',
        plain: '村里买来存着、还没用掉的东西，比如化肥、种子、建筑材料。',
        codes: { '2023': '121', '2004': '121' },
        class: 'asset',
      },
      {
        id: 'xiaohaoxing-shengwu-zichan',
        term: '消耗性生物资产',
        plain: '村集体养着准备卖掉或用掉的牲畜、庄稼和树苗，比如准备出栏的猪、准备砍伐的用材林。',
        codes: { '2023': '131' },
        class: 'asset',
      },
      {
        id: 'shengchanxing-shengwu-zichan',
        term: '生产性生物资产',
        plain: '能年年产出东西的牲畜和树，比如奶牛、果树。',
        codes: { '2023': '132' },
        class: 'asset',
      },
      {
        id: 'shengchanxing-shengwu-zichan-zhejiu',
        term: '生产性生物资产累计折旧',
        plain: '果树、奶牛这些一年年变老、越来越不值钱，每个月算一点减少的价值，加在一起记在这里。',
        codes: { '2023': '133' },
        class: 'asset',
      },
      {
        id: 'gongyixing-shengwu-zichan',
        term: '公益性生物资产',
        plain: '为了大家的好处种的树，比如防风林、水源保护林。',
        codes: { '2023': '134' },
        class: 'asset',
      },
      {
        id: 'shengchu-zichan',
        term: '牲畜(禽)资产',
        plain: '2024年以前的科目：村集体养的牲畜和家禽。',
        codes: { '2004': '131' },
        class: 'asset',
      },
      {
        id: 'linmu-zichan',
        term: '林木资产',
        plain: '2024年以前的科目：村集体种的树林和果树。',
        codes: { '2004': '132' },
        class: 'asset',
      },
      {
        id: 'changqi-touzi',
        term: '长期投资',
        plain: '村集体一年以上的投资，比如入股合作社或者公司。',
        codes: { '2023': '141', '2004': '141' },
        class: 'asset',
      },
      {
        id: 'guding-zichan',
        term: '固定资产',
        plain: '村集体能用很多年的东西，比如村委会的房子、水泵、车辆。',
        codes: { '2023': '151', '2004': '151' },
        class: 'asset',
      },
      {
        id: 'leiji-zhejiu',
        term: '累计折旧',
        also: ['折旧'],
        plain:
          '房子、机器用久了会变旧，不值原来的钱，每个月算一点减少的价值，加在一起就是累计折旧。折旧是账上算的，不是花出去的钱。',
        codes: { '2023': '152', '2004': '152' },
        class: 'asset',
      },
      {
        id: 'zaijian-gongcheng',
        term: '在建工程',
        plain: '还没建完的工程，比如正在修的文化广场；建完以后转成固定资产。',
        codes: { '2023': '153', '2004': '154' },
        class: 'asset',
      },
      {
        id: 'guding-zichan-qingli',
        term: '固定资产清理',
        plain: '房子、机器报废或者卖掉的时候，算清楚还剩多少价值、收回来多少钱。',
        codes: { '2023': '154', '2004': '153' },
        class: 'asset',
      },
      {
        id: 'wuxing-zichan',
        term: '无形资产',
        plain: '看不见摸不着、但是值钱的东西，比如土地使用权。',
        codes: { '2023': '161' },
        class: 'asset',
      },
      {
        id: 'leiji-tanxiao',
        term: '累计摊销',
        plain: '无形资产（比如土地使用权）一年年用掉的价值，加在一起记在这里。',
        codes: { '2023': '162' },
        class: 'asset',
      },
      {
        id: 'changqi-daitan-feiyong',
        term: '长期待摊费用',
        plain: '一次花出去、但好几年都受益的钱，分几年慢慢记，比如租来的房子的装修费。',
        codes: { '2023': '171' },
        class: 'asset',
      },
      {
        id: 'daichuli-caichan-sunyi',
        term: '待处理财产损溢',
        plain: '清点的时候发现东西多了、少了或者坏了，还没查清楚怎么处理，先记在这里。',
        codes: { '2023': '181' },
        class: 'asset',
      },
      {
        id: 'duanqi-jiekuan',
        term: '短期借款',
        plain: '村集体向银行或别人借的、一年之内要还的钱。',
        codes: { '2023': '201', '2004': '201' },
        class: 'liability',
      },
      {
        id: 'yingfukuan',
        term: '应付款',
        covers: ['代收代付低保金', '押金'],
        plain: '村里欠别人、还没付的钱，比如欠施工队的工程款；替别人代收、以后要转出去的钱和收的押金也记在这里。',
        codes: { '2023': '211', '2004': '202' },
        class: 'liability',
      },
      {
        id: 'yingfu-gongzi',
        term: '应付工资',
        plain: '该发给村干部和工作人员、还没发的工资和报酬。计提报酬的时候记进来，真正发钱的时候再减掉。',
        codes: { '2023': '212', '2004': '211' },
        class: 'liability',
      },
      {
        id: 'yingfu-laowufei',
        term: '应付劳务费',
        plain: '该付给临时请来干活的人、还没付的工钱。',
        codes: { '2023': '213' },
        class: 'liability',
      },
      {
        id: 'yingjiao-shuifei',
        term: '应交税费',
        plain: '村集体该交给国家、还没交的税。',
        codes: { '2023': '214' },
        class: 'liability',
      },
      {
        id: 'yingfu-fulifei',
        term: '应付福利费',
        plain: '2024年以前的科目：留着给村干部和工作人员发福利（比如医药补助）的钱。',
        codes: { '2004': '212' },
        class: 'liability',
      },
      {
        id: 'changqi-jiekuan',
        term: '长期借款及应付款',
        plain: '村集体借的、一年以后才还的钱，以及一年以后才付的欠款。',
        codes: { '2023': '221', '2004': '221' },
        class: 'liability',
      },
      {
        id: 'yishiyiyi-zijin',
        term: '一事一议资金',
        also: ['一事一议'],
        plain: '村民开会商量、大家出钱出力办一件公益事（比如修路）时筹来的钱。这笔钱只能用在商量好的那件事上。',
        codes: { '2023': '231', '2004': '231' },
        class: 'liability',
      },
      {
        id: 'zhuanxiang-yingfukuan',
        term: '专项应付款',
        plain: '上级拨来、指定了用途的钱，比如某项工程的专款，只能用在指定的事上。',
        codes: { '2023': '241', '2004': '241' },
        class: 'liability',
      },
      {
        id: 'ziben',
        term: '资本',
        plain: '村集体的老家底，以及别人投进来的本钱。',
        codes: { '2023': '301', '2004': '301' },
        class: 'equity',
      },
      {
        id: 'gongji-gongyijin',
        term: '公积公益金',
        plain: '从村集体挣的钱里留下来，用来扩大生产、办公益事业的钱。',
        codes: { '2023': '311', '2004': '311' },
        class: 'equity',
      },
      {
        id: 'bennian-shouyi',
        term: '本年收益',
        plain: '今年到现在，村集体的收入减掉支出，挣了（或者亏了）多少。',
        codes: { '2023': '321', '2004': '321' },
        class: 'equity',
      },
      {
        id: 'shouyi-fenpei',
        term: '收益分配',
        plain: '年底村集体挣的钱怎么分：给集体成员分红、留作公积公益金等。',
        codes: { '2023': '322', '2004': '322' },
        class: 'equity',
      },
      {
        id: 'shengchan-chengben',
        term: '生产(劳务)成本',
        plain: '村集体自己组织生产、给别人干活花的本钱，比如种地的种子化肥、雇人的工钱。',
        codes: { '2023': '401', '2004': '401' },
        class: 'cost',
      },
    ],
  },
  {
    id: 'open',
    title: '公开和监督',
    intro: '账目怎样才能公开，谁来把关，有疑问怎么办。',
    entries: [
      {
        id: 'zhuxiang-zhubi',
        term: '逐项逐笔公开',
        plain: '每一项、每一笔收支都公开，不论金额大小。',
      },
      {
        id: 'gongkai',
        term: '公开',
        also: ['收支公开', '已公开'],
        plain:
          '一个月的账由报账员上传、监督员审核、另一位村委会成员确认以后，所有人都能在网上看到。公开以后就不能再改，错了只能更正。',
      },
      {
        id: 'hongqi',
        term: '红旗',
        also: ['红旗提示'],
        plain:
          '系统按公开的规则，自动标出值得多问一句的支付，比如大额现金、金额刚好卡在审批线下。红旗不等于有问题，但村委会必须写出答复，和账目一起公开。',
      },
      {
        id: 'hongqi-guize',
        term: '红旗规则',
        plain: '标红旗的标准，写明了多少钱算大额、依据是什么，按地区公开。规则以后改了，已经公开的月份也不跟着变。',
      },
      {
        id: 'jianduyuan',
        term: '监督员',
        also: ['村务监督委员会', '监督员存疑'],
        plain:
          '村务监督委员会的成员，在账目公开之前审核，可以对任何一笔钱提出疑问。监督员不同意，这个月的账就不能公开。',
      },
      {
        id: 'jiaocha-jiandu',
        term: '交叉监督',
        plain: '由别的村派来的监督员审核本村的账，不是自己人查自己，看得更公正。',
      },
      {
        id: 'shenhe',
        term: '审核通过',
        plain: '监督员看过这个月的账和村委会的答复，同意公开。',
      },
      {
        id: 'gengzheng',
        term: '更正',
        also: ['已更正', '版本', '旧版本', '当前版本'],
        plain: '已经公开的账发现错了，不能偷偷改，只能公开一个新的版本，并写明为什么改。旧的版本一直留着，谁都能看。',
      },
      {
        id: 'tiwen',
        term: '村民提问',
        also: ['提问', '答复'],
        plain: '对哪个月、哪一笔钱有疑问，都可以在网上提问，不用登录。村委会要在规定的天数内（一般是10天）公开答复。',
      },
      {
        id: 'shuzi-zhaiyao',
        term: '数字摘要',
        also: ['SHA-256 摘要', 'SHA-256'],
        plain: '用这个月的全部账目算出来的一长串字母和数字，像账目的“指纹”。账目哪怕改动一个字，这串字就完全不一样了。',
      },
      {
        id: 'heyan',
        term: '核验',
        plain: '用公开的数据自己重新算一遍数字摘要，和网上公布的对一对。对得上，就说明公开以后账目没有被改过。',
      },
      {
        id: 'dibao',
        term: '低保',
        also: ['低保金'],
        plain: '最低生活保障金，是政府发给生活困难家庭的补助。村里常常替政府代发，所以记在其他往来里，不算村里的支出。',
      },
      {
        id: 'quhua-daima',
        term: '区划代码',
        plain: '国家统计局给每个村、社区编的12位号码，全国不会重复。',
      },
    ],
  },
] as const satisfies readonly GroupDef[];

type AnyEntry = (typeof GROUPS)[number]['entries'][number];

/** A word the glossary explains, as a page may write it: typed, so a `<Term term="…">` not in here fails astro check. */
export type TermName =
  | AnyEntry['term']
  | Extract<AnyEntry, { also: readonly string[] }>['also'][number]
  | Extract<AnyEntry, { covers: readonly string[] }>['covers'][number];

export interface GlossaryEntry extends EntryDef {
  readonly group: string;
}

export interface GlossaryGroup extends Omit<GroupDef, 'entries'> {
  readonly entries: readonly GlossaryEntry[];
}

export const GLOSSARY: readonly GlossaryGroup[] = GROUPS.map((g) => ({
  ...g,
  entries: g.entries.map((e: EntryDef) => ({ ...e, group: g.id })),
}));

export const GLOSSARY_PATH = '/help/words';

/** Brackets and spaces as they vary between exports: "生产（劳务）成本" is "生产(劳务)成本". */
function normalise(word: string): string {
  return word.trim().replace(/（/g, '(').replace(/）/g, ')').replace(/\s+/g, ' ');
}

const BY_WORD = new Map<string, GlossaryEntry>();
for (const group of GLOSSARY) {
  for (const entry of group.entries) {
    for (const word of [entry.term, ...(entry.also ?? []), ...(entry.covers ?? [])]) {
      const key = normalise(word);
      // A word names one explanation; two would make a link's target a guess.
      if (BY_WORD.has(key)) throw new Error(`glossary: "${word}" is named twice`);
      BY_WORD.set(key, entry);
    }
  }
}

/** The entry explaining a word (its term or one of its other names), if the glossary has one. */
export function lookup(word: string): GlossaryEntry | undefined {
  return BY_WORD.get(normalise(word));
}

/** The entry of a word the type system already knows is in the glossary. */
export function entryOf(term: TermName): GlossaryEntry {
  return lookup(term)!;
}

export function glossaryHref(entry: GlossaryEntry): string {
  return `${GLOSSARY_PATH}#${entry.id}`;
}

/** "科目编号 513（2024年以前 541）": the codes of an account entry as a villager compares them with a voucher. */
export function codesText(entry: GlossaryEntry): string | undefined {
  const now = entry.codes?.['2023'];
  const before = entry.codes?.['2004'];
  if (now && before) return now === before ? `科目编号 ${now}` : `科目编号 ${now}（2024年以前是 ${before}）`;
  if (now) return `科目编号 ${now}（2024年起才有）`;
  if (before) return `科目编号 ${before}（2024年以前用）`;
  return undefined;
}

/** Cash on hand and bank deposits: the money the monthly balance counts, in either chart. */
export function isCashAccount(categoryName: string): boolean {
  const entry = lookup(categoryName);
  return entry?.id === 'kucun-xianjin' || entry?.id === 'yinhang-cunkuan';
}

/**
 * Words of bookkeeping a 摘要 (a line's free text, from the village's accounts) is written with, which a villager
 * would not know: linked where they stand in the text. Only words that cannot mean anything else there.
 */
const WORDS_IN_TEXT: readonly TermName[] = ['计提', '代收代付', '备用金'];

/** A text cut at the glossary words in it: "计提5月份村干部报酬" → [{word:'计提'}, {text:'5月份村干部报酬'}]. */
export function wordsInText(text: string): ({ text: string } | { word: TermName })[] {
  const parts: ({ text: string } | { word: TermName })[] = [];
  let rest = text;
  while (rest !== '') {
    const hits = WORDS_IN_TEXT.map((word) => ({ word, at: rest.indexOf(word) })).filter((h) => h.at >= 0);
    if (hits.length === 0) break;
    const first = hits.reduce((a, b) => (b.at < a.at ? b : a));
    if (first.at > 0) parts.push({ text: rest.slice(0, first.at) });
    parts.push({ word: first.word });
    rest = rest.slice(first.at + first.word.length);
  }
  if (rest !== '') parts.push({ text: rest });
  return parts;
}
