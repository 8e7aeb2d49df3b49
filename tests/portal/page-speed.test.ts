// Issue 19's cuts to the portal's work per new page keep what a visitor gets: the gzip that compresses the page's
// stylesheet once is the page's exact bytes again, and only the build's own files go through the adapter's static-file
// handler (every other address is a page, as when that handler found nothing).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { clientPaths, isClientPath } from '../../portal/src/lib/client-files.ts';
import { gzipPage } from '../../portal/src/lib/page-cache.ts';

const sheet = (rule: string) => `<style>${`.card{border:1px solid #ccc;padding:.5rem}${rule}`.repeat(120)}</style>`;
const page = (title: string, style: string, body: string) =>
  Buffer.from(
    `<!DOCTYPE html><html lang="zh-CN"><head><title>${title}</title>${style}</head><body>${body}</body></html>`,
  );

describe('gzipPage', () => {
  it('gunzips to the very page, whether or not its sheet was compressed before, and stays about gzip’s size', () => {
    const rows = (n: number) => '<tr><td>5月3日</td><td>修路 ¥1,200.00</td></tr>'.repeat(n);
    const pages = [
      page('付村2025年6月', sheet('a{color:#1d6b35}'), rows(50)),
      page('付村2025年7月', sheet('a{color:#1d6b35}'), rows(7)), // the same sheet again: from the process's copy
      page('东村2025年7月', sheet('b{font-weight:700}'), rows(1)), // another page type's sheet
      page('空', sheet('i{x:y}'), ''), // nothing after the sheet
      Buffer.concat([Buffer.from(sheet('u{z:w}')), Buffer.from('尾')]), // nothing before it
      page('短', '<style>p{margin:0}</style>', rows(30)), // a sheet too small to keep apart
      page('无', '', rows(30)), // no sheet
      page('未完', '<style>p{margin:0}' + 'x'.repeat(5000), ''), // an unclosed sheet
    ];
    for (const bytes of pages) {
      const zipped = gzipPage(bytes);
      expect(gunzipSync(zipped).equals(bytes)).toBe(true);
      expect(zipped.subarray(0, 3).equals(Buffer.from([0x1f, 0x8b, 8]))).toBe(true);
      expect(zipped.length).toBeLessThanOrEqual(gzipSync(bytes).length + 64);
    }
  });
});

describe('the static-file check', () => {
  it('lists the build’s client files and folders with an index.html, and nothing else', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mingbai-client-'));
    try {
      writeFileSync(join(dir, 'committee-redact.js'), '');
      mkdirSync(join(dir, '_astro'));
      writeFileSync(join(dir, '_astro', 'a b.css'), '');
      mkdirSync(join(dir, 'guide'));
      writeFileSync(join(dir, 'guide', 'index.html'), '');
      mkdirSync(join(dir, 'empty'));
      const paths = clientPaths(pathToFileURL(dir + '/').href);
      expect([...paths].sort()).toEqual([
        '/_astro/a b.css',
        '/committee-redact.js',
        '/guide',
        '/guide/',
        '/guide/index.html',
      ]);
      expect(isClientPath('/committee-redact.js?v=1', paths)).toBe(true);
      expect(isClientPath('/_astro/a%20b.css', paths)).toBe(true);
      expect(isClientPath('/guide/', paths)).toBe(true);
      expect(isClientPath('/%E0%A4%A', paths)).toBe(true); // malformed: the adapter answers as it always did
      for (const page of ['/', '/v/fucun/2025-06', '/_astro', '/empty', '/committee-redact.js/x', '/favicon.ico'])
        expect(isClientPath(page, paths)).toBe(false);
      expect(clientPaths(join(dir, 'missing')).size).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
