import type { ClassType } from 'type-graphql';
import { ArgsType, Field, Int, ObjectType } from 'type-graphql';
import { badInput } from '../errors.ts';

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;

@ArgsType()
export class PageArgs {
  @Field(() => Int, { nullable: true, description: '返回条数，1–100，默认 20 / Items to return, 1–100 (default 20).' })
  first?: number;

  @Field(() => String, { nullable: true, description: '从该游标之后开始 / Return items after this cursor.' })
  after?: string;
}

@ObjectType({ description: '分页信息 / Relay page info.' })
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
  offset: number;
  totalCount: number;
}

/** A validated window over a list: the public `first/after` turned into offset and limit. */
export interface Window {
  offset: number;
  limit: number;
}

export function pageWindow(args: PageArgs): Window {
  const limit = args.first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw badInput(`first 必须在 1 到 ${MAX_PAGE_SIZE} 之间`, 'first');
  }
  return { offset: args.after === undefined || args.after === null ? 0 : decodeCursor(args.after) + 1, limit };
}

// Cursors are positions in the list, wrapped so clients cannot build them; the format may change freely.
export function encodeCursor(position: number): string {
  return Buffer.from(`c1:${position}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): number {
  const match = /^c1:([0-9]{1,9})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw badInput('分页游标无效', 'after');
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
  totalCount: number;
}

/** Builds the GraphQL types `XConnection` and `XEdge` for a node type. */
export function ConnectionType<T extends object>(node: ClassType<T>, name: string) {
  @ObjectType(`${name}Edge`)
  class Edge {
    @Field(() => String)
    cursor!: string;

    @Field(() => node)
    node!: T;
  }

  @ObjectType(`${name}Connection`)
  class Connection {
    @Field(() => [Edge])
    edges!: Edge[];

    @Field(() => [node], {
      description: '与 edges 中的 node 相同，便于直接读取 / The nodes of edges, for convenience.',
    })
    nodes!: T[];

    @Field(() => PageInfo)
    pageInfo!: PageInfo;

    @Field(() => Int, { description: '符合条件的总数 / Total items matching, across all pages.' })
    totalCount!: number;
  }
  return Connection;
}

export function toConnection<T>(page: Page<T>): ConnectionShape<T> {
  const edges = page.nodes.map((node, i) => ({ cursor: encodeCursor(page.offset + i), node }));
  return {
    edges,
    nodes: page.nodes,
    totalCount: page.totalCount,
    pageInfo: {
      hasNextPage: page.offset + page.nodes.length < page.totalCount,
      hasPreviousPage: page.offset > 0,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
  };
}
