// The results as a Markdown table, each figure beside its target from issue 6.
/* eslint-disable @typescript-eslint/no-explicit-any -- results.json is read back loosely, as printed */

const ok = (met: boolean | undefined) => (met === undefined ? '' : met ? 'met' : '**not met**');
const n = (v: number | undefined, unit = '') => (v === undefined ? '–' : `${v.toLocaleString('en')}${unit}`);

export function renderTable(r: any): string {
  const rows: string[][] = [];
  for (const p of r.concurrency ?? []) {
    const target = p.query === 'month page' && p.concurrency === 16 ? '≤ 2× floor' : '';
    rows.push([
      `1. API ${p.query}, c=${p.concurrency}`,
      `${n(p.api.rps)} req/s, p50 ${n(p.api.p50)} ms, p99 ${n(p.api.p99)} ms`,
      `${n(p.floor.rps)} req/s, p50 ${n(p.floor.p50)} ms`,
      `${p.ratio}×`,
      target,
      target ? ok(p.ratio <= 2) : '',
    ]);
  }
  for (const s of r.monthSizes ?? []) {
    rows.push([
      `2. SQL statements, ${s.lines.toLocaleString('en')}-line month`,
      `month page ${s.monthPage.statements}, village page ${s.villagePageStatements}; month page p50 ${s.monthPage.p50} ms` +
        (s.monthPage.errors ? ` (${s.monthPage.errors} of ${s.monthPage.requests} failed)` : ''),
      `3 (+1 for the village page); p50 ${s.floorP50} ms`,
      '',
      '≤ 3 per month page',
      ok(s.monthPage.statements >= 0 && s.monthPage.statements <= 3 && !s.monthPage.errors),
    ]);
  }
  for (const s of r.statementRead ?? []) {
    rows.push([
      `3. statement read, ${s.lines.toLocaleString('en')}-line month`,
      `p50 ${s.p50} ms, p99 ${s.p99} ms, ${s.statements} statements` + (s.errors ? ` (${s.errors} failed)` : ''),
      '',
      '',
      'p50 ≤ 5 ms, same at any size',
      ok(s.p50 <= 5 && !s.errors),
    ]);
  }
  if (r.import) {
    const i = r.import;
    rows.push([
      `4. import ${i.file.lines.toLocaleString('en')}-line GBK CSV (CLI)`,
      `${n(i.cli.linesPerSecond)} lines/s (${i.cli.seconds} s incl. ${i.cli.startupSeconds} s start), peak RSS ${i.cli.peakRssMb} MB`,
      `COPY ${n(i.floor.linesPerSecond)} lines/s (${i.floor.seconds} s)`,
      `${i.ratio}×`,
      '≥ 100,000 lines/s, ≤ 256 MB',
      ok(i.cli.linesPerSecond >= 100_000 && i.cli.peakRssMb <= 256),
    ]);
  }
  if (r.questions) {
    const q = r.questions;
    rows.push([
      `8. ${q.asks.count} asks at c=${q.asks.concurrency} beside month pages at c=${q.monthPage.connections}`,
      `month pages ${q.monthPage.duringAsks.rps} req/s during ${q.asks.seconds} s of asks (${q.asks.perSecond} asks/s, p50 ${q.asks.p50} ms)`,
      `alone ${q.monthPage.alone.rps} req/s`,
      `${(q.slowdown * 100).toFixed(1)}% slower`,
      '≤ 10% slower',
      ok(q.slowdown <= 0.1),
    ]);
  }
  if (r.redFlags) {
    const f = r.redFlags;
    rows.push([
      `4b. red-flag rules, ${f.lines.toLocaleString('en')}-line month`,
      `at upload ${Math.round(f.atUploadSeconds * 1000)} ms; from the database p50 ${f.evaluate.p50Ms} ms (first ${f.evaluate.firstMs} ms); ${f.flags} flags; content mark ${f.contentMarkMs} ms`,
      `import ${f.importSeconds} s`,
      `${(f.ratio * 100).toFixed(1)}%`,
      '≤ 10% of the import',
      ok(f.ratio <= 0.1),
    ]);
  }
  for (const [label, p] of [
    ['every request a different month', r.portal],
    ['5 popular months (page cache)', r.portalHot],
  ] as const) {
    if (!p) continue;
    rows.push([
      `5. portal month page, c=${p.load.connections}, ${label}`,
      `${n(p.load.rps)} req/s, p50 ${p.load.p50} ms; TTFB p50 ${p.ttfbP50} ms; ${n(p.bodyBytesMedian)} B (${p.encoding})` +
        (p.cache ? `; ${n(p.cache.misses)} rendered, ${n(p.cache.hits)} cached` : '') +
        (p.portalCpuMs != null ? `; CPU per request: portal ${p.portalCpuMs} ms, API ${p.apiCpuMs} ms` : ''),
      '',
      '',
      '≥ 500 req/s',
      ok(p.load.rps >= 500),
    ]);
  }
  if (r.export) {
    const e = r.export;
    const mb = (d: { bytes: number }) => (d.bytes / 1024 / 1024).toFixed(0);
    const cases = [
      ['first time, fragments made', e.first],
      ['fragments present', e.fragments],
      ['whole-file cache', e.cached],
    ] as const;
    for (const [label, d] of cases) {
      const isTarget = d === e.fragments;
      rows.push([
        `6. export ${e.month} lines.csv (${n(e.villages)} villages, ${n(e.lines)} lines), ${label}`,
        `${d.mbPerSecond} MB/s (${mb(d)} MB in ${d.seconds} s), API peak RSS ${d.peakRssMb} MB` +
          (d === e.first ? `; fragments ${(e.fragmentDisk.bytes / 1024 / 1024).toFixed(0)} MB on disk` : ''),
        `COPY ${e.floor.mbPerSecond} MB/s (${e.floor.seconds} s)`,
        `${Math.round((e.floor.mbPerSecond / Math.max(0.001, d.mbPerSecond)) * 100) / 100}×`,
        isTarget ? '≥ 100 MB/s' : '',
        isTarget ? ok(d.mbPerSecond >= 100) : '',
      ]);
    }
  }
  if (r.verify) {
    const v = r.verify;
    rows.push([
      `9. pnpm verify: every digest and link of ${n(v.villages)} villages (${n(v.villageMonths)} village months, ` +
        `${n(v.lines)} lines) from bulk files`,
      `${v.mbPerSecond} MB/s (${(v.bytes / 1024 / 1024).toFixed(0)} MB in ${v.seconds} s)${v.ok ? '' : '; **some failed**'}`,
      '',
      '',
      '≥ 50 MB/s',
      ok(v.ok && v.mbPerSecond >= 50),
    ]);
  }
  if (r.verifyCheckpoints) {
    const c = r.verifyCheckpoints;
    rows.push([
      `9b. pnpm verify --checkpoints --saved: ${n(c.villages)} villages' chains, inclusion proofs, a saved checkpoint`,
      `${c.seconds} s (${c.mbPerSecond} MB/s); proofs alone ${c.proofSeconds} s, ${n(c.inclusionProofsPerSecond)} inclusion/s` +
        (c.ok ? '' : '; **failed**'),
      '',
      '',
      '',
      ok(c.ok),
    ]);
  }
  if (r.uploads) {
    const u = r.uploads;
    rows.push([
      `7. ${u.uploads} uploads at once of a ${(u.file.bytes / 1024).toFixed(0)} KB xlsx unzipping to ` +
        `${(u.file.unzippedBytes / 1024 / 1024).toFixed(0)} MB, beside \`{ __typename }\``,
      `\`{ __typename }\` p50 ${u.typename.p50} ms, p99 ${u.typename.p99} ms, max ${u.typename.max} ms ` +
        `(${n(u.typename.requests)} requests in ${u.seconds} s); API RSS ${u.apiRssMb.before} → peak ` +
        `${u.apiRssMb.peak} MB; uploads: ${u.outcomes.join('; ')}`,
      '',
      '',
      'p99 < 100 ms, RSS < 400 MB',
      ok(u.typename.p99 < 100 && u.apiRssMb.peak < 400),
    ]);
  }
  // --peer: the peer stands in the floor column, and the ratio there is ours ÷ peer (higher is better).
  for (const p of r.peer?.points ?? []) {
    const side = (s: any) =>
      `${n(s.rps)} req/s, p50 ${n(s.p50)} ms, p99 ${n(s.p99)} ms; CPU ${n(s.serverCpuMs ?? undefined)} ms + ` +
      `PostgreSQL ${n(s.postgresCpuMs ?? undefined)} ms per request`;
    const statements = r.peer.checked?.find((c: any) => c.shape === p.shape)?.ourStatements;
    rows.push([
      `10. vs PostGraphile ${r.peer.postgraphile}: ${p.shape}, c=${p.concurrency}`,
      side(p.ours) + (statements > 0 ? `; ≤ ${statements} SQL statements` : ''),
      `PostGraphile: ${side(p.peer)}`,
      `${p.ratio ?? '–'}× (ours ÷ peer)`,
      '≥ 1.2× peer req/s, PostgreSQL CPU ≤ peer',
      ok(
        p.ratio !== null &&
          p.ratio >= 1.2 &&
          p.ours.postgresCpuMs !== null &&
          p.ours.postgresCpuMs <= (p.peer.postgresCpuMs ?? 0),
      ),
    ]);
  }
  const head = ['measure', 'result', 'floor', 'floor ÷ result', 'target', ''];
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const m = r.machine ?? {};
  const s = r.storage ?? {};
  return [
    `scale ${r.scale} (${r.database}: ${n(s.villages)} villages, ${n(s.villageMonths)} village-months, ` +
      `${n(s.lines)} lines; ${n(s.bytesPerVillageMonth)} B per village-month), ${r.settings?.secondsPerPoint} s per point`,
    `${m.cpu}, ${m.cores} cores, ${m.ramGb} GB, Node ${m.node}, ${String(m.postgres).split(' on ')[0]}, commit ${String(m.commit).slice(0, 8)}`,
    '',
    line(head),
    line(head.map(() => '---')),
    ...rows.map(line),
  ].join('\n');
}
