/**
 * `pnpm verify --village fucun [--from http://127.0.0.1:4321/data/ | ./mirror] [--save DIR] [--json]`: recomputes
 * every digest and link of a village's chain from the public bulk files alone. Exit 0 when everything matches,
 * 1 when anything does not (or could not be read), 2 for a wrong command line.
 *
 * `pnpm verify --checkpoints [--from …] [--key FILE] [--saved DIR] [--save DIR] [--max-age HOURS]`: the signed checkpoints
 * (checkpoints.ts): the latest one's signature, root, every village's head and inclusion proof, and every checkpoint a
 * mirror saved earlier still true of the chains published now.
 */
import { parseArgs } from 'node:util';
import { verifyVillage, type VillageReport } from './chain.ts';
import { verifyCheckpoints, type CheckpointsReport } from './checkpoints.ts';
import { openSource } from './source.ts';

const USAGE = `用法 / usage: pnpm verify --village SLUG [--village SLUG…] [--from URL|DIR] [--save DIR] [--json]
       pnpm verify --checkpoints [--from URL|DIR] [--key FILE] [--saved DIR] [--save DIR] [--max-age HOURS] [--json]
  --village  村的网址名，如 fucun（可重复）/ village slug (repeatable)
  --from     公开数据的根：网站的 /data/ 或同样结构的文件夹；默认 http://localhost:4321/data/
  --save     把读到的文件存成镜像，之后可用 --from DIR 离线再验 / keep a mirror of every file read
  --json     以 JSON 输出报告 / print the report as JSON
  --checkpoints  检查签名检查点：签名、树根、各村链头与包含证明 / check the signed checkpoints
  --key      所信任的公钥文件（PEM）；默认取 --saved 里保存的，再不然才用服务器给的 / the public key you trust
  --saved    早先用 --save 存下的镜像：其中的检查点必须仍与服务器现在的链一致 / a mirror saved earlier
  --max-age  最新检查点超过这么多小时就算失败（本站每天至少签一个）/ fail when the latest is older (hours)`;

const DEFAULT_FROM = 'http://localhost:4321/data/';

function print(report: VillageReport): void {
  const failed = new Map<string, string[]>();
  for (const p of report.problems) {
    const list = failed.get(p.month ?? '') ?? [];
    const detail = p.expected ? `\n      公布/应为 expected ${p.expected}\n      重算/实为 computed ${p.computed}` : '';
    list.push(`${p.code} ${p.message}${detail}`);
    failed.set(p.month ?? '', list);
  }
  for (const p of report.publications) {
    const label = `${p.month} r${p.revision}`;
    const problems = failed.get(label);
    if (problems) continue;
    console.log(`OK    ${report.village} ${label} #${p.chainSeq} ${p.format} ${p.digest.slice(0, 16)}`);
  }
  for (const [month, problems] of failed) {
    for (const line of problems) console.log(`FAIL  ${report.village} ${month || '（全村）'} ${line}`);
  }
  const n = report.publications.length;
  console.log(
    report.ok
      ? `${report.village}：${n} 个公开版本，摘要与链全部相符 / all ${n} digests and links match`
      : `${report.village}：${report.problems.length} 处问题 / ${report.problems.length} problem(s) in ${n} publications`,
  );
}

function printCheckpoints(r: CheckpointsReport): void {
  for (const note of r.notes) console.log(`NOTE  ${note}`);
  for (const p of r.problems) {
    const where = [p.village ?? '（检查点）', p.month].filter(Boolean).join(' ');
    console.log(`FAIL  ${where} ${p.code} [检查点 ${p.checkpoint}] ${p.message}`);
  }
  const saved = r.saved.length
    ? `，保存的检查点 ${r.saved.join('、')} 与之一致 / saved ${r.saved.join(', ')} consistent`
    : '';
  console.log(
    r.ok
      ? `检查点 ${r.latest}（公钥 ${r.keyId}）：签名、树根、${r.villages} 个村的链头与包含证明全部相符${saved} / checkpoint ${r.latest}: all checks pass`
      : `检查点：${r.problems.length} 处问题 / ${r.problems.length} problem(s)`,
  );
}

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({
      options: {
        village: { type: 'string', multiple: true },
        from: { type: 'string' },
        save: { type: 'string' },
        json: { type: 'boolean' },
        checkpoints: { type: 'boolean' },
        key: { type: 'string' },
        saved: { type: 'string' },
        'max-age': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }).values;
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (args.checkpoints) {
    const maxAge = args['max-age'] === undefined ? undefined : Number(args['max-age']);
    if (maxAge !== undefined && !(maxAge > 0)) {
      console.error(`--max-age 应为正数（小时）\n${USAGE}`);
      return 2;
    }
    const source = openSource(args.from ?? DEFAULT_FROM, args.save);
    let report: CheckpointsReport;
    try {
      report = await verifyCheckpoints(source, { key: args.key, saved: args.saved, maxAgeHours: maxAge });
    } catch (error) {
      // A bug here, not a bad file: still a clear failure, never a silent pass.
      console.log(`FAIL  （检查点）CHECKPOINT_DAMAGED 验证中断：${(error as Error).message}`);
      return 1;
    }
    if (args.json) console.log(JSON.stringify({ from: source.label, checkpoints: report }, null, 2));
    else printCheckpoints(report);
    return report.ok ? 0 : 1;
  }
  if (args.key || args.saved || args['max-age']) {
    console.error(`--key、--saved 和 --max-age 只用于 --checkpoints\n${USAGE}`);
    return 2;
  }
  if (args.help || !args.village?.length) {
    console.error(USAGE);
    return args.help ? 0 : 2;
  }
  const source = openSource(args.from ?? DEFAULT_FROM, args.save);
  const reports: VillageReport[] = [];
  for (const slug of args.village) {
    try {
      reports.push(await verifyVillage(source, slug));
    } catch (error) {
      // A bug here, not a bad file: still a clear failure with the village named, never a silent pass.
      reports.push({
        village: slug,
        ok: false,
        publications: [],
        bytes: 0,
        problems: [{ code: 'FILE_DAMAGED', month: null, message: `验证中断：${(error as Error).message}` }],
      });
    }
  }
  if (args.json) console.log(JSON.stringify({ from: source.label, villages: reports }, null, 2));
  else for (const r of reports) print(r);
  return reports.every((r) => r.ok) ? 0 : 1;
}

process.exitCode = await main();
