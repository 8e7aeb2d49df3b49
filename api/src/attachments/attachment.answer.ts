// The committee's view of an attachment as `attachFile` and the other mutations answer it, shared by the resolver
// and the binary upload route (../http/upload-endpoint.ts), so both answer the same JSON.
import type { AttachmentRow } from '@mingbai/db/ledger/attachments';
import { actorOf, regionsOfVillage } from '../auth/village-access.ts';
import { mayAct } from '../auth/viewer.ts';
import type { Context } from '../graphql/context.ts';
import { filePath, type CommitteeAttachment } from './attachment.type.ts';
import { previewPath } from './preview.ts';

/**
 * The committee's view of an attachment; with `preview` (the viewer is of the village's committee or one of its
 * supervisors) signed preview URLs of the redacted views, which work before the month is public.
 */
export function toCommitteeAttachment(r: AttachmentRow, origin: string, preview: boolean): CommitteeAttachment {
  const pageHashes = [r.derivativeSha256, ...r.pageViews.map((p) => p.sha256)];
  return {
    sha256: r.derivativeSha256,
    mediaType: r.derivativeMediaType,
    width: r.width,
    height: r.height,
    url: origin + filePath(r.derivativeSha256, r.derivativeMediaType),
    thumbnailUrl: origin + filePath(r.thumbnailSha256, r.derivativeMediaType),
    thumbnailWidth: r.thumbnailWidth,
    thumbnailHeight: r.thumbnailHeight,
    pages: r.pages,
    pageUrls: pageHashes.map((h) => origin + filePath(h, r.derivativeMediaType)),
    kind: r.kind,
    voucherNumber: r.voucherNumber,
    id: r.id,
    filename: r.filename,
    originalSha256: r.originalSha256,
    originalMediaType: r.originalMediaType,
    originalBytes: r.originalBytes,
    redactions: r.redactions.map((x) => ({ ...x, page: x.page ?? 0 })),
    uploadedBy: r.uploadedBy,
    uploadedAt: r.uploadedAt,
    confirmedBy: r.confirmedBy,
    confirmedAt: r.confirmedAt,
    confirmed: r.confirmedBy !== null,
    previewUrl: preview ? origin + previewPath(r.derivativeSha256) : null,
    previewThumbnailUrl: preview ? origin + previewPath(r.thumbnailSha256) : null,
    previewPageUrls: preview ? pageHashes.map((h) => origin + previewPath(h)) : null,
  };
}

/**
 * Previews are for the village's committee and its supervisors (own or cross-assigned): a township admin reads the
 * committee's months but sees an attachment only once it is public. Whoever changes an attachment may preview it.
 */
export async function mayPreview(ctx: Context, villageId: number): Promise<boolean> {
  const actor = actorOf(ctx);
  const viewer = actor.viewer;
  if (!viewer) return false;
  const village = await actor.lookups.villageById(villageId);
  if (!village) return false;
  return mayAct(viewer, 'preview_attachments', villageId, await regionsOfVillage(actor, village));
}
