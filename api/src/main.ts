import 'reflect-metadata';
import { migrateDb, openDb, READ_APPLICATION_NAME } from '@mingbai/db/client';
import { demoToLoad } from '@mingbai/db/demo/seed';
import { startQueryWatchdog } from '@mingbai/db/watchdog';
import { DEMO_PASSWORD, seedDemoUsers } from './auth/demo-users.ts';
import { useFilesDir } from '@mingbai/db/files/store';
import { pdfToolsAvailable } from '@mingbai/db/files/pdf';
import { startFilesSweep } from './attachments/files-sweep.ts';
import { checkpointKey, startCheckpointTimer, useCheckpointKeyFile } from './checkpoints/checkpoints.ts';
import { readConfig } from './config.ts';
import { startApiServer } from './server.ts';

/** Starts the API: open the database, migrate, load the demo villages on first start, serve. */
export async function main(): Promise<void> {
  const started = Date.now();
  const config = readConfig();
  const handle = await openDb({
    databaseUrl: config.databaseUrl,
    readDatabaseUrl: config.databaseReadUrl,
    pgliteDir: config.pgliteDir,
    statementTimeoutMs: config.statementTimeoutMs,
    idleInTransactionTimeoutMs: config.idleInTransactionTimeoutMs,
    planCacheMode: config.planCacheMode,
  });
  await migrateDb(handle);
  if (config.filesDir) useFilesDir(config.filesDir);
  if (config.checkpointKeyFile) useCheckpointKeyFile(config.checkpointKeyFile);
  // Read (or made) now: a key file that cannot be read stops the start, not the first publication.
  console.log(`检查点公钥 / checkpoint key ${checkpointKey().keyId}`);
  // The demo's places now (the demo users' roles name them), its ledgers once the API answers: the first start
  // serves in seconds while the months load, one transaction each, in the background.
  const loading = new AbortController();
  const demo = config.seedDemo ? await demoToLoad(handle.db, { signal: loading.signal, background: true }) : undefined;
  if (config.seedDemo) {
    const users = await seedDemoUsers(handle.db);
    if (users > 0) console.log(`已创建 ${users} 个演示用户，密码 ${DEMO_PASSWORD} / demo users created`);
  }
  const api = await startApiServer({
    db: handle.db,
    readDb: handle.readDb,
    port: config.port,
    host: config.host,
    exposeSqlStats: config.exposeSqlStats,
    compiledQueries: config.compiledQueries,
    rateLimits: {
      ...(config.anonymousPointsPerHour ? { anonymousPointsPerHour: config.anonymousPointsPerHour } : {}),
      ...(config.apiKeyPointsPerHour ? { apiKeyPointsPerHour: config.apiKeyPointsPerHour } : {}),
      ...(config.anonymousDataBytesPerHour ? { anonymousDataBytesPerHour: config.anonymousDataBytesPerHour } : {}),
      ...(config.apiKeyDataBytesPerHour ? { apiKeyDataBytesPerHour: config.apiKeyDataBytesPerHour } : {}),
    },
    ...(config.trustedProxies ? { trustedProxies: config.trustedProxies } : {}),
    publicUrl: config.publicUrl,
    openData: config.openData,
    ...(config.portalSecret ? { portalSecret: config.portalSecret } : {}),
    questions: config.questions,
    ...(config.previewSecret ? { previewSecret: config.previewSecret } : {}),
    imagePool: config.imagePool,
    shared: config.shared,
  });
  const sweep = startFilesSweep(handle.db, config.filesSweepHours);
  const checkpoints = startCheckpointTimer(handle.db);
  if (!(await pdfToolsAvailable())) console.warn('pdftoppm (poppler-utils) not found: PDF attachments are refused');
  // What statement_timeout cannot stop: a backend waiting on its client (see db/src/watchdog.ts).
  const watchdog =
    config.databaseUrl && config.queryWatchdogMs !== 0
      ? startQueryWatchdog({ databaseUrl: config.databaseUrl, stuckMs: config.queryWatchdogMs })
      : undefined;
  // The replica's backends of ours (READ_APPLICATION_NAME) are watched there: a standby can cancel its own.
  const readWatchdog =
    config.databaseReadUrl && config.queryWatchdogMs !== 0
      ? startQueryWatchdog({
          databaseUrl: config.databaseReadUrl,
          applicationName: READ_APPLICATION_NAME,
          stuckMs: config.queryWatchdogMs,
        })
      : undefined;
  const where =
    handle.engine === 'pglite'
      ? `PGlite at ${handle.dataDir}`
      : config.databaseReadUrl
        ? 'PostgreSQL, public reads on the replica'
        : 'PostgreSQL';
  console.log(`GraphQL API ready at ${api.url} (${where}, ${Date.now() - started} ms)`);
  if (demo) console.log('正在后台载入演示数据 / loading the demo villages in the background');
  const demoLoaded = demo?.finish().then(
    (r) =>
      console.log(`已载入演示数据 / demo data loaded: ${r.villages} villages, ${r.periods} months, ${r.elapsedMs} ms`),
    (error: unknown) => {
      // Stopped by a shutdown: the months written are whole, and the next start goes on from there.
      if (!loading.signal.aborted) console.error('演示数据载入失败 / the demo data failed to load:', error);
    },
  );

  const stop = async () => {
    loading.abort();
    await demoLoaded;
    sweep.stop();
    checkpoints.stop();
    await api.close();
    await watchdog?.stop();
    await readWatchdog?.stop();
    await handle.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

await main();
