/**
 * Shopify's calculated query cost and its leaky bucket
 * (shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits):
 * scalars and enums cost 0, an object 1, a connection 2 plus `first`/`last`
 * times the cost of one node, an interface or union the most expensive of
 * its possible selections, a mutation field 10. The requested cost (from the
 * document, before running it) must fit in the bucket or nothing runs and
 * the answer is THROTTLED; the actual cost (from what came back) is what is
 * finally taken, the difference being returned to the bucket. The bucket
 * refills at `restoreRate` points a second, up to `maximumAvailable`.
 */
import type {
  FieldNode,
  FragmentDefinitionNode,
  GraphQLCompositeType,
  GraphQLField,
  GraphQLSchema,
  OperationDefinitionNode,
  SelectionSetNode,
  ValueNode,
} from 'graphql';
import {
  getNamedType,
  isAbstractType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
} from 'graphql';
import type { SelectionContext } from './selections.ts';
import { fieldsOn, isConnection } from './selections.ts';

export const MAX_SINGLE_QUERY_COST = 1000;
const MUTATION_COST = 10;

export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

export interface QueryCost {
  requestedQueryCost: number;
  actualQueryCost: number | null;
  throttleStatus: ThrottleStatus;
}

export class LeakyBucket {
  readonly maximumAvailable: number;
  readonly restoreRate: number;
  private available: number;
  private at: number;
  private readonly now: () => number;

  constructor(maximumAvailable: number, restoreRate: number, now: () => number) {
    this.maximumAvailable = maximumAvailable;
    this.restoreRate = restoreRate;
    this.available = maximumAvailable;
    this.now = now;
    this.at = now();
  }

  private refill(): void {
    const t = this.now();
    this.available = Math.min(
      this.maximumAvailable,
      this.available + ((t - this.at) / 1000) * this.restoreRate,
    );
    this.at = t;
  }

  /** Points available now (fractional while refilling). */
  get currentlyAvailable(): number {
    this.refill();
    return this.available;
  }

  /** Takes `points` if they are there; false (and nothing taken) if not. */
  take(points: number): boolean {
    this.refill();
    if (points > this.available) return false;
    this.available -= points;
    return true;
  }

  /** Returns points to the bucket (the requested cost not spent). */
  give(points: number): void {
    this.refill();
    this.available = Math.min(this.maximumAvailable, this.available + points);
  }

  status(): ThrottleStatus {
    return {
      maximumAvailable: this.maximumAvailable,
      currentlyAvailable: Math.floor(this.currentlyAvailable),
      restoreRate: this.restoreRate,
    };
  }
}

interface CostContext extends SelectionContext {
  variables: Record<string, unknown>;
}

function argument(ctx: CostContext, field: FieldNode, name: string): unknown {
  const node = field.arguments?.find((a) => a.name.value === name)?.value;
  return node ? literal(ctx, node) : undefined;
}

function literal(ctx: CostContext, node: ValueNode): unknown {
  if (node.kind === Kind.VARIABLE) return ctx.variables[node.name.value];
  if (node.kind === Kind.INT) return Number(node.value);
  return undefined;
}

/** Cost of a selection on `type`; with `value`, the actual cost of what was returned. */
function selectionCost(
  ctx: CostContext,
  set: SelectionSetNode,
  type: GraphQLCompositeType,
  value?: unknown,
): number {
  if (isAbstractType(type)) {
    const possible = ctx.schema.getPossibleTypes(type);
    return Math.max(0, ...possible.map((t) => selectionCost(ctx, set, t, value)));
  }
  let total = 0;
  for (const field of fieldsOn(ctx, set, type)) {
    const name = field.name.value;
    if (name.startsWith('__')) continue;
    const def = type.getFields()[name];
    if (!def) continue;
    const data =
      value === undefined
        ? undefined
        : (value as Record<string, unknown> | null)?.[field.alias?.value ?? name];
    total += fieldCost(ctx, field, def, value === undefined ? undefined : (data ?? null));
  }
  return total;
}

