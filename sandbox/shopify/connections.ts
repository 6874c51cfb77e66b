/**
 * Relay connections as Shopify pages them: `first` or `last` is required
 * (at most 250), cursors are opaque base64 of the last item's id and sort
 * value, `reverse` flips the sort. Inside a bulk operation there is no page
 * size: every node is returned, which is the point of a bulk query.
 */
import { GraphQLError } from 'graphql';

export const MAX_PAGE_SIZE = 250;

export interface PageArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
  reverse?: boolean | null;
}

export interface Connection<T> {
  edges: { cursor: string; node: T }[];
  nodes: T[];
  pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
}

const encode = (id: string, sortValue: string) =>
  Buffer.from(JSON.stringify({ last_id: Number(id), last_value: sortValue })).toString('base64');

function decode(cursor: string): string {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64').toString('utf8')) as { last_id?: unknown };
    if (typeof parsed.last_id === 'number') return String(parsed.last_id);
  } catch {
    // falls through to the error below
  }
  throw new GraphQLError('Invalid cursor for current pagination sort.', {
    extensions: { code: 'argumentLiteralsIncompatible' },
  });
}

/**
 * A page of `items` (already in sort order), each node rendered by `view`
 * only once it is on the page.
 * @param key an item's numeric id and sort value, for its cursor.
 */
export function connection<T, V = T>(
  items: readonly T[],
  args: PageArgs,
  key: (item: T) => { id: string; sortValue: string },
  bulk: boolean,
  view: (item: T) => V = (item) => item as unknown as V,
): Connection<V> {
  const { first, last, after, before } = args;
  if (!bulk) {
    if (first == null && last == null) throw new GraphQLError('you must provide one of first or last');
    if (first != null && last != null) throw new GraphQLError('you may not provide both first and last');
    const size = first ?? last!;
    if (size < 0)
      throw new GraphQLError(`${first != null ? 'first' : 'last'} must be greater than or equal to 0`);
    if (size > MAX_PAGE_SIZE)
      throw new GraphQLError(
        `The ${first != null ? 'first' : 'last'} argument must be less than or equal to ${MAX_PAGE_SIZE}.`,
      );
  }
  let list = args.reverse ? [...items].reverse() : [...items];
  const indexOf = (cursor: string) => {
    const id = decode(cursor);
    return list.findIndex((item) => key(item).id === id);
  };
  let start = 0;
  let end = list.length;
  if (after) {
    const i = indexOf(after);
    if (i >= 0) start = i + 1;
  }
  if (before) {
    const i = indexOf(before);
    if (i >= 0) end = i;
  }
  list = list.slice(start, end);
  let hasNextPage = end < items.length;
  let hasPreviousPage = start > 0;
  if (!bulk && first != null && list.length > first) {
    list = list.slice(0, first);
    hasNextPage = true;
  }
  if (!bulk && last != null && list.length > last) {
    list = list.slice(list.length - last);
    hasPreviousPage = true;
  }
  const edges = list.map((item) => {
    const k = key(item);
    return { cursor: encode(k.id, k.sortValue), node: view(item) };
  });
  return {
    edges,
    nodes: edges.map((e) => e.node),
    pageInfo: {
      hasNextPage,
      hasPreviousPage,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}
