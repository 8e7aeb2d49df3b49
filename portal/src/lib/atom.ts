/**
 * Atom 1.0 (RFC 4287) feeds, written as text: every value escaped, characters XML 1.0 forbids dropped, ids absolute
 * URLs on the configured public origin (never the request's Host: a feed is cached and read by anyone).
 */
import { config } from './config';
import { monthLabel, monthSlug } from './format';
import { aboutText, beijingDate, questionHref, type Question } from './questions';

export interface AtomEntry {
  id: string;
  title: string;
  /** ISO 8601 with a zone, as the API sends DateTime. */
  updated: string;
  link: string;
  summary: string;
}

export interface AtomFeed {
  id: string;
  title: string;
  /** The feed's own address and the page it follows (both absolute). */
  self: string;
  alternate: string;
  entries: AtomEntry[];
}

/** Feeds list the newest entries only: a reader polls, and a mirror has the API's feed and the bulk files. */
const MAX_ENTRIES = 100;

/** Text for XML content: markup characters escaped, characters XML 1.0 forbids (most C0 controls, U+FFFE/F) dropped. */
export function xmlText(value: string): string {
  return value
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** An absolute URL on the public origin for a portal path. */
export function publicUrl(path: string): string {
  return `${config.publicUrl}${path}`;
}

export function atomXml(feed: AtomFeed): string {
  const entries = [...feed.entries]
    .sort((a, b) => (a.updated < b.updated ? 1 : a.updated > b.updated ? -1 : a.id.localeCompare(b.id)))
    .slice(0, MAX_ENTRIES);
  // The feed changed when its newest entry did; an empty feed says the epoch rather than "now", so it stays cacheable.
  const updated = entries[0]?.updated ?? '1970-01-01T00:00:00Z';
  const lines = [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="zh-CN">',
    `  <id>${xmlText(feed.id)}</id>`,
    `  <title>${xmlText(feed.title)}</title>`,
    `  <updated>${xmlText(isoDate(updated))}</updated>`,
    `  <link rel="self" type="application/atom+xml" href="${xmlText(feed.self)}"/>`,
    `  <link rel="alternate" type="text/html" href="${xmlText(feed.alternate)}"/>`,
    '  <author><name>明白账</name></author>',
    '  <generator>明白账 Mingbai</generator>',
    ...entries.flatMap((e) => [
      '  <entry>',
      `    <id>${xmlText(e.id)}</id>`,
      `    <title>${xmlText(e.title)}</title>`,
      `    <updated>${xmlText(isoDate(e.updated))}</updated>`,
      `    <link rel="alternate" type="text/html" href="${xmlText(e.link)}"/>`,
      `    <summary type="text">${xmlText(e.summary)}</summary>`,
      '  </entry>',
    ]),
    '</feed>',
    '',
  ];
  return lines.join('\n');
}

/** RFC 3339 as Atom wants it (the API's DateTime is already; this also accepts a Date's ISO text). */
function isoDate(value: string): string {
  const time = new Date(value);
  return Number.isNaN(time.getTime()) ? '1970-01-01T00:00:00Z' : time.toISOString();
}

export function atomResponse(xml: string): Response {
  return new Response(xml, {
    status: 200,
    headers: { 'content-type': 'application/atom+xml; charset=utf-8', 'cache-control': 'public, max-age=300' },
  });
}

/** A publication of a month's revision: the first one ("公开"), or a correction with its reason. */
export function publicationEntry(
  village: { name: string; slug: string },
  p: { year: number; month: number; revision: number; reason: string | null; publishedAt: string; digest: string },
): AtomEntry {
  const path = `/v/${village.slug}/${monthSlug(p.year, p.month)}`;
  const label = monthLabel(p.year, p.month);
  return {
    id: publicUrl(`${path}?rev=${p.revision}`),
    title:
      p.revision === 1
        ? `${village.name}公开了${label}的账目`
        : `${village.name}更正了${label}的账目（第${p.revision}版）`,
    updated: p.publishedAt,
    link: publicUrl(p.revision === 1 ? path : `${path}?rev=${p.revision}`),
    summary:
      p.revision === 1
        ? `${village.name}${label}的每一笔收支已经公开。摘要 ${p.digest}`
        : `更正原因：${p.reason ?? '（未写）'}。第${p.revision}版摘要 ${p.digest}`,
  };
}

/** A question as entries: its asking (with the hiding notice if hidden), and its answer when there is one. */
export function questionEntries(village: { slug: string }, q: Question): AtomEntry[] {
  const link = publicUrl(questionHref(village.slug, q.number));
  const asked: AtomEntry = {
    id: link,
    title: `村民提问 ${q.number}（${aboutText(q.about)}）`,
    updated: q.hidden?.hiddenAt ?? q.askedAt,
    link,
    summary: q.hidden
      ? `此问题已由监督员隐藏，原因：${q.hidden.reason}`
      : `${q.body ?? ''}（${beijingDate(q.dueAt)}前答复）`,
  };
  if (!q.answer) return [asked];
  return [
    asked,
    {
      id: `${link}#answer`,
      title: `${q.answer.roleLabel}答复了 ${q.number}${q.answeredLate ? '（超期）' : ''}`,
      updated: q.answer.answeredAt,
      link: `${link}#answer`,
      summary: q.answer.body,
    },
  ];
}
