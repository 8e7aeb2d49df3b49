/**
 * /data/checkpoints/…: the signed checkpoints and their proofs, public like every /data file.
 *   key.pub                          the Ed25519 public key (PEM)
 *   latest.json, {N}.json            a checkpoint: signed head and its leaves
 *   {N}/inclusion/{villageCode}      RFC 6962 audit path of the village's head in N
 *   {N}/consistency/{M}              N extends M (M < N): both audit paths and the chain digests between
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Db } from '@mingbai/db/client';
import { checkpoint, consistencyProof, inclusionProof } from '@mingbai/db/ledger/checkpoints';
import { checkpointKey } from './checkpoints.ts';

const IMMUTABLE = 'public, max-age=31536000, immutable';
const CHANGING = 'public, max-age=60';

function send(req: IncomingMessage, res: ServerResponse, text: string, type: string, cacheControl: string): void {
  const etag = `"${createHash('sha256').update(text).digest('hex').slice(0, 40)}"`;
  const header = req.headers['if-none-match'];
  if (header !== undefined && header.split(',').some((t) => t.trim() === etag || t.trim() === '*')) {
    res.writeHead(304, { etag, 'cache-control': cacheControl }).end();
    return;
  }
  res.writeHead(200, {
    etag,
    'cache-control': cacheControl,
    'content-type': `${type}; charset=utf-8`,
    'content-length': String(Buffer.byteLength(text)),
    'x-content-type-options': 'nosniff',
  });
  res.end(req.method === 'HEAD' ? undefined : text);
}

function notFound(res: ServerResponse, message: string): void {
  res
    .writeHead(404, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' })
    .end(JSON.stringify({ errors: [{ message, extensions: { code: 'NOT_FOUND' } }] }));
}

const json = (body: unknown) => `${JSON.stringify(body, null, 1)}\n`;
const NUMBER = /^[1-9]\d{0,8}$/;

/** Answers a GET or HEAD of /data/checkpoints/…; `rest` is the path after `checkpoints/`. */
export async function serveCheckpoints(req: IncomingMessage, res: ServerResponse, db: Db, rest: string) {
  if (rest === 'key.pub') {
    send(req, res, checkpointKey().publicPem, 'application/x-pem-file', CHANGING);
    return;
  }
  const parts = rest.split('/');
  const file = /^(latest|[1-9]\d{0,8})\.json$/.exec(parts[0] ?? '');
  if (parts.length === 1 && file) {
    const cp = await checkpoint(db, file[1] === 'latest' ? undefined : Number(file[1]));
    if (!cp) return notFound(res, file[1] === 'latest' ? '还没有签发任何检查点' : `没有第 ${file[1]} 号检查点`);
    send(req, res, json(cp), 'application/json', file[1] === 'latest' ? CHANGING : IMMUTABLE);
    return;
  }
  const [n, kind, arg] = parts;
  if (parts.length === 3 && NUMBER.test(n ?? '') && kind === 'inclusion' && /^\d{12}$/.test(arg ?? '')) {
    const cp = await checkpoint(db, Number(n));
    const proof = cp && inclusionProof(cp, arg!);
    if (!proof) return notFound(res, `第 ${n} 号检查点里没有村代码 ${arg}`);
    send(req, res, json(proof), 'application/json', IMMUTABLE);
    return;
  }
  if (parts.length === 3 && NUMBER.test(n ?? '') && kind === 'consistency' && NUMBER.test(arg ?? '')) {
    if (Number(arg) >= Number(n)) return notFound(res, `一致性证明只从较早的检查点到较晚的：${arg} 应小于 ${n}`);
    const [newer, older] = await Promise.all([checkpoint(db, Number(n)), checkpoint(db, Number(arg))]);
    if (!newer || !older) return notFound(res, `没有第 ${newer ? arg : n} 号检查点`);
    // The chain digests come from the database as it is now: not immutable.
    send(req, res, json(await consistencyProof(db, older, newer)), 'application/json', CHANGING);
    return;
  }
  notFound(res, '没有这个检查点文件；见 /data/checkpoints/latest.json');
}
