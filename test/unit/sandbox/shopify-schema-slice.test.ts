/**
 * The sandbox runs requests on its own slice of Shopify's Admin schema
 * (sandbox/shopify/schema.graphql.ts) after validating them against the
 * real one (Shopify's introspection in @shopify/dev-mcp). The slice must
 * not be a schema of its own making: every type, field, argument, input
 * field and enum value in it exists in Shopify's schema of the same
 * version, with the same type, and what is deprecated there is deprecated
 * here.
 */
import type { GraphQLArgument, GraphQLField, GraphQLInputField, GraphQLNamedType } from 'graphql';
import {
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isScalarType,
  isUnionType,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { adminSchema } from '../../../sandbox/shopify/admin-schema.ts';
import { schemaFor } from '../../../sandbox/shopify/executor.ts';

const VERSION = '2026-10';

function differences(ours: GraphQLNamedType, theirs: GraphQLNamedType | undefined): string[] {
  const name = ours.name;
  if (!theirs) return [`${name}: no such type in Shopify's schema`];
  if (ours.constructor !== theirs.constructor) return [`${name}: a different kind of type`];
  const out: string[] = [];
  const deprecation = (
    where: string,
    a: { deprecationReason?: unknown },
    b: { deprecationReason?: unknown },
  ) => {
    if (Boolean(a.deprecationReason) !== Boolean(b.deprecationReason))
      out.push(`${where}: deprecated ${b.deprecationReason ? 'on Shopify' : 'only here'}`);
  };
  const args = (where: string, a: readonly GraphQLArgument[], b: readonly GraphQLArgument[]) => {
    for (const arg of a) {
      const real = b.find((x) => x.name === arg.name);
      if (!real) out.push(`${where}(${arg.name}:): no such argument`);
      else if (String(real.type) !== String(arg.type))
        out.push(`${where}(${arg.name}:): ${String(arg.type)} here, ${String(real.type)} on Shopify`);
      else deprecation(`${where}(${arg.name}:)`, arg, real);
    }
  };
  if (isObjectType(ours) || isInterfaceType(ours)) {
    const real = (theirs as typeof ours).getFields();
    for (const field of Object.values(ours.getFields()) as GraphQLField<unknown, unknown>[]) {
      const r = real[field.name];
      const where = `${name}.${field.name}`;
      if (!r) out.push(`${where}: no such field`);
      else if (String(r.type) !== String(field.type))
        out.push(`${where}: ${String(field.type)} here, ${String(r.type)} on Shopify`);
      else {
        deprecation(where, field, r);
        args(where, field.args, r.args);
      }
    }
    const interfaces = (theirs as typeof ours).getInterfaces().map((i) => i.name);
    for (const i of ours.getInterfaces())
      if (!interfaces.includes(i.name)) out.push(`${name}: does not implement ${i.name} on Shopify`);
  } else if (isInputObjectType(ours)) {
    const real = (theirs as typeof ours).getFields();
    for (const field of Object.values(ours.getFields()) as GraphQLInputField[]) {
      const r = real[field.name];
      if (!r) out.push(`${name}.${field.name}: no such input field`);
      else if (String(r.type) !== String(field.type))
        out.push(`${name}.${field.name}: ${String(field.type)} here, ${String(r.type)} on Shopify`);
    }
  } else if (isEnumType(ours)) {
    const real = (theirs as typeof ours).getValues().map((v) => v.name);
    for (const v of ours.getValues())
      if (!real.includes(v.name)) out.push(`${name}.${v.name}: no such value`);
  } else if (isUnionType(ours)) {
    const real = (theirs as typeof ours).getTypes().map((t) => t.name);
    for (const t of ours.getTypes()) if (!real.includes(t.name)) out.push(`${name}: ${t.name} not a member`);
  } else if (!isScalarType(ours)) out.push(`${name}: unexpected kind`);
  return out;
}

describe('the sandbox’s schema slice', () => {
  it(`is a subset of Shopify's Admin schema ${VERSION}, types and deprecations alike`, () => {
    const real = adminSchema(VERSION).schema;
    const slice = schemaFor(VERSION);
    const problems = Object.values(slice.getTypeMap())
      .filter((t) => !t.name.startsWith('__'))
      .flatMap((t) => differences(t, real.getType(t.name)));
    expect(problems).toEqual([]);
    expect(slice.getQueryType()!.name).toBe(real.getQueryType()!.name);
    expect(slice.getMutationType()!.name).toBe(real.getMutationType()!.name);
  });

  it('catches a field Shopify does not have (the check can fail)', () => {
    const real = adminSchema(VERSION).schema;
    const slice = schemaFor(VERSION);
    const shop = slice.getType('Shop')!;
    expect(differences(shop, real.getType('Shop'))).toEqual([]);
    expect(differences(shop, real.getType('MoneyV2'))).toContain('Shop.email: no such field');
  });
});
