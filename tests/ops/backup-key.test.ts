// `pnpm backup` carries the checkpoint key and `pnpm restore` puts it back (issue 17; docs/BACKUP.md): the key signs
// checkpoints, lives outside the database and cannot be remade, so a backup without it loses the site's identity to
// every mirror (KEY_CHANGED). A PGlite database with one signed checkpoint is backed up with its key; the key is
// restored byte for byte, mode 0600, and checked to be the key of the restored latest checkpoint. A different key
// already in place, a key swapped in the backup, or a backup without a key are each refused or said, never silently
// accepted.
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateDb, openDb } from '@mingbai/db/client';
import { checkpoint, loadOrCreateCheckpointKey, makeCheckpoint } from '@mingbai/db/ledger/checkpoints';

const root = fileURLToPath(new URL('../..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'mingbai-backup-key-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Run {
  code: number | null;
  out: string;
  err: string;
}
/** `pnpm backup|restore …` as an operator runs it, with `env` on top of this process's. */
function pnpm(args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn('pnpm', ['--silent', ...args], {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}

const pem = () => generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
const mode = (file: string) => statSync(file).mode & 0o777;

describe('pnpm backup and restore carry the checkpoint key', () => {
  const data = join(work, 'pglite');
  const keyFile = join(work, 'site', 'checkpoint-ed25519.pem');
  const file = join(work, 'bk', 'mingbai.tar.gz');
  let keyId: string;
  const env = { DATABASE_URL: '', PGLITE_DIR: data };

  beforeAll(async () => {
    const handle = await openDb({ pgliteDir: data });
    try {
      await migrateDb(handle);
      const key = loadOrCreateCheckpointKey(keyFile);
      keyId = key.keyId;
      expect((await makeCheckpoint(handle.db, key)).made).toBe(true);
    } finally {
      await handle.close(); // a backup of PGlite is taken while nothing has it open
    }
  }, 120_000);

  it('backs the key up beside the database, private and in the checksum file', async () => {
    const run = await pnpm(['backup', file], { ...env, MINGBAI_CHECKPOINT_KEY_FILE: keyFile });
    expect(run.code, run.err).toBe(0);
    expect(run.out.trim()).toBe(file);
    expect(readFileSync(`${file}.checkpoint-key.pem`, 'utf8')).toBe(readFileSync(keyFile, 'utf8'));
    expect(mode(`${file}.checkpoint-key.pem`)).toBe(0o600);
    const sums = readFileSync(`${file}.sha256`, 'utf8').trim().split('\n');
    expect(sums.map((l) => l.split(/\s+/)[1])).toEqual(['mingbai.tar.gz', 'mingbai.tar.gz.checkpoint-key.pem']);
  });

  it('restores the key where the restored site reads it, mode 0600, the key of its latest checkpoint', async () => {
    const restoredKey = join(work, 'restored-site', 'keys', 'checkpoint.pem');
    const target = join(work, 'restored');
    const run = await pnpm(['restore', file, target], { DATABASE_URL: '', MINGBAI_CHECKPOINT_KEY_FILE: restoredKey });
    expect(run.code, run.err).toBe(0);
    expect(JSON.parse(run.out)).toMatchObject({ ok: true });
    expect(run.err).toContain(`signed the latest checkpoint, number 1`);
    expect(readFileSync(restoredKey, 'utf8')).toBe(readFileSync(keyFile, 'utf8'));
    expect(mode(restoredKey)).toBe(0o600);
    expect(loadOrCreateCheckpointKey(restoredKey).keyId).toBe(keyId);
    const handle = await openDb({ pgliteDir: target });
    try {
      expect((await checkpoint(handle.db))?.keyId).toBe(keyId);
    } finally {
      await handle.close();
    }
    // Again, with the same key already in place: fine.
    const again = await pnpm(['restore', file, join(work, 'restored-2')], {
      DATABASE_URL: '',
      MINGBAI_CHECKPOINT_KEY_FILE: restoredKey,
    });
    expect(again.code, again.err).toBe(0);
    expect(again.err).toContain('already in place');
  });

  it('refuses to replace a different key, before touching the target', async () => {
    const other = join(work, 'other-site', 'checkpoint.pem');
    const otherPem = pem();
    mkdirSync(dirname(other), { recursive: true });
    writeFileSync(other, otherPem);
    const target = join(work, 'restored-refused');
    const run = await pnpm(['restore', file, target], { DATABASE_URL: '', MINGBAI_CHECKPOINT_KEY_FILE: other });
    expect(run.code).not.toBe(0);
    expect(run.err).toContain('a different checkpoint key is already at');
    expect(existsSync(target)).toBe(false);
    expect(readFileSync(other, 'utf8')).toBe(otherPem);
  });

  it('fails on a key swapped in the backup: by the checksum, or, checksum redone, by the latest checkpoint', async () => {
    const swapped = join(work, 'swapped', 'mingbai.tar.gz');
    const copy = await pnpm(['backup', swapped], { ...env, MINGBAI_CHECKPOINT_KEY_FILE: keyFile });
    expect(copy.code, copy.err).toBe(0);
    writeFileSync(`${swapped}.checkpoint-key.pem`, pem());
    const dest = join(work, 'swapped-site', 'checkpoint.pem');
    const bySum = await pnpm(['restore', swapped, join(work, 'swapped-1')], {
      DATABASE_URL: '',
      MINGBAI_CHECKPOINT_KEY_FILE: dest,
    });
    expect(bySum.code).not.toBe(0);
    expect(bySum.out + bySum.err).toMatch(/checkpoint-key\.pem: FAILED/);
    rmSync(`${swapped}.sha256`);
    const byCheckpoint = await pnpm(['restore', swapped, join(work, 'swapped-2')], {
      DATABASE_URL: '',
      MINGBAI_CHECKPOINT_KEY_FILE: dest,
    });
    expect(byCheckpoint.code).not.toBe(0);
    expect(byCheckpoint.err).toContain(`is NOT the key of the latest checkpoint (number 1, key id ${keyId})`);
    expect(existsSync(dest)).toBe(false);
  });

  it('says so when there is no key to back up, and when a backup has none', async () => {
    const bare = join(work, 'bare', 'mingbai.tar.gz');
    const run = await pnpm(['backup', bare], { ...env, MINGBAI_CHECKPOINT_KEY_FILE: join(work, 'no-such.pem') });
    expect(run.code, run.err).toBe(0);
    expect(run.err).toContain('warning: no checkpoint key at');
    expect(existsSync(`${bare}.checkpoint-key.pem`)).toBe(false);
    expect(readFileSync(`${bare}.sha256`, 'utf8').trim().split('\n')).toHaveLength(1);
    const dest = join(dirname(bare), 'site', 'checkpoint.pem');
    const restored = await pnpm(['restore', bare, join(work, 'bare-restored')], {
      DATABASE_URL: '',
      MINGBAI_CHECKPOINT_KEY_FILE: dest,
    });
    expect(restored.code, restored.err).toBe(0);
    expect(restored.err).toContain('the server will make a NEW key');
    expect(existsSync(dest)).toBe(false);
  });
});
