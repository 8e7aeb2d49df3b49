import { sql, type SQL } from 'drizzle-orm';
import { revisionsIn, type WantedRevisions } from '../sql-helpers.ts';
import type { RevisionDbKey } from '../statements/period-keys.ts';

/** A published attachment as the public sees it: its derivatives only, never the original or who uploaded it. */
export type PublicAttachmentRow = RevisionDbKey & {
  voucher_number: number | null;
  kind: string;
  derivative_sha256: string;
  derivative_media_type: string;
  width: number;
  height: number;
  thumbnail_sha256: string;
  thumbnail_width: number;
  thumbnail_height: number;
  pages: number;
  page_views: { sha256: string; width: number; height: number }[];
};

/**
 * The attachments of many revisions (or of months' current revisions) in one statement; only revisions that are
 * published answer anything.
 */
export function publishedAttachmentsSql(wanted: WantedRevisions): SQL {
  return sql`select a.village_id, a.year, a.month, a.revision, a.voucher_number, a.kind, a.derivative_sha256,
                    a.derivative_media_type, a.width, a.height, a.thumbnail_sha256, a.thumbnail_width,
                    a.thumbnail_height, a.pages, a.page_views
               from attachments a
               join periods p on p.village_id = a.village_id and p.year = a.year and p.month = a.month
                             and p.revision = a.revision and p.status = 'published'
              where ${revisionsIn('a', wanted)}
              order by a.voucher_number nulls first, a.id`;
}

/**
 * Whether a hash is the full view or thumbnail of an attachment of a published revision, and its media type. An
 * original's hash, or a derivative of a month not yet public, finds nothing.
 */
export function publishedFileSql(sha256: string): SQL {
  return sql`select a.derivative_media_type as media_type
               from attachments a
               join periods p on p.village_id = a.village_id and p.year = a.year and p.month = a.month
                             and p.revision = a.revision and p.status = 'published'
              where a.derivative_sha256 = ${sha256} or a.thumbnail_sha256 = ${sha256}
                 or a.page_views @> jsonb_build_array(jsonb_build_object('sha256', ${sha256}::text))
              limit 1`;
}

/**
 * Whether a hash is a derivative (view, thumbnail, a PDF page's view) of any attachment, published or not: what a
 * signed committee preview may show. An original's hash finds nothing (a derivative is never its own original, and
 * bytes that are one attachment's view and another's original are a redacted view either way). By the indexes.
 */
export function derivativeFileSql(sha256: string): SQL {
  return sql`select a.derivative_media_type as media_type
               from attachments a
              where a.derivative_sha256 = ${sha256} or a.thumbnail_sha256 = ${sha256}
                 or a.page_views @> jsonb_build_array(jsonb_build_object('sha256', ${sha256}::text))
              limit 1`;
}
