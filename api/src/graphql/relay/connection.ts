import { sql, type SQL } from 'drizzle-orm';
import type { ClassType } from 'type-graphql';
import { ArgsType, Field, Int, ObjectType } from 'type-graphql';
import { badInput } from '../../errors.ts';

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;

@ArgsType()
export class PageArgs {
  @Field(() => Int, {
    nullable: true,
    description:
      '从前往后取的条数，1–100；first 和 last 都不给时取前 20 条 / Items from the start, 1–100 (default 20).',
  })
  first?: number;

  @Field(() => String, { nullable: true, description: '从该游标之后开始 / Return items after this cursor.' })
  after?: string;

  @Field(() => Int, {
    nullable: true,
    description: '从后往前取的条数，1–100，不能与 first 同用 / Items from the end, 1–100; not with `first`.',
  })
  last?: number;

  @Field(() => String, { nullable: true, description: '到该游标之前为止 / Return items before this cursor.' })
  before?: string;
}

@ObjectType({ simpleResolvers: true, description: '分页信息 / Relay page info.' })
export class PageInfo {
  @Field(() => Boolean)
  hasNextPage!: boolean;

  @Field(() => Boolean)
  hasPreviousPage!: boolean;

  @Field(() => String, { nullable: true })
  startCursor!: string | null;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

/** A resolved page: the slice plus where it sits in the whole list. */
export interface Page<T> {
  nodes: T[];
  /** Position of the first node in the whole list. */
  offset: number;
  totalCount: number;
}

/** The page size and direction every connection accepts, checked the same way everywhere. */
export interface PageSize {
  take: number;
  /** `last`: the slice ends at `before` (or the end of the list) instead of starting at `after`. */
  fromEnd: boolean;
}

export function pageSize(args: PageArgs): PageSize {
  const given = (n: number | null | undefined) => n !== undefined && n !== null;
  if (given(args.first) && given(args.last)) {
    throw badInput('first 和 last 只能给一个 / Give either first or last, not both', 'last');
  }
  const fromEnd = given(args.last);
  const take = (fromEnd ? args.last : args.first) ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(take) || take < 1 || take > MAX_PAGE_SIZE) {
    throw badInput(`${fromEnd ? 'last' : 'first'} 必须在 1 到 ${MAX_PAGE_SIZE} 之间`, fromEnd ? 'last' : 'first');
  }
  return { take, fromEnd };
}

/**
 * A validated window over a positional list: items at positions `start` ≤ i < `end` (0-based), of which the first
 * `take`, or with `fromEnd` the last `take`. `end` is open when no `before` cursor bounds it.
 */
export interface Window extends PageSize {
  start: number;
  end: number | undefined;
}

export function pageWindow(args: PageArgs): Window {
  const size = pageSize(args);
  const start = args.after === undefined || args.after === null ? 0 : decodeCursor(args.after, 'after') + 1;
  const end = args.before === undefined || args.before === null ? undefined : decodeCursor(args.before, 'before');
  return { ...size, start, end };
}

/**
 * The window as a condition on a 1-based `row_number()` column and a `count(*) over ()` column of the same rows,
 * so the page and the total come from one statement in either direction.
 */
export function windowSql(window: Window, rn: SQL, total: SQL): SQL {
  const parts: SQL[] = [sql`${rn} > ${window.start}`];
  if (window.end !== undefined) parts.push(sql`${rn} <= ${window.end}`);
  if (!window.fromEnd) parts.push(sql`${rn} <= ${window.start + window.take}`);
  else if (window.end !== undefined) parts.push(sql`${rn} > ${window.end - window.take}`);
  else parts.push(sql`${rn} > ${total} - ${window.take}`);
  return sql.join(parts, sql` and `);
}

/** The same window applied to a list already in memory (short lists computed in code). */
export function slicePage<T>(items: readonly T[], window: Window): Page<T> {
  const end = Math.min(window.end ?? items.length, items.length);
  const start = Math.min(window.start, end);
  const from = window.fromEnd ? Math.max(start, end - window.take) : start;
  const to = window.fromEnd ? end : Math.min(end, start + window.take);
  return { nodes: items.slice(from, to), offset: from, totalCount: items.length };
}

/** Where a page of rows numbered by `rn` (1-based) starts; for an empty page, where it would have. */
export function pageOffset(window: Window, firstRn: number | undefined, totalCount: number): number {
  if (firstRn !== undefined) return firstRn - 1;
  return Math.min(window.fromEnd ? (window.end ?? totalCount) : window.start, totalCount);
}

// Cursors are positions in the list, wrapped so clients cannot build them; the format may change freely.
export function encodeCursor(position: number): string {
  return Buffer.from(`c1:${position}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string, argument = 'after'): number {
  const match = /^c1:([0-9]{1,9})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw badInput('分页游标无效', argument);
  return Number(match[1]);
}

export interface EdgeShape<T> {
  cursor: string;
  node: T;
}

export interface ConnectionShape<T> {
  edges: EdgeShape<T>[];
  nodes: T[];
  pageInfo: PageInfo;
  /** A number, or a promise when counting costs a statement of its own that only a selected field should pay for. */
  readonly totalCount: number | Promise<number>;
}

/** Builds the GraphQL types `XConnection` and `XEdge` for a node type. */
export function ConnectionType<T extends object>(node: ClassType<T>, name: string) {
  @ObjectType(`${name}Edge`, { simpleResolvers: true })
  class Edge {
    @Field(() => String, { description: '不透明游标 / Opaque cursor.' })
    cursor!: string;

    @Field(() => node)
    node!: T;
  }

  @ObjectType(`${name}Connection`, { simpleResolvers: true })
  class Connection {
    @Field(() => [Edge])
    edges!: Edge[];

    @Field(() => [node], {
      description: '与 edges 中的 node 相同，便于直接读取 / The nodes of edges, for convenience.',
    })
    nodes!: T[];

    @Field(() => PageInfo)
    pageInfo!: PageInfo;

    // Not a simple field: it gets a resolver, so every executor awaits a lazy count (ConnectionShape.totalCount may
    // be a promise); graphql-jit reads a field without a resolver as a plain value and would not.
    @Field(() => Int, { simple: false, description: '符合条件的总数 / Total items matching, across all pages.' })
    totalCount!: number;
  }
  return Connection;
}

/** An edge whose cursor is encoded only if a client selects it (pages usually ask for `pageInfo.endCursor` alone). */
class PositionedEdge<T> implements EdgeShape<T> {
  constructor(
    private readonly position: number,
    readonly node: T,
  ) {}

  get cursor(): string {
    return encodeCursor(this.position);
  }
}

export function toConnection<T>(page: Page<T>): ConnectionShape<T> {
  const count = page.nodes.length;
  return {
    edges: page.nodes.map((node, i) => new PositionedEdge(page.offset + i, node)),
    nodes: page.nodes,
    totalCount: page.totalCount,
    pageInfo: {
      hasNextPage: page.offset + count < page.totalCount,
      hasPreviousPage: page.offset > 0,
      startCursor: count > 0 ? encodeCursor(page.offset) : null,
      endCursor: count > 0 ? encodeCursor(page.offset + count - 1) : null,
    },
  };
}
