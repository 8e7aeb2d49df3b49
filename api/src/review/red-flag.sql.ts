// The red flags of revisions in one statement: the automatic flags frozen at publication (`red_flags`), supervisors'
// flags (`voucher_flags`), the committee's answers (`flag_answers`) and the thresholds the month was judged by (the
// rule set recorded on `periods`). Rows of the four kinds come back tagged by `part`, like the statement bundle.
import { sql, type SQL } from 'drizzle-orm';
import { revisionsIn, type WantedRevisions } from '../sql-helpers.ts';
import type { RevisionDbKey } from '../statements/period-keys.ts';

export type FlagPart =
  | {
      part: 'period';
      row: RevisionDbKey & { status: 'open' | 'submitted' | 'published'; thresholds: Record<string, string> | null };
    }
  | {
      part: 'rule';
      row: RevisionDbKey & {
        seq: number;
        rule_code: string;
        voucher_number: number | null;
        amount_fen: string | null;
        detail: string;
      };
    }
  | {
      part: 'supervisor';
      row: RevisionDbKey & { id: number; voucher_number: number; author: string; reason: string; created_at: string };
    }
  | {
      part: 'answer';
      row: RevisionDbKey & { flag_key: string; body: string; author: string; answered_at: string };
    };

/** The flags of the wanted revisions (given ones, or months' current revisions: read ahead with the statement). */
export function flagsOfRevisionsSql(wanted: WantedRevisions): SQL {
  const keyOf = (alias: string) => revisionsIn(alias, wanted);
  return sql`select 'period' as part, row_to_json(x) as row from (
               select p.village_id, p.year, p.month, p.revision, p.status, s.thresholds
                 from periods p left join red_flag_rule_sets s on s.id = p.red_flag_rule_set_id
                where ${keyOf('p')}) x
             union all
             select 'rule', row_to_json(x) from (
               select f.village_id, f.year, f.month, f.revision, f.seq, f.rule_code, f.voucher_number,
                      f.amount_fen::text as amount_fen, f.detail
                 from red_flags f
                where ${keyOf('f')}
                order by f.seq) x
             union all
             select 'supervisor', row_to_json(x) from (
               select f.village_id, f.year, f.month, f.revision, f.id, f.voucher_number, f.author, f.reason, f.created_at
                 from voucher_flags f
                where ${keyOf('f')}
                order by f.id) x
             union all
             select 'answer', row_to_json(x) from (
               select a.village_id, a.year, a.month, a.revision, a.flag_key, a.body, a.author, a.answered_at
                 from flag_answers a
                where ${keyOf('a')}) x`;
}
