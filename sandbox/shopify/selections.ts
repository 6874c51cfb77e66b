/**
 * The fields a selection set selects on one type, with inline fragments and
 * fragment spreads flattened: what the cost calculation and the bulk JSONL
 * writer both walk.
 */
import type {
  FieldNode,
  FragmentDefinitionNode,
  GraphQLCompositeType,
  GraphQLNamedType,
  GraphQLSchema,
  SelectionSetNode,
} from 'graphql';
import { isAbstractType, isObjectType, Kind } from 'graphql';

export interface SelectionContext {
  schema: GraphQLSchema;
  fragments: Map<string, FragmentDefinitionNode>;
}

export function fieldsOn(
  ctx: SelectionContext,
  set: SelectionSetNode,
  type: GraphQLCompositeType,
  out: FieldNode[] = [],
): FieldNode[] {
  for (const s of set.selections) {
    if (s.kind === Kind.FIELD) out.push(s);
    else {
      const fragment = s.kind === Kind.FRAGMENT_SPREAD ? ctx.fragments.get(s.name.value) : s;
      if (!fragment) continue;
      const condition = fragment.typeCondition ? ctx.schema.getType(fragment.typeCondition.name.value) : type;
      if (!condition) continue;
      const applies =
        condition === type ||
        (isAbstractType(condition) && isObjectType(type) && ctx.schema.isSubType(condition, type));
      if (applies) fieldsOn(ctx, fragment.selectionSet, type, out);
    }
  }
  return out;
}

/** Shopify's Relay connections: a `…Connection` object type with `edges`. */
export const isConnection = (type: GraphQLNamedType): boolean =>
  isObjectType(type) && type.name.endsWith('Connection') && 'edges' in type.getFields();
