// A PDF's pages as pictures, by Debian's poppler-utils (`pdfinfo`, `pdftoppm`) run as child processes with a deadline
// and limits (prlimit: address space and CPU seconds, when util-linux has it): the page count and encryption read
// first, then at most MAX_PDF_PAGES pages rendered to PNG with the long side at RENDER_LONG_SIDE pixels, whatever size
// the page claims (no page is a decompression bomb). The PNGs go through the image pipeline like any photo (image.ts).
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LedgerError } from '../ledger/errors.ts';

/** More pages than this and a PDF is refused (PDF_TOO_MANY_PAGES): send the pages that prove the payment. */
export const MAX_PDF_PAGES = 20;
/** Pages are rendered with this long side: the view's size (image.ts VIEW_LONG_SIDE), nothing bigger is kept. */
const RENDER_LONG_SIDE = 1600;
/** pdfinfo answers within this; pdftoppm has this per page rendered. */
const INFO_TIMEOUT_MS = 5_000;
const PAGE_TIMEOUT_MS = 3_000;
/** The child's address space (prlimit --as) and CPU seconds. */
const CHILD_MEMORY_BYTES = 768 * 1024 * 1024;

const PRLIMIT = ['/usr/bin/prlimit', '/bin/prlimit'].find((p) => existsSync(p));

interface Ran {
  stdout: string;
  stderr: string;
  code: number | string | null;
  missing: boolean;
  timedOut: boolean;
}

function run(command: string, args: string[], timeoutMs: number, cpuSeconds: number): Promise<Ran> {
  const [file, argv] = PRLIMIT
    ? [PRLIMIT, [`--as=${CHILD_MEMORY_BYTES}`, `--cpu=${cpuSeconds}`, '--', command, ...args]]
    : [command, args];
  return new Promise((resolve) => {
    execFile(
      file,
      argv,
      { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 1024 * 1024, env: { PATH: process.env.PATH ?? '' } },
      (error, stdout, stderr) => {
        const e = error as (NodeJS.ErrnoException & { killed?: boolean; signal?: string }) | null;
        // prlimit reports a missing command on stderr with exit code 1; execFile reports a missing prlimit as ENOENT.
        const missing = e?.code === 'ENOENT' || /failed to execute .*: No such file/i.test(stderr);
        resolve({
          stdout,
          stderr,
          code: e ? (e.code ?? null) : 0,
          missing,
          timedOut: e?.killed === true || e?.signal === 'SIGKILL',
        });
      },
    );
  });
}

const UNAVAILABLE = () =>
  new LedgerError(
    'FILE_TYPE_UNSUPPORTED',
    '服务器没有安装读取 PDF 的组件（poppler-utils），暂不接受 PDF；请把每一页导出为 JPEG 或 PNG 后上传',
    { found: 'pdf', reason: 'pdftoppm missing' },
  );
const UNREADABLE = () => new LedgerError('FILE_UNREADABLE', 'PDF 已损坏、不完整或太复杂，读不出来；请重新导出后上传');

/** Whether pdfinfo and pdftoppm can run here (the API logs it at start; PDFs are refused without them). */
export async function pdfToolsAvailable(): Promise<boolean> {
  const ran = await run('pdftoppm', ['-v'], INFO_TIMEOUT_MS, 5);
  return !ran.missing;
}

/** Every page of the PDF as a PNG (the long side RENDER_LONG_SIDE), or a coded refusal. */
export async function renderPdfPages(bytes: Uint8Array): Promise<Buffer[]> {
  const dir = mkdtempSync(join(tmpdir(), 'mingbai-pdf-'));
  try {
    const input = join(dir, 'in.pdf');
    writeFileSync(input, bytes, { mode: 0o600 });
    const info = await run('pdfinfo', [input], INFO_TIMEOUT_MS, 5);
    if (info.missing) throw UNAVAILABLE();
    const encrypted = /^Encrypted:\s+yes/m.test(info.stdout) || /incorrect password|encrypted/i.test(info.stderr);
    if (encrypted) {
      throw new LedgerError('PDF_ENCRYPTED', 'PDF 加了密码或加密，不能处理；请导出一份不加密的 PDF 或图片后上传');
    }
    const pages = Number(/^Pages:\s+(\d+)/m.exec(info.stdout)?.[1] ?? NaN);
    if (info.code !== 0 || !Number.isInteger(pages) || pages < 1) throw UNREADABLE();
    if (pages > MAX_PDF_PAGES) {
      throw new LedgerError(
        'PDF_TOO_MANY_PAGES',
        `PDF 有 ${pages} 页，超过 ${MAX_PDF_PAGES} 页的上限；请只上传证明这笔收支的那几页`,
        { pages, maxPages: MAX_PDF_PAGES },
      );
    }
    const out = join(dir, 'page');
    const ran = await run(
      'pdftoppm',
      ['-png', '-scale-to', String(RENDER_LONG_SIDE), '-f', '1', '-l', String(pages), input, out],
      INFO_TIMEOUT_MS + PAGE_TIMEOUT_MS * pages,
      5 + 3 * pages,
    );
    if (ran.missing) throw UNAVAILABLE();
    if (ran.timedOut) {
      throw new LedgerError('FILE_UNREADABLE', 'PDF 太复杂，转换成图片超时；请导出为图片后上传', { pages });
    }
    if (ran.code !== 0) {
      if (/incorrect password|encrypted/i.test(ran.stderr)) {
        throw new LedgerError('PDF_ENCRYPTED', 'PDF 加了密码或加密，不能处理；请导出一份不加密的 PDF 或图片后上传');
      }
      throw UNREADABLE();
    }
    // page-01.png … page-20.png (the digits as many as the page count needs): in page order.
    const files = readdirSync(dir)
      .filter((f) => /^page-\d+\.png$/.test(f))
      .sort((a, b) => Number(/\d+/.exec(a)![0]) - Number(/\d+/.exec(b)![0]));
    if (files.length !== pages) throw UNREADABLE();
    return files.map((f) => readFileSync(join(dir, f)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
