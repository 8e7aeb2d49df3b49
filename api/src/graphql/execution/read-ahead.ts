// A month's page in two statements (issue 19): the village, then the month with everything the page shows. The
// statement's own fields wait for the statement (its revision above all); the red flags, attachments, questions and
// lines below it would each be read one level later, in a statement of their own. Read ahead, they are asked for in
// the same turn as the statement, so `mergeReads` sends them with it, and their fields find them primed.
import { getArgumentValues } from 'graphql/execution/values.js';
import { isObjectType, Kind, type FieldNode, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';
import { readAheadAttachments, type createAttachmentLoaders } from '../../attachments/attachment.loader.ts';
import type { createQuestionLoaders } from '../../questions/question.loader.ts';
import { readAheadFlags, type createReviewLoaders } from '../../review/red-flag.loader.ts';
import type { MonthKey } from '../../statements/period-keys.ts';
import { asksAnywhere } from '../../statements/statement-selection.ts';
import { readAheadLines, type createVoucherLoaders } from '../../vouchers/voucher.loader.ts';
import { LINE_DETAIL } from '../../vouchers/voucher.service.ts';

/** The loaders a month's page reads ahead through (the request's: `Context['loaders']`). */
type AheadLoaders = ReturnType<typeof createAttachmentLoaders> &
  ReturnType<typeof createQuestionLoaders> &
  ReturnType<typeof createReviewLoaders> &
  ReturnType<typeof createVoucherLoaders>;

/** The fields asked directly of the statement (fragments followed), by name, and every field name asked below it. */
function selection(info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>) {
  const direct = new Map<string, FieldNode[]>();
  const anywhere = new Set<string>();
  const seen = new Set<string>();
  const deep = (set: SelectionSetNode | undefined) => {
    for (const s of set?.selections ?? []) {
      if (s.kind === Kind.FIELD) {
        anywhere.add(s.name.value);
        deep(s.selectionSet);
      } else if (s.kind === Kind.INLINE_FRAGMENT) deep(s.selectionSet);
      else if (!seen.has(`deep:${s.name.value}`)) {
        seen.add(`deep:${s.name.value}`);
        deep(info.fragments[s.name.value]?.selectionSet);
      }
    }
  };
  const top = (set: SelectionSetNode | undefined) => {
    for (const s of set?.selections ?? []) {
      if (s.kind === Kind.FIELD) {
        const list = direct.get(s.name.value) ?? [];
        list.push(s);
        direct.set(s.name.value, list);
      } else if (s.kind === Kind.INLINE_FRAGMENT) top(s.selectionSet);
      else if (!seen.has(s.name.value)) {
        seen.add(s.name.value);
        top(info.fragments[s.name.value]?.selectionSet);
      }
    }
  };
  for (const node of info.fieldNodes) {
    top(node.selectionSet);
    deep(node.selectionSet);
  }
  return { direct, anywhere };
}

/**
 * Starts, in the statement's own turn, the reads of what the statement's selection asks below it: the month's
 * questions, red flags, attachments (the month's and its payments') and each `lines` page with its arguments. With no
 * revision given, they read the month's current revision, which `current` (the statement's read) names. Only a
 * guess at the cost: a field finds its data primed, or reads it itself as before.
 */
export function readAheadMonth(
  loaders: AheadLoaders,
  month: MonthKey,
  revision: number | undefined,
  current: Promise<number | undefined>,
  info: GraphQLResolveInfo,
): void {
  const { direct, anywhere } = selection(info);
  if (direct.has('questions')) loaders.questionsOfMonth.load(month).catch(() => {});
  if (direct.has('redFlags') || direct.has('redFlagCount')) readAheadFlags(loaders, month, revision, current);
  if (anywhere.has('attachments')) readAheadAttachments(loaders, month, revision, current);
  const lines = direct.get('lines');
  if (lines) {
    const type = info.schema.getType('MonthlyStatement');
    const definition = isObjectType(type) ? type.getFields().lines : undefined;
    if (!definition) return;
    for (const node of lines) {
      let args: Record<string, unknown>;
      try {
        args = getArgumentValues(definition, node, info.variableValues);
      } catch {
        continue;
      }
      const lean = !asksAnywhere({ fieldNodes: [node], fragments: info.fragments }, LINE_DETAIL);
      readAheadLines(loaders, month, revision, current, args, lean);
    }
  }
}
