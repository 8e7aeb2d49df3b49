import type { APIRoute } from 'astro';
import { ApiError, graphql } from '../../../lib/api';
import { atomResponse, atomXml, publicationEntry, publicUrl, questionEntries } from '../../../lib/atom';
import { RegionFeed } from '../../../lib/queries';

/** A district's or town's Atom feed: the newest publications of its villages' months, their questions and answers. */
export const GET: APIRoute = async ({ params }) => {
  const slug = params.slug!;
  // An unknown region: the publication feed refuses its slug (BAD_USER_INPUT), and there is no region to read.
  const data = await graphql(RegionFeed, { slug }).catch((error: unknown) => {
    if (error instanceof ApiError && error.code === 'BAD_USER_INPUT') return undefined;
    throw error;
  });
  const region = data?.region;
  if (!data || !region)
    return new Response('没有这个区划\n', { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' } });
  const entries = [
    ...data.statements.nodes.map((s) => publicationEntry(s.village, s)),
    ...region.villages.nodes.flatMap((v) => v.questions.nodes.flatMap((q) => questionEntries(v, q))),
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
