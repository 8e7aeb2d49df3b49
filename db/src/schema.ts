// The drizzle schema object handed to the client factory; tables live in ./schema/<area>.ts.
import * as accounts from './schema/accounts.ts';
import * as attachmentTables from './schema/attachments.ts';
import * as checkpointTables from './schema/checkpoints.ts';
import * as apiKeys from './schema/api-keys.ts';
import * as ledger from './schema/ledger.ts';
import * as questions from './schema/questions.ts';
import * as records from './schema/records.ts';
import * as regions from './schema/regions.ts';
import * as review from './schema/review.ts';
import * as statements from './schema/statements.ts';
import * as supervision from './schema/supervision.ts';
import * as users from './schema/users.ts';

export const schema = {
  ...regions,
  ...accounts,
  ...ledger,
  ...statements,
  ...records,
  ...users,
  ...review,
  ...supervision,
  ...apiKeys,
  ...questions,
  ...attachmentTables,
  ...checkpointTables,
};
export type Schema = typeof schema;
