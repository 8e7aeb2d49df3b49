/**
 * Villagers' questions as the pages show them: status in words and a sign (never colour alone), what a question is
 * about, dates in Beijing time, links by number.
 */
import { createHash } from 'node:crypto';
import type { QuestionFieldsFragment, QuestionStatus } from './generated/graphql';
import { monthLabel, monthSlug } from './format';

export type Question = QuestionFieldsFragment;

/** Each status in words, with a sign that reads without colour. */
export const STATUS: Record<QuestionStatus, { label: string; sign: string; className: string }> = {
  OPEN: { label: '待答复', sign: '◷', className: 'q-open' },
  ANSWERED: { label: '已答复', sign: '✓', className: 'q-answered' },
  OVERDUE: { label: '逾期未答复', sign: '⚠', className: 'q-overdue' },
};

/** The list's tabs: all, then by status (the URL's `?status=` in lower case). */
export const TABS: { status: QuestionStatus | undefined; label: string; param: string }[] = [
  { status: undefined, label: '全部', param: '' },
  { status: 'OPEN', label: '待答复', param: 'open' },
  { status: 'ANSWERED', label: '已答复', param: 'answered' },
  { status: 'OVERDUE', label: '逾期', param: 'overdue' },
];

export function statusParam(value: string | null): QuestionStatus | undefined {
  return TABS.find((t) => t.param !== '' && t.param === value?.toLowerCase())?.status;
}

/** "付村-2026-0012" → "2026-0012" (the part a URL carries); a bare tail as typed stays as it is. */
export function questionTail(number: string): string {
  return /(\d{4}-\d{1,6})$/.exec(number.trim())?.[1] ?? number.trim();
}

/** A number as typed into the look-up box: the full form or the tail, digits in any width ("2026-12" → "2026-0012"). */
export function parseQuestionNumber(text: string | null | undefined): string | undefined {
  const match = /(?:^|-)(\d{4})\s*[-－—–]\s*(\d{1,6})\s*$/.exec((text ?? '').trim().slice(0, 60));
  if (!match) return undefined;
  const seq = Number(match[2]);
  return seq >= 1 ? `${match[1]}-${String(seq).padStart(4, '0')}` : undefined;
}

export function questionHref(slug: string, number: string): string {
  return `/v/${slug}/questions/${questionTail(number)}`;
}

/** Beijing's calendar date of a moment: "2026年6月3日" (an asked_at late in the UTC evening is the next day there). */
export function beijingDate(iso: string): string {
  const at = new Date(new Date(iso).getTime() + 8 * 3_600_000);
  return `${at.getUTCFullYear()}年${at.getUTCMonth() + 1}月${at.getUTCDate()}日`;
}

/** Whole days from now to the due moment, in words: "还有3天" / "今天到期" / "逾期2天". */
export function clockText(
  question: Pick<Question, 'dueAt' | 'status' | 'answer' | 'answeredLate'>,
  now = Date.now(),
): string {
  if (question.answer) return question.answeredLate ? '超过期限才答复' : '按期答复';
  const left = new Date(question.dueAt).getTime() - now;
  // Overdue by whole days passed (at least one); due in the days begun (asked today, due in 10: "还有10天").
  if (question.status === 'OVERDUE') return `逾期${Math.max(1, Math.floor(-left / 86_400_000))}天`;
  const days = Math.ceil(left / 86_400_000);
  return days >= 2 ? `还有${days}天` : '今天或明天到期';
}

/** "关于2026年1月" / "关于2026年1月第3号凭证" / "关于本村". */
export function aboutText(about: Question['about']): string {
  if (!about) return '关于本村';
  return `关于${monthLabel(about.year, about.month)}${about.voucherNumber !== null ? `第${about.voucherNumber}号凭证` : '账目'}`;
}

/** The page a question is about: the month, or the voucher's page under it; none for the village in general. */
export function aboutHref(slug: string, about: Question['about']): string | undefined {
  if (!about) return undefined;
  const month = `/v/${slug}/${monthSlug(about.year, about.month)}`;
  return about.voucherNumber !== null ? `${month}/${about.voucherNumber}` : month;
}

/**
 * A short fingerprint of what the public sees of these questions (status, answer, hiding): part of a cached page's
 * ETag, so a page whose published month never changes still shows a new question or answer once its copy expires.
 */
export function questionsMark(questions: readonly Question[], now = Date.now()): string {
  const seen = questions.map(
    (q) => `${q.number}|${q.status}|${q.answer?.answeredAt ?? ''}|${q.hidden?.hiddenAt ?? ''}`,
  );
  // Open questions turn overdue with time alone: the hour is part of the mark while any is still open.
  if (questions.some((q) => q.status === 'OPEN')) seen.push(String(Math.floor(now / 3_600_000)));
  return createHash('sha256').update(seen.join('\n')).digest('base64url').slice(0, 12);
}

/** The due days printed when a village's setting cannot be read. */
export const DEFAULT_DUE_DAYS = 10;
