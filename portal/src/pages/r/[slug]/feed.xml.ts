import type { APIRoute } from 'astro';
import { graphql } from '../../../lib/api';
import { atomResponse, atomXml, publicationEntry, publicUrl, questionEntries } from '../../../lib/atom';
import { RegionFeed } from '../../../lib/queries';

/** A district's or town's Atom feed: the newest publications of its villages' months, their questions and answers. */
export const GET: APIRoute = async ({ params }) => {
  const slug = params.slug!;
  const data = await graphql(RegionFeed, { slug });
  const region = data.region;
  if (!region)
    return new Response('没有这个区划\n', { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' } });
  const entries = [
    ...data.statements.nodes.map((s) => publicationEntry(s.village, s)),
    ...region.questions.nodes.flatMap((q) => questionEntries({ slug: villageSlugOf(q.url) }, q)),
  ];
  return atomResponse(
    atomXml({
      id: publicUrl(`/r/${region.slug}/feed.xml`),
      title: `${region.name}各村村务财务公开`,
      self: publicUrl(`/r/${region.slug}/feed.xml`),
      alternate: publicUrl(`/r/${region.slug}`),
      entries,
    }),
  );
};

/** The village's slug from a question's page address (…/v/{slug}/questions/…). */
function villageSlugOf(url: string): string {
  return /\/v\/([^/]+)\/questions\//.exec(url)?.[1] ?? '';
}
