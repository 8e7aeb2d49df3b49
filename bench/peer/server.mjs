// The benchmark peer: PostGraphile 5 (amber preset) over the same PostgreSQL database as the API, as a user choosing a
// generic GraphQL layer for these tables would set it up in an afternoon. Run by `pnpm bench --peer` under Node 22
// from this folder (bench/suite/peer.ts); not part of the pnpm workspace.
//
// What it adds to reflection, and why:
// - `@unique` on villages.slug and on a voucher's (village, year, month, revision, number): both are unique indexes,
//   not constraints, and PostGraphile makes lookup fields only from constraints.
// - `@foreignKey` from voucher_lines and statement_lines to their voucher (village_id, voucher_id), and from a line to
//   its account in the village's chart: the schema leaves these keys out on purpose (triggers check a million-line
//   COPY in one join, see db/src/schema/ledger.ts), so reflection cannot see them; likewise from a voucher to its
//   month (migration 0019 replaced that foreign key with a statement trigger).
// - Conditions on periods.status and statement_lines.kind, which PostGraphile leaves out for unindexed columns.
// - Mutations off: the peer serves reads only, like the comparison.
// No SQL function, view or computed column does the work for it.
/* global process, console */
import { createServer } from 'node:http';
import pg from 'pg';
import { postgraphile } from 'postgraphile';
import { makePgService } from 'postgraphile/adaptors/pg';
import { grafserv } from 'postgraphile/grafserv/node';
import { PostGraphileAmberPreset } from 'postgraphile/presets/amber';
import { jsonPgSmartTags } from 'postgraphile/utils';

const connectionString = process.env.DATABASE_URL;
const port = Number(process.env.PEER_PORT ?? 5678);
if (!connectionString) throw new Error('DATABASE_URL is required');

const tags = jsonPgSmartTags({
  version: 1,
  config: {
    class: {
      villages: { tags: { unique: 'slug' } },
      vouchers: {
        tags: {
          unique: 'village_id,year,month,revision,number',
          foreignKey:
            '(village_id, year, month, revision) references periods (village_id, year, month, revision)|@fieldName period',
        },
      },
      voucher_lines: {
        tags: {
          foreignKey: [
            '(village_id, voucher_id) references vouchers (village_id, id)|@fieldName voucher|@foreignFieldName lines',
            '(village_id, standard, account_code) references village_accounts (village_id, standard, code)|@fieldName account|@foreignFieldName voucherLines',
          ],
        },
      },
      statement_lines: {
        tags: {
          foreignKey: [
            '(village_id, voucher_id) references vouchers (village_id, id)|@fieldName voucher|@foreignFieldName statementLines',
          ],
        },
      },
    },
    attribute: {
      // Unindexed columns get no condition or order by default: a user asking for these adds them.
      'periods.status': { tags: { behavior: '+filterBy' } },
      'statement_lines.kind': { tags: { behavior: '+filterBy' } },
    },
  },
});

// The same pool size and idle timeout as the API's (db/src/client.ts: 8, 60 s), named so the bench can find its
// backends; pg's default 10 s idle timeout closed backends in the middle of a point, and their CPU with them.
const pool = new pg.Pool({
  connectionString,
  max: Number(process.env.PEER_POOL ?? 8),
  idleTimeoutMillis: 60_000,
  application_name: process.env.PEER_APPLICATION_NAME ?? 'mingbai-peer',
});

const preset = {
  extends: [PostGraphileAmberPreset],
  plugins: [tags],
  disablePlugins: ['PgMutationCreatePlugin', 'PgMutationUpdateDeletePlugin'],
  pgServices: [makePgService({ pool, schemas: ['public'] })],
  grafserv: { port, graphqlPath: '/graphql', graphiql: false, watch: false },
  grafast: { explain: false },
};

const pgl = postgraphile(preset);
await pgl.getSchema();
const serv = pgl.createServ(grafserv);
const server = createServer();
server.on('error', (e) => {
  console.error(e);
  process.exit(1);
});
await serv.addTo(server);
server.listen(port, '127.0.0.1', () => console.log(`peer: PostGraphile on http://127.0.0.1:${port}/graphql`));
const stop = async () => {
  server.close();
  await pgl.release();
  await pool.end();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
