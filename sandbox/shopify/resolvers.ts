/**
 * The root fields of QueryRoot and Mutation. graphql-js calls
 * `rootValue[field](args, context)`. Access to what a field returns is
 * checked before it runs (field-access.ts, from Shopify's `requiredAccess`);
 * what Shopify words as prose is checked here (metafields.ts). Reading a
 * bulk operation counts as a poll. Orders older than 60 days are invisible
 * without `read_all_orders`.
 */
import { GraphQLError } from 'graphql';
import type { BulkOperationRecord } from './bulk.ts';
import { poll, runBulkMutation, runBulkQuery } from './bulk.ts';
import type { CanonicalOrder } from './canonical-order.ts';
import { orderAmounts } from './canonical-order.ts';
import type { PageArgs } from './connections.ts';
import { connection } from './connections.ts';
import type { ExecContext } from './context.ts';
import { hasScope, requireScope } from './context.ts';
import { parseGid } from './gid.ts';
import {
  bulkOperationView,
  customerView,
  definitionView,
  metafieldView,
  orderView,
  shopView,
} from './graphql-views.ts';
import { changeTags, metafieldDefinitionCreate, metafieldsSet } from './metafields.ts';
import { searchFilter } from './search.ts';
import type { SandboxCustomer } from './shop-state.ts';

const DAY = 86_400_000;

type Args = Record<string, unknown>;

function invalidId(id: string): never {
  throw new GraphQLError(`Invalid global id '${id}'`, {
    extensions: { code: 'argumentLiteralsIncompatible', typeName: 'CoercionError' },
  });
}

function visibleOrders(ctx: ExecContext): CanonicalOrder[] {
  const orders = [...ctx.shop.orders.values()];
  if (hasScope(ctx, 'read_all_orders')) return orders;
  const since = ctx.runtime.now() - 60 * DAY;
  return orders.filter((o) => Date.parse(o.createdAt) >= since);
}

const compareIds = (a: string, b: string) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0);

const ORDER_SORT: Record<string, (o: CanonicalOrder) => string | number> = {
  CREATED_AT: (o) => Date.parse(o.createdAt),
  PROCESSED_AT: (o) => Date.parse(o.processedAt),
  UPDATED_AT: (o) => Date.parse(o.updatedAt),
  ORDER_NUMBER: (o) => Number(/\d+/.exec(o.name)?.[0] ?? 0),
  TOTAL_PRICE: (o) => orderAmounts(o).totalMinor,
  CURRENT_TOTAL_PRICE: (o) => orderAmounts(o).currentTotalMinor,
};

function sorted<T extends { id: string }>(items: T[], by: ((item: T) => string | number) | undefined): T[] {
  return items.sort((a, b) => {
    if (by) {
      const x = by(a);
      const y = by(b);
      if (x !== y) return x < y ? -1 : 1;
    }
    return compareIds(a.id, b.id);
  });
}

function findOrder(ctx: ExecContext, id: string): CanonicalOrder | null {
  return visibleOrders(ctx).find((o) => o.id === id) ?? null;
}

async function bulkOperation(ctx: ExecContext, op: BulkOperationRecord | undefined) {
  if (!op) return null;
  await poll(ctx, op);
  return bulkOperationView(op);
}

/** A gid's type and id; a malformed one is refused as Shopify refuses it. */
const validGid = (id: string) => parseGid(id) ?? invalidId(id);

const orderViewById = (ctx: ExecContext, id: string) => {
  const order = findOrder(ctx, id);
  return order ? orderView(order, ctx) : null;
};

const customerViewById = (ctx: ExecContext, id: string) => {
  const c = ctx.shop.customers.get(id);
  return c ? customerView(c, ctx) : null;
};

/** The types with a root field of their own, looked up by gid (`order(id:)`, `customer(id:)`). */
const ROOT_OBJECTS = new Map<string, (ctx: ExecContext, id: string) => unknown>([
  ['Order', orderViewById],
  ['Customer', customerViewById],
]);

