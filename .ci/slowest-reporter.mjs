// A Vitest reporter for CI's log: the slowest test files of the run, each whole (import, hooks and tests; Vitest's
// JSON report times only the tests), so that where the time goes shows as the suite grows.
//   vitest run --reporter=default --reporter=./.ci/slowest-reporter.mjs
/* global console */
import { relative } from 'node:path';

const SHOWN = 20;

export default class SlowestFiles {
  onInit(vitest) {
    this.root = vitest.config.root;
  }

  onTestRunEnd(testModules) {
    const files = testModules
      .map((module) => {
        const d = module.diagnostic();
        // Before the first test: the worker's start and the file's imports (prepare, collect), then its setup files.
        const importMs = d.prepareDuration + d.collectDuration + d.setupDuration;
        return {
          name: relative(this.root, module.moduleId),
          seconds: (importMs + d.duration) / 1000,
          importSeconds: importMs / 1000,
        };
      })
      .sort((a, b) => b.seconds - a.seconds);
    const total = files.reduce((sum, file) => sum + file.seconds, 0);
    const imports = files.reduce((sum, file) => sum + file.importSeconds, 0);
    console.log(
      `\nslowest test files (of ${files.length}, ${total.toFixed(0)} s in all over the workers, ` +
        `${imports.toFixed(0)} s of it starting workers and importing):`,
    );
    for (const file of files.slice(0, SHOWN))
      console.log(
        `${file.seconds.toFixed(1).padStart(7)} s  ${file.name} (${file.importSeconds.toFixed(1)} s importing)`,
      );
  }
}