function fieldCost(
  ctx: CostContext,
  field: FieldNode,
  def: GraphQLField<unknown, unknown>,
  value?: unknown,
): number {
  const named = getNamedType(def.type);
  if (isLeafType(named) || !field.selectionSet) return 0;
  if (value === null) return 0;
  if (isConnection(named) && isObjectType(named)) {
    if (value !== undefined)
      return 2 + connectionNodesCost(ctx, field.selectionSet, named, value as Record<string, unknown>);
    const size = Number(argument(ctx, field, 'first') ?? argument(ctx, field, 'last') ?? 0) || 0;
    return 2 + size * connectionNodesCost(ctx, field.selectionSet, named);
  }
  const composite = named as GraphQLCompositeType;
  let inner = def.type;
  if (isNonNullType(inner)) inner = inner.ofType;
  if (isListType(inner) && Array.isArray(value))
    return (
      1 + Math.max(0, ...value.map((v) => selectionCost(ctx, field.selectionSet!, composite, v ?? null)))
    );
  return 1 + selectionCost(ctx, field.selectionSet, composite, value);
}

/**
 * The nodes of a connection: requested, the cost of one node (the
 * `edges { node }` and `nodes` selections; edges, cursors and pageInfo are
 * free); actual, the sum over the nodes returned.
 */
function connectionNodesCost(
  ctx: CostContext,
  set: SelectionSetNode,
  type: GraphQLCompositeType & { getFields(): Record<string, GraphQLField<unknown, unknown>> },
  value?: Record<string, unknown>,
): number {
  let total = 0;
  for (const field of fieldsOn(ctx, set, type)) {
    const key = field.alias?.value ?? field.name.value;
    if (!field.selectionSet) continue;
    const nodeType = getNamedType(type.getFields().nodes!.type) as GraphQLCompositeType;
    if (field.name.value === 'nodes') {
      const nodes = value ? ((value[key] as unknown[] | null) ?? []) : [undefined];
      for (const n of nodes) total += 1 + selectionCost(ctx, field.selectionSet, nodeType, n);
    } else if (field.name.value === 'edges') {
      const edgeType = getNamedType(type.getFields().edges!.type) as GraphQLCompositeType;
      for (const nodeField of fieldsOn(ctx, field.selectionSet, edgeType)) {
        if (nodeField.name.value !== 'node' || !nodeField.selectionSet) continue;
        const nodeKey = nodeField.alias?.value ?? 'node';
        const edges = value ? ((value[key] as Record<string, unknown>[] | null) ?? []) : [undefined];
        for (const e of edges)
          total += 1 + selectionCost(ctx, nodeField.selectionSet, nodeType, e?.[nodeKey]);
      }
    }
  }
  return total;
}

function context(
  schema: GraphQLSchema,
  fragments: readonly FragmentDefinitionNode[],
  variables: Record<string, unknown>,
): CostContext {
  return { schema, fragments: new Map(fragments.map((f) => [f.name.value, f])), variables };
}

/** The cost Shopify computes before running an operation. */
export function requestedCost(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: readonly FragmentDefinitionNode[],
  variables: Record<string, unknown>,
): number {
  if (operation.operation === 'mutation')
    return MUTATION_COST * operation.selectionSet.selections.filter((s) => s.kind === Kind.FIELD).length;
  return selectionCost(context(schema, fragments, variables), operation.selectionSet, schema.getQueryType()!);
}

/** The cost of what an operation returned. */
export function actualCost(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: readonly FragmentDefinitionNode[],
  variables: Record<string, unknown>,
  data: unknown,
): number {
  if (operation.operation === 'mutation') return requestedCost(schema, operation, fragments, variables);
  return selectionCost(
    context(schema, fragments, variables),
    operation.selectionSet,
    schema.getQueryType()!,
    data ?? null,
  );
}
