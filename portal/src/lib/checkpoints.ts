import { config } from './config';

/** What the portal shows of the latest signed checkpoint (/data/checkpoints/latest.json, docs/DIGEST.md). */
export interface LatestCheckpoint {
  number: number;
  timestamp: string;
  root: string;
  keyId: string;
  leaves: { code: string; slug: string; length: number; head: string }[];
}

/**
 * The latest checkpoint, read from the API like any client would; undefined when there is none yet or the API does
 * not answer in time (a page never fails for it: the sheet then just says nothing about checkpoints).
 */
export async function latestCheckpoint(): Promise<LatestCheckpoint | undefined> {
  try {
    const res = await fetch(new URL('/data/checkpoints/latest.json', config.apiUrl), {
      signal: AbortSignal.timeout(5_000),
    });
    if (!res.ok) return undefined;
    const body = (await res.json()) as LatestCheckpoint;
    return Number.isSafeInteger(body.number) && Array.isArray(body.leaves) ? body : undefined;
  } catch {
    return undefined;
  }
}

/** This site's checkpoint public key (PEM), as /data/checkpoints/key.pub serves it; undefined if it cannot be read. */
export async function checkpointPublicKey(): Promise<string | undefined> {
  try {
    const res = await fetch(new URL('/data/checkpoints/key.pub', config.apiUrl), {
      signal: AbortSignal.timeout(5_000),
    });
    const text = res.ok ? await res.text() : '';
    return /^-----BEGIN PUBLIC KEY-----\n[A-Za-z0-9+/=\n]+-----END PUBLIC KEY-----\n?$/.test(text) ? text : undefined;
  } catch {
    return undefined;
  }
}