/** A root field that takes one gid: null for a gid of another type. */
const byGidOfType = (type: 'Order' | 'Customer') => (args: { id: string }, ctx: ExecContext) => {
  const parsed = validGid(args.id);
  return parsed.type === type ? ROOT_OBJECTS.get(type)!(ctx, parsed.id) : null;
};

async function nodeById(id: string, ctx: ExecContext): Promise<unknown> {
  const parsed = validGid(id);
  const root = ROOT_OBJECTS.get(parsed.type);
  if (root) return root(ctx, parsed.id);
  switch (parsed.type) {
    case 'LineItem':
    case 'Refund': {
      for (const order of visibleOrders(ctx)) {
        const view = orderView(order, ctx);
        const inner =
          parsed.type === 'LineItem'
            ? (view.lineItems as (a: PageArgs) => { nodes: { id: string }[] })({ first: 250 }).nodes
            : (view.refunds as (a: Args) => { id: string }[])({});
        const hit = inner.find((n) => n.id === id);
        if (hit) return hit;
      }
      return null;
    }
    case 'BulkOperation':
      return bulkOperation(ctx, ctx.shop.bulkOperations.get(id));
    case 'Shop':
      return parsed.id === ctx.shop.id ? shopView(ctx.shop) : null;
    case 'MetafieldDefinition': {
      const d = ctx.shop.metafieldDefinitions.find((x) => x.id === parsed.id);
      return d ? definitionView(d) : null;
    }
    case 'Metafield': {
      requireScope(ctx, 'read_customers', 'node');
      for (const c of ctx.shop.customers.values())
        for (const [key, m] of c.metafields)
          if (m.id === parsed.id) return metafieldView(c, key, m, ctx.shop);
      return null;
    }
    default:
      return null;
  }
}

const notInBulk = (ctx: ExecContext, field: string) => {
  if (ctx.bulk) throw new GraphQLError(`${field} cannot be used in a bulk mutation.`);
};

