import { queryRows, type Db } from '@mingbai/db/client';
import { pageOffset, type Page, type Window } from '../graphql/relay/connection.ts';
import {
  findVillagesSql,
  toVillage,
  type VillageFilter,
  type VillagePageDbRow,
  type VillageRow,
} from './village.sql.ts';

/** Villages in 区划代码 order, a window of them and how many match. */
export async function findVillages(db: Db, filter: VillageFilter, window: Window): Promise<Page<VillageRow>> {
  const rows = await queryRows<VillagePageDbRow>(db, findVillagesSql(filter, window));
  const found = rows.filter((r) => r.id !== null);
  const totalCount = rows[0]?.all_total ?? 0;
  return {
    offset: pageOffset(window, found[0]?.rn, totalCount),
    totalCount,
    nodes: found.map((r) => toVillage({ ...r, id: r.id! })),
  };
}
