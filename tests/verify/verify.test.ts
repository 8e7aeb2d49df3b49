// Issue 17: anyone recomputes every digest from public data. Both independent verifiers (`pnpm verify`, the
// TypeScript one sharing digest.ts, and docs/verify.py, standard-library Python) read the demo's bulk files through
// a running portal and API, never the database, and pass; then a mirror of those files is damaged one way at a time
// (an amount, a truncated file, a wrong link, an attachment's hash, a missing month) and each verifier must name the
// month and exit 1, without a crash.
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCheckpoint } from '@mingbai/db/ledger/checkpoints';
import { checkpointKey, useCheckpointKeyFile } from '../../api/src/checkpoints/checkpoints.ts';
import { useTestPortal } from '../support/portal.ts';
import { serverArgs } from '../../scripts/lib/server-build.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const t = useTestPortal();

interface Run {
  code: number;
  out: string;
}

function run(command: string, args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd: root, maxBuffer: 16 << 20, timeout: 120_000 }, (error, stdout, stderr) => {
      const code = error ? ((error as { code?: unknown }).code as number) : 0;
      resolve({ code: typeof code === 'number' ? code : -1, out: `${stdout}\n${stderr}` });
    });
  });
}

/** `pnpm verify` as the root package.json runs it (the verifier's built entry). */
const verifyTs = (...args: string[]) => run(process.execPath, [...serverArgs('verify'), ...args]);
const verifyPy = (slug: string, from: string) => run('python3', ['docs/verify.py', slug, from]);

let mirror: string;
const scratch: string[] = [];

/** A copy of the mirror to damage. */
function copyOfMirror(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mingbai-verify-'));
  scratch.push(dir);
  cpSync(mirror, dir, { recursive: true });
  return dir;
}

const monthsOf = (dir: string) =>
  readdirSync(join(dir, 'v', 'fucun'))
    .filter((m) => /^\d{4}-\d\d$/.test(m))
    .sort();

/** Both verifiers fail on `dir`, naming `month`, with the expected code, and neither crashes. */
async function expectBothFail(dir: string, month: string, tsCode: RegExp, pyCode: RegExp) {
  const ts = await verifyTs('--village', 'fucun', '--from', dir);
  expect(ts.code, ts.out).toBe(1);
  expect(ts.out).toMatch(new RegExp(`FAIL  fucun ${month} r\\d+ ${tsCode.source}`));
  expect(ts.out).not.toMatch(/\n\s+at .*\.ts:\d+/);
  const py = await verifyPy('fucun', dir);
  expect(py.code, py.out).toBe(1);
  expect(py.out).toMatch(new RegExp(`FAIL fucun ${month} r\\d+ ${pyCode.source}`));
  expect(py.out).not.toContain('Traceback');
}

beforeAll(() => {
  mirror = mkdtempSync(join(tmpdir(), 'mingbai-mirror-'));
  scratch.push(mirror);
  // This file's checkpoints are signed with a scratch key, not the repository's .data one.
  useCheckpointKeyFile(join(mirror, '..', `${basename(mirror)}.pem`));
  scratch.push(join(mirror, '..', `${basename(mirror)}.pem`));
});
afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

