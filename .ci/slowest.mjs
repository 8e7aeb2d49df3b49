// The slowest test files of a Vitest JSON report, so that CI's log shows where its time goes as the suite grows.
//   node .ci/slowest.mjs report.json [how many, default 12]
/* global process, console */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

const report = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const count = Number(process.argv[3] ?? 12);
const files = report.testResults
  .map((file) => ({ name: relative(process.cwd(), file.name), seconds: (file.endTime - file.startTime) / 1000 }))
  .sort((a, b) => b.seconds - a.seconds);
const total = files.reduce((sum, file) => sum + file.seconds, 0);
console.log(`slowest test files (${files.length} files, ${total.toFixed(0)} s in all, over the workers):`);
for (const file of files.slice(0, count)) console.log(`${file.seconds.toFixed(1).padStart(7)} s  ${file.name}`);
