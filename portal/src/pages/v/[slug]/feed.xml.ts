import type { APIRoute } from 'astro';
import { graphql } from '../../../lib/api';
import { atomResponse, atomXml, publicationEntry, publicUrl, questionEntries } from '../../../lib/atom';
import { VillageFeed } from '../../../lib/queries';

/** A village's Atom feed: each publication and correction of its months, each question and each answer. */
export const GET: APIRoute = async ({ params }) => {
  const slug = params.slug!;
  const data = await graphql(VillageFeed, { slug });
  const v = data.village;
  if (!v)
    return new Response('没有这个村\n', { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' } });
  const village = { name: v.name, slug: v.slug };
  const entries = [
    ...v.periods.nodes.flatMap((p) =>
      p.statement.revisions.map((r) => publicationEntry(village, { year: p.year, month: p.month, ...r })),
    ),
    ...v.questions.nodes.flatMap((q) => questionEntries(village, q)),
  ];
  return atomResponse(
    atomXml({
      id: publicUrl(`/v/${v.slug}/feed.xml`),
      title: `${v.name}（${v.town.name}）村务财务公开`,
      self: publicUrl(`/v/${v.slug}/feed.xml`),
      alternate: publicUrl(`/v/${v.slug}`),
      entries,
    }),
  );
};