export const rootValue = {
  // QueryRoot
  shop: (_: Args, ctx: ExecContext) => shopView(ctx.shop),
  node: (args: { id: string }, ctx: ExecContext) => nodeById(args.id, ctx),
  nodes: (args: { ids: string[] }, ctx: ExecContext) => Promise.all(args.ids.map((id) => nodeById(id, ctx))),
  order: byGidOfType('Order'),
  customer: byGidOfType('Customer'),
  orders: (args: PageArgs & { sortKey: string; query?: string | null }, ctx: ExecContext) => {
    const filter = searchFilter<CanonicalOrder>(args.query, {
      created_at: (o) => o.createdAt,
      updated_at: (o) => o.updatedAt,
      processed_at: (o) => o.processedAt,
      test: (o) => o.test,
      email: (o) => o.email,
    });
    const orders = sorted(visibleOrders(ctx).filter(filter), ORDER_SORT[args.sortKey]);
    const sortValue = ORDER_SORT[args.sortKey];
    return connection(
      orders,
      args,
      (o) => ({ id: o.id, sortValue: String(sortValue ? sortValue(o) : o.id) }),
      ctx.bulk,
      (o) => orderView(o, ctx),
    );
  },
  customers: (args: PageArgs & { sortKey: string; query?: string | null }, ctx: ExecContext) => {
    const filter = searchFilter<SandboxCustomer>(args.query, {
      email: (c) => c.email,
      created_at: (c) => c.createdAt,
      updated_at: (c) => c.updatedAt,
      tag: (c) => [...c.tags].join(','),
    });
    const by: Record<string, (c: SandboxCustomer) => string | number> = {
      CREATED_AT: (c) => Date.parse(c.createdAt),
      UPDATED_AT: (c) => Date.parse(c.updatedAt),
      NAME: (c) => `${c.firstName ?? ''} ${c.lastName ?? ''}`.trim().toLowerCase(),
    };
    const customers = sorted([...ctx.shop.customers.values()].filter(filter), by[args.sortKey]);
    return connection(
      customers,
      args,
      (c) => ({ id: c.id, sortValue: String(by[args.sortKey]?.(c) ?? c.id) }),
      ctx.bulk,
      (c) => customerView(c, ctx),
    );
  },
  bulkOperation: (args: { id: string }, ctx: ExecContext) =>
    bulkOperation(ctx, ctx.shop.bulkOperations.get(args.id)),
  bulkOperations: async (
    args: PageArgs & { sortKey: 'CREATED_AT' | 'COMPLETED_AT'; query?: string | null },
    ctx: ExecContext,
  ) => {
    // The filters Shopify documents for this query: status, operation_type, created_at and id.
    const filter = searchFilter<BulkOperationRecord>(args.query, {
      status: (op) => op.status.toLowerCase(),
      operation_type: (op) => op.type.toLowerCase(),
      created_at: (op) => op.createdAt,
      id: (op) => op.id.split('/').pop()!,
    });
    const ops = [...ctx.shop.bulkOperations.values()];
    await Promise.all(ops.map((op) => poll(ctx, op)));
    const at = (op: BulkOperationRecord) =>
      Date.parse((args.sortKey === 'COMPLETED_AT' ? op.completedAt : op.createdAt) ?? '') || 0;
    const numeric = (op: BulkOperationRecord) => BigInt(op.id.split('/').pop()!);
    // "Defaults to sorting by created_at, with newest operations first."
    const listed = ops
      .filter(filter)
      .sort((a, b) => at(b) - at(a) || (numeric(b) > numeric(a) ? 1 : numeric(b) < numeric(a) ? -1 : 0));
    return connection(
      listed,
      args,
      (op) => ({ id: op.id.split('/').pop()!, sortValue: String(at(op)) }),
      ctx.bulk,
      bulkOperationView,
    );
  },
  currentBulkOperation: (args: { type: BulkOperationRecord['type'] }, ctx: ExecContext) =>
    bulkOperation(ctx, [...ctx.shop.bulkOperations.values()].filter((op) => op.type === args.type).at(-1)),
  metafieldDefinitions: (
    args: PageArgs & { ownerType: string; namespace?: string | null; key?: string | null },
    ctx: ExecContext,
  ) =>
    connection(
      ctx.shop.metafieldDefinitions.filter(
        (d) =>
          d.ownerType === args.ownerType &&
          (!args.namespace || d.namespace === args.namespace) &&
          (!args.key || d.key === args.key),
      ),
      args,
      (d) => ({ id: d.id, sortValue: d.id }),
      ctx.bulk,
      definitionView,
    ),

  // Mutation
  metafieldsSet: (args: Parameters<typeof metafieldsSet>[1], ctx: ExecContext) => metafieldsSet(ctx, args),
  metafieldDefinitionCreate: (args: Parameters<typeof metafieldDefinitionCreate>[1], ctx: ExecContext) =>
    metafieldDefinitionCreate(ctx, args),
  tagsAdd: (args: { id: string; tags: string[] }, ctx: ExecContext) => changeTags(ctx, args, true),
  tagsRemove: (args: { id: string; tags: string[] }, ctx: ExecContext) => changeTags(ctx, args, false),
  stagedUploadsCreate: (
    args: Parameters<ExecContext['runtime']['uploads']['create']>[1],
    ctx: ExecContext,
  ) => {
    notInBulk(ctx, 'stagedUploadsCreate');
    return ctx.runtime.uploads.create(ctx, args);
  },
  bulkOperationRunQuery: (args: { query: string; groupObjects: boolean }, ctx: ExecContext) => {
    notInBulk(ctx, 'bulkOperationRunQuery');
    const result = runBulkQuery(ctx, args);
    return { ...result, bulkOperation: result.bulkOperation && bulkOperationView(result.bulkOperation) };
  },
  bulkOperationRunMutation: (args: { mutation: string; stagedUploadPath: string }, ctx: ExecContext) => {
    notInBulk(ctx, 'bulkOperationRunMutation');
    const result = runBulkMutation(ctx, args);
    return { ...result, bulkOperation: result.bulkOperation && bulkOperationView(result.bulkOperation) };
  },
};
