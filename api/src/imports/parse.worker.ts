// A worker thread's entry (parse-in-worker.ts starts it): reads each uploaded file it is sent and posts what runParse
// found, one file at a time. A file that throws ends the thread (its 'error' reaches the API, which starts another).
import { parentPort } from 'node:worker_threads';
import { bufferSource } from './parse/stream.ts';
import { runParse, type ParseJob } from './parse-job.ts';

parentPort!.on('message', ({ bytes, job }: { bytes: Uint8Array; job: ParseJob }) => {
  void runParse(bufferSource(bytes), job).then((outcome) => parentPort!.postMessage(outcome));
});
