// A worker thread's entry (parse-in-worker.ts starts it): reads one uploaded file and posts what runParse found.
import { parentPort, workerData } from 'node:worker_threads';
import { bufferSource } from './parse/stream.ts';
import { runParse, type ParseJob } from './parse-job.ts';

const { bytes, job } = workerData as { bytes: Uint8Array; job: ParseJob };
parentPort!.postMessage(await runParse(bufferSource(bytes), job));
