// Reading a request body within a size limit, without resetting a client that sends more.
import type { IncomingMessage } from 'node:http';

export const TOO_LARGE = Symbol('too large');

/** Of an oversized upload, at most this much more is read and dropped before the connection is cut. */
const DRAIN_BYTES = 64_000_000;
const DRAIN_MS = 10_000;

/**
 * The body as text, or TOO_LARGE once it passes `limit`. Past the limit nothing more is kept, but the bytes still
 * arriving are read and dropped (up to DRAIN_BYTES, for DRAIN_MS), so the client can finish sending and read the 413:
 * closing a socket with unread bytes sends a reset, which can destroy the answer on its way.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<string | typeof TOO_LARGE> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) {
        chunks.push(chunk);
        return;
      }
      req.off('data', onData);
      req.off('end', onEnd);
      chunks.length = 0;
      discardRest(req);
      resolve(TOO_LARGE);
    };
    const onEnd = () => resolve(Buffer.concat(chunks).toString('utf8'));
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', reject);
  });
}

/**
 * What is still arriving of a refused body is read and dropped (up to DRAIN_BYTES, for DRAIN_MS), nothing kept, so
 * the client can read the answer; then the connection is cut.
 */
export function discardRest(req: IncomingMessage): void {
  let dropped = 0;
  const cut = () => req.socket.destroy();
  const timer = setTimeout(cut, DRAIN_MS);
  const done = () => clearTimeout(timer);
  req.on('data', (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > DRAIN_BYTES) {
      done();
      cut();
    }
  });
  req.once('end', done);
  req.once('close', done);
  req.resume();
}
