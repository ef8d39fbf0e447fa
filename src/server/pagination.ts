import { Field, ObjectType, type ClassType } from 'type-graphql';
import { badInput } from '../errors/app-error';

@ObjectType('PageInfo', { simpleResolvers: true })
export class PageInfo {
  @Field()
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

export interface Edge<T> {
  cursor: string;
  node: T;
}

export interface Connection<T> {
  edges: Array<Edge<T>>;
  pageInfo: PageInfo;
}

/** Declares `<Name>Edge` and `<Name>Connection` object types for a node type. */
export function connectionTypes<T extends object>(name: string, node: ClassType<T>) {
  @ObjectType(`${name}Edge`, { simpleResolvers: true })
  class EdgeType {
    @Field()
    cursor!: string;

    @Field(() => node)
    node!: T;
  }

  @ObjectType(`${name}Connection`, { simpleResolvers: true })
  class ConnectionType {
    @Field(() => [EdgeType])
    edges!: EdgeType[];

    @Field(() => PageInfo)
    pageInfo!: PageInfo;
  }
  return { EdgeType, ConnectionType };
}

export const MAX_PAGE = 100;

/** `first` must be 1..MAX_PAGE: a clear error beats a silently clamped page. */
export function pageSize(first: number | null | undefined, fallback: number): number {
  const n = first ?? fallback;
  if (!Number.isInteger(n) || n < 1 || n > MAX_PAGE) throw badInput(`first must be between 1 and ${MAX_PAGE}`, 'first');
  return n;
}

/** Opaque cursors: base64url of a JSON array of key values. */
export function encodeCursor(values: Array<string | number>): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

/** Decodes a cursor made by encodeCursor with `arity` values, or BAD_USER_INPUT. */
export function decodeCursor(cursor: string | null | undefined, arity: number): Array<string | number> | undefined {
  if (cursor === null || cursor === undefined || cursor === '') return undefined;
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === arity && v.every((x) => typeof x === 'string' || typeof x === 'number')) {
      return v as Array<string | number>;
    }
  } catch {
    // fall through
  }
  throw badInput('after is not a valid cursor', 'after');
}

/** Builds a page from `rows` fetched with limit first+1. */
export function toConnection<R, T>(
  rows: R[],
  first: number,
  cursorOf: (row: R) => Array<string | number>,
  map: (row: R) => T,
): Connection<T> {
  const page = rows.slice(0, first);
  const edges = page.map((r) => ({ cursor: encodeCursor(cursorOf(r)), node: map(r) }));
  return { edges, pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null } };
}