describe('the demo, recomputed from its public files only', () => {
  it('passes both verifiers over HTTP, every month OK, v3 months with their attachments among them', async () => {
    const from = `${t.portal.url}/data/`;
    const ts = await verifyTs('--village', 'fucun', '--from', from, '--save', mirror);
    expect(ts.code, ts.out).toBe(0);
    expect(ts.out).toContain('摘要与链全部相符');
    expect(ts.out).not.toContain('FAIL');
    const ok = ts.out.split('\n').filter((l) => l.startsWith('OK'));
    expect(ok.length).toBeGreaterThanOrEqual(24);
    expect(ts.out).toContain('mingbai-period-v3');

    // The demo's receipts are in the v3 digest of their month, and in attachments.csv.
    const withAttachments = monthsOf(mirror).filter(
      (m) => readFileSync(join(mirror, 'v', 'fucun', m, 'r1', 'attachments.csv'), 'utf8').split('\n').length > 2,
    );
    expect(withAttachments.length).toBeGreaterThan(0);

    const py = await verifyPy('fucun', from);
    expect(py.code, py.out).toBe(0);
    expect(py.out).toContain('all match');
    expect(py.out.split('\n').filter((l) => l.startsWith('OK'))).toHaveLength(ok.length);

    // DIGEST.md's worked example is the demo's real October 2026: its digest is the one served.
    const october = readFileSync(join(mirror, 'v', 'fucun', '2026-10', 'r1', 'statements.csv'), 'utf8');
    const digest = /,([0-9a-f]{64}),[0-9a-f]{64},mingbai-period-v3,36,/.exec(october)?.[1];
    expect(readFileSync(join(root, 'docs', 'DIGEST.md'), 'utf8')).toContain(`Its digest is \`${digest}\``);

    // The saved mirror verifies offline too.
    expect((await verifyTs('--village', 'fucun', '--from', mirror)).code).toBe(0);
    expect((await verifyPy('fucun', mirror)).code).toBe(0);
  });

  it('is explained where people look: /docs/digest in both languages, the village’s verify page', async () => {
    const example = '37d2941ab5b08374deb02d7adf899b0d01aa9bc61313662a487f0d6e7d0dee77';
    for (const path of ['/docs/digest', '/en/docs/digest']) {
      const res = await fetch(`${t.portal.url}${path}`);
      expect(res.status, path).toBe(200);
      const html = await res.text();
      expect(html).toContain(example);
      expect(html).toContain('digests.jsonl');
    }
    const docs = await (await fetch(`${t.portal.url}/docs`)).text();
    expect(docs).toContain('href="/docs/digest"');
    const verify = await (await fetch(`${t.portal.url}/v/fucun/verify`)).text();
    expect(verify).toContain('href="/docs/digest"');
    expect(verify).toContain('pnpm verify --village fucun --from');
    // The first half's text stays; checkpoints are explained beside it, with the commands to check again.
    expect(verify).toContain('签名检查点');
    expect(verify).toContain('pnpm verify --checkpoints --from');
    for (const path of ['/docs/digest', '/en/docs/digest']) {
      const html = await (await fetch(`${t.portal.url}${path}`)).text();
      expect(html).toContain('/data/checkpoints/key.pub');
      // The site's own public key, in the docs as the issue asks (each site has its own).
      expect(html).toContain(checkpointKey().publicPem.split('\n')[1]);
    }
    // The notice sheet carries the month's digest prefix and the number of the FIRST checkpoint covering it (the API's
    // MonthlyStatement.checkpoint), to compare with the site years later: never a later one than now exists.
    const { checkpoint } = await makeCheckpoint(t.handle.db, checkpointKey());
    const first = monthsOf(mirror)[0]!;
    const sheet = await (await fetch(`${t.portal.url}/v/fucun/${first}/print`)).text();
    expect(sheet).toMatch(/本月摘要前 16 位 <strong>[0-9a-f]{16}<\/strong>/);
    expect(sheet).toMatch(new RegExp(`签名检查点 <strong>第 (\\d+) 号</strong>`));
    const printed = Number(/签名检查点 <strong>第 (\d+) 号/.exec(sheet)![1]);
    expect(printed).toBeGreaterThanOrEqual(1);
    expect(printed).toBeLessThanOrEqual(checkpoint.number);
    const [year, month] = first.split('-').map(Number);
    const res = await t.api.query<{ village: { statement: { checkpoint: { number: number } } } }>(
      `query ($y: Int!, $m: Int!) { village(slug: "fucun") { statement(year: $y, month: $m) { checkpoint { number } } } }`,
      { y: year, m: month },
    );
    expect(res.data?.village.statement.checkpoint.number, res.text).toBe(printed);
  });

  it('names the month whose amount was changed in lines.jsonl', async () => {
    const dir = copyOfMirror();
    const month = monthsOf(dir)[3]!;
    const file = join(dir, 'v', 'fucun', month, 'r1', 'lines.jsonl');
    const lines = readFileSync(file, 'utf8').split('\n');
    const row = JSON.parse(lines[0]!) as { amount_fen: string };
    row.amount_fen = String(BigInt(row.amount_fen) + 100n);
    lines[0] = JSON.stringify(row);
    writeFileSync(file, lines.join('\n'));
    await expectBothFail(dir, month, /DIGEST_MISMATCH/, /DIGEST_MISMATCH/);
  });

  it('names the month whose file was cut short', async () => {
    const dir = copyOfMirror();
    const month = monthsOf(dir)[5]!;
    const file = join(dir, 'v', 'fucun', month, 'r1', 'lines.jsonl');
    const text = readFileSync(file);
    let cut = Math.floor(text.length / 2);
    while (text[cut - 1] === 0x0a) cut--; // cut inside a line, as a dropped connection would
    writeFileSync(file, text.subarray(0, cut));
    await expectBothFail(dir, month, /FILE_DAMAGED/, /FILE_DAMAGED/);
  });

  it('names the month whose link to the previous digest is wrong', async () => {
    const dir = copyOfMirror();
    const month = monthsOf(dir)[7]!;
    const base = join(dir, 'v', 'fucun', month, 'r1');
    const statements = readFileSync(join(base, 'statements.csv'), 'utf8');
    const inputs = JSON.parse(readFileSync(join(base, 'digests.jsonl'), 'utf8')) as { previous_digest: string };
    const forged = 'f'.repeat(64);
    writeFileSync(join(base, 'statements.csv'), statements.replace(inputs.previous_digest, forged));
    writeFileSync(join(base, 'digests.jsonl'), JSON.stringify({ ...inputs, previous_digest: forged }) + '\n');
    await expectBothFail(dir, month, /(LINK_BROKEN|DIGEST_MISMATCH)/, /(LINK_BROKEN|DIGEST_MISMATCH)/);
    const ts = await verifyTs('--village', 'fucun', '--from', dir);
    expect(ts.out).toMatch(new RegExp(`FAIL  fucun ${month} r1 LINK_BROKEN`));
  });

  it('names the v3 month one of whose attachments’ hashes was changed in attachments.csv', async () => {
    const dir = copyOfMirror();
    const month = monthsOf(dir).find(
      (m) => readFileSync(join(dir, 'v', 'fucun', m, 'r1', 'attachments.csv'), 'utf8').split('\n').length > 2,
    )!;
    const file = join(dir, 'v', 'fucun', month, 'r1', 'attachments.csv');
    const text = readFileSync(file, 'utf8');
    const sha = /,([0-9a-f]{64}),\/data\/files\//.exec(text)![1]!;
    writeFileSync(file, text.replace(sha, `${sha.slice(0, 63)}${sha.endsWith('0') ? '1' : '0'}`));
    await expectBothFail(dir, month, /DIGEST_MISMATCH/, /DIGEST_MISMATCH/);
  });

  it('names where the chain has a hole when a month’s files are gone', async () => {
    const dir = copyOfMirror();
    const months = monthsOf(dir);
    rmSync(join(dir, 'v', 'fucun', months[10]!), { recursive: true });
    await expectBothFail(dir, months[11]!, /CHAIN_GAP/, /CHAIN_GAP/);
  });

  it('names the month where the chain forks: two publications claiming the same position', async () => {
    const dir = copyOfMirror();
    const month = monthsOf(dir)[14]!;
    const base = join(dir, 'v', 'fucun', month, 'r1');
    const inputs = JSON.parse(readFileSync(join(base, 'digests.jsonl'), 'utf8')) as { chain_seq: number };
    const seq = inputs.chain_seq - 1;
    const statements = readFileSync(join(base, 'statements.csv'), 'utf8');
    writeFileSync(join(base, 'statements.csv'), statements.replace(/,(mingbai-period-v\d),(\d+),/, `,$1,${seq},`));
    writeFileSync(join(base, 'digests.jsonl'), JSON.stringify({ ...inputs, chain_seq: seq }) + '\n');
    await expectBothFail(dir, month, /CHAIN_FORK/, /CHAIN_FORK/);
  });

  it('fails, without a crash, on a village nobody published and on a damaged catalogue', async () => {
    const nobody = await verifyTs('--village', 'no-such-village', '--from', mirror);
    expect(nobody.code).toBe(1);
    expect(nobody.out).toContain('NOTHING_PUBLISHED');
    const dir = copyOfMirror();
    writeFileSync(join(dir, 'catalog.json'), '{"months": [');
    const ts = await verifyTs('--village', 'fucun', '--from', dir);
    expect(ts.code).toBe(1);
    expect(ts.out).toContain('CATALOG_UNREADABLE');
    const py = await verifyPy('fucun', dir);
    expect(py.code).toBe(1);
    expect(py.out).not.toContain('Traceback');
  });
});
