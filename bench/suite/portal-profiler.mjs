// Preloaded into the bench's portal (`node --import ./bench/suite/portal-profiler.mjs …`) when MINGBAI_BENCH_PORTAL_PROFILE
// names a file: SIGUSR2 starts V8's sampling profiler, the next SIGUSR2 writes the profile there (`.cpuprofile`, the
// format of `node --cpu-prof`). So the profile covers the load alone, not the start or the one-at-a-time samples, and
// the portal needs no graceful exit (--cpu-prof writes only on one).
import { renameSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import process from 'node:process';

const out = process.env.MINGBAI_BENCH_PORTAL_PROFILE;
if (out) {
  const session = new Session();
  session.connect();
  const post = (method, params = {}) =>
    new Promise((resolve, reject) =>
      session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))),
    );
  let running = false;
  process.on('SIGUSR2', () => {
    if (!running) {
      running = true;
      void post('Profiler.enable')
        .then(() => post('Profiler.setSamplingInterval', { interval: 250 }))
        .then(() => post('Profiler.start'));
      return;
    }
    running = false;
    void post('Profiler.stop').then(({ profile }) => {
      // Whole or not at all: the bench reads the file as soon as it appears.
      writeFileSync(`${out}.part`, JSON.stringify(profile));
      renameSync(`${out}.part`, out);
    });
  });
}
