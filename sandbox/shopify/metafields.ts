/**
 * `metafieldsSet` and `metafieldDefinitionCreate` with Shopify's rules
 * (a definition's capabilities: metafield-capabilities.ts):
 * at most 25 inputs a call (code LESS_THAN_OR_EQUAL_TO, "Exceeded the
 * maximum metafields input limit of 25."), namespace 3–255 and key 2–64
 * characters, a type (given, or the definition's) that the value parses as,
 * and a given type that matches the definition's. The call is atomic: one
 * bad input and nothing is written; each userError names its input by index
 * in `field` (`["metafields", "3", "value"]`). Only customer owners are kept
 * by the sandbox; any other owner is refused rather than pretended.
 */
import type { ExecContext } from './context.ts';
import { isoNow, requireScope } from './context.ts';
import { parseGid } from './gid.ts';
import { customerView, definitionView, metafieldView } from './graphql-views.ts';
import { adminFilterableRefusal } from './metafield-capabilities.ts';

export const METAFIELDS_PER_CALL = 25;

interface MetafieldsSetInput {
  ownerId: string;
  namespace?: string | null;
  key: string;
  value: string;
  type?: string | null;
  compareDigest?: string | null;
}

interface UserError {
  field: string[] | null;
  message: string;
  code: string | null;
  elementIndex?: number | null;
}

const INTEGER = /^[-+]?\d+$/;
const DECIMAL = /^[-+]?\d+(?:\.\d+)?$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?$/;

function validDate(text: string): boolean {
  const m = DATE.exec(text);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return (
    d.getUTCFullYear() === Number(m[1]) &&
    d.getUTCMonth() === Number(m[2]) - 1 &&
    d.getUTCDate() === Number(m[3])
  );
}

/** The reason a value is not of a type, or null when it is. */
export function valueError(type: string, value: string): string | null {
  switch (type) {
    case 'number_integer': {
      if (!INTEGER.test(value)) return 'Value must be an integer.';
      return Math.abs(Number(value)) > 9_999_999_999_999 ? "Value can't exceed 9999999999999." : null;
    }
    case 'number_decimal': {
      if (!DECIMAL.test(value)) return 'Value must be a decimal.';
      const [whole = '', fraction = ''] = value.replace(/^[-+]/, '').split('.');
      if (whole.replace(/^0+/, '').length > 13) return "Value can't exceed 9999999999999.";
      return fraction.length > 9 ? 'Value must have at most 9 digits after the decimal point.' : null;
    }
    case 'single_line_text_field':
      if (!value.trim()) return "Value can't be blank.";
      return /[\r\n]/.test(value) ? 'Value must be a single line text string.' : null;
    case 'multi_line_text_field':
      return value.trim() ? null : "Value can't be blank.";
    case 'boolean':
      return value === 'true' || value === 'false' ? null : 'Value must be true or false.';
    case 'date':
      return validDate(value) ? null : 'Value must be in YYYY-MM-DD format.';
    case 'date_time': {
      const m = DATE_TIME.exec(value);
      return m && validDate(m[1]!) && Number(m[2]) < 24 && Number(m[3]) < 60 && Number(m[4] ?? 0) < 60
        ? null
        : 'Value must be in YYYY-MM-DDTHH:MM:SS format.';
    }
    case 'json':
      try {
        JSON.parse(value);
        return null;
      } catch {
        return 'Value is invalid JSON.';
      }
    default:
      return null;
  }
}

export const SUPPORTED_TYPES = [
  'boolean',
  'date',
  'date_time',
  'json',
  'multi_line_text_field',
  'number_decimal',
  'number_integer',
  'single_line_text_field',
];

function inputErrors(ctx: ExecContext, input: MetafieldsSetInput, i: number): UserError[] {
  const at = (field: string) => ['metafields', String(i), field];
  const namespace = input.namespace ?? `app--${ctx.runtime.apiKey}`;
  if (namespace.length < 3)
    return [
      {
        field: at('namespace'),
        message: 'Namespace is too short (minimum is 3 characters)',
        code: 'TOO_SHORT',
      },
    ];
  if (namespace.length > 255)
    return [
      {
        field: at('namespace'),
        message: 'Namespace is too long (maximum is 255 characters)',
        code: 'TOO_LONG',
      },
    ];
  if (input.key.length < 2)
    return [{ field: at('key'), message: 'Key is too short (minimum is 2 characters)', code: 'TOO_SHORT' }];
  if (input.key.length > 64)
    return [{ field: at('key'), message: 'Key is too long (maximum is 64 characters)', code: 'TOO_LONG' }];
  if (!/^[A-Za-z0-9_-]+$/.test(input.key) || !/^[A-Za-z0-9_-]+$/.test(namespace))
    return [{ field: at('key'), message: 'Key contains one or more invalid characters.', code: 'INVALID' }];
  const owner = parseGid(input.ownerId);
  if (!owner || owner.type !== 'Customer' || !ctx.shop.customers.has(owner.id)) {
    const message =
      owner && owner.type !== 'Customer'
        ? `The sandbox keeps metafields of customers only, not of ${owner.type}.`
        : 'Owner does not exist.';
    return [{ field: at('ownerId'), message, code: 'INVALID' }];
  }
  const definition = ctx.shop.metafieldDefinitions.find(
    (d) => d.ownerType === 'CUSTOMER' && d.namespace === namespace && d.key === input.key,
  );
  const type = input.type ?? definition?.type;
  if (!type) return [{ field: at('type'), message: "Type can't be blank", code: 'BLANK' }];
  if (!SUPPORTED_TYPES.includes(type))
    return [
      { field: at('type'), message: `Type ${type} is not a type the sandbox knows.`, code: 'INVALID_TYPE' },
    ];
  if (definition && definition.type !== type)
    return [
      {
        field: at('type'),
        message: `Type '${type}' does not match the definition's type '${definition.type}'.`,
        code: 'INVALID_TYPE',
      },
    ];
  const error = valueError(type, input.value);
  return error ? [{ field: at('value'), message: error, code: 'INVALID_VALUE', elementIndex: null }] : [];
}

export function metafieldsSet(ctx: ExecContext, args: { metafields: MetafieldsSetInput[] }) {
  requireScope(ctx, 'write_customers', 'metafieldsSet');
  const inputs = args.metafields;
  const refuse = (userErrors: UserError[]) => ({
    metafields: [],
    userErrors: userErrors.map((e) => ({ elementIndex: null, ...e })),
  });
  if (inputs.length > METAFIELDS_PER_CALL)
    return refuse([
      {
        field: ['metafields'],
        message: 'Exceeded the maximum metafields input limit of 25.',
        code: 'LESS_THAN_OR_EQUAL_TO',
      },
    ]);
  const errors = inputs.flatMap((input, i) => inputErrors(ctx, input, i));
  if (errors.length) return refuse(errors);
  const now = isoNow(ctx);
  const written = inputs.map((input) => {
    const namespace = input.namespace ?? `app--${ctx.runtime.apiKey}`;
    const customer = ctx.shop.customers.get(parseGid(input.ownerId)!.id)!;
    const key = `${namespace}.${input.key}`;
    const definition = ctx.shop.metafieldDefinitions.find(
      (d) => d.ownerType === 'CUSTOMER' && d.namespace === namespace && d.key === input.key,
    );
    const existing = customer.metafields.get(key);
    const record = {
      id: existing?.id ?? ctx.runtime.nextId(),
      type: input.type ?? definition!.type,
      value: input.value,
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
    };
    customer.metafields.set(key, record);
    customer.updatedAt = now;
    ctx.shop.writes.push({
      customerId: customer.id,
      key,
      value: input.value,
      via: ctx.bulk ? 'bulk' : 'metafieldsSet',
    });
    return metafieldView(customer, key, record, ctx.shop);
  });
  return { metafields: written, userErrors: [] };
}

interface DefinitionInput {
  name: string;
  namespace?: string | null;
  key: string;
  type: string;
  description?: string | null;
  ownerType: string;
  capabilities?: { adminFilterable?: { enabled: boolean } | null } | null;
}

export function metafieldDefinitionCreate(ctx: ExecContext, args: { definition: DefinitionInput }) {
  const d = args.definition;
  if (d.ownerType === 'CUSTOMER') requireScope(ctx, 'write_customers', 'metafieldDefinitionCreate');
  const refuse = (field: string, message: string, code: string) => ({
    createdDefinition: null,
    userErrors: [{ field: ['definition', field], message, code, elementIndex: null }],
  });
  const namespace = d.namespace ?? `app--${ctx.runtime.apiKey}`;
  if (d.ownerType !== 'CUSTOMER')
    return refuse(
      'ownerType',
      `The sandbox keeps customer metafield definitions only, not ${d.ownerType}.`,
      'INCLUSION',
    );
  if (!d.name.trim()) return refuse('name', "Name can't be blank", 'BLANK');
  if (namespace.length < 3)
    return refuse('namespace', 'Namespace is too short (minimum is 3 characters)', 'TOO_SHORT');
  if (d.key.length < 2) return refuse('key', 'Key is too short (minimum is 2 characters)', 'TOO_SHORT');
  if (d.key.length > 64) return refuse('key', 'Key is too long (maximum is 64 characters)', 'TOO_LONG');
  if (!/^[A-Za-z0-9_-]+$/.test(d.key))
    return refuse('key', 'Key contains one or more invalid characters.', 'INVALID_CHARACTER');
  if (!SUPPORTED_TYPES.includes(d.type))
    return refuse('type', 'Type name is not included in the list', 'INCLUSION');
  const taken = ctx.shop.metafieldDefinitions.some(
    (x) => x.ownerType === d.ownerType && x.namespace === namespace && x.key === d.key,
  );
  if (taken)
    return refuse('key', `Key is in use for Customer metafields on the '${namespace}' namespace.`, 'TAKEN');
  const filterable = d.capabilities?.adminFilterable?.enabled ?? false;
  const capability = filterable
    ? adminFilterableRefusal(ctx.shop.metafieldDefinitions, d.ownerType, d.type)
    : null;
  if (capability) return { createdDefinition: null, userErrors: [{ ...capability, elementIndex: null }] };
  const record = {
    id: ctx.runtime.nextId(),
    ownerType: d.ownerType,
    namespace,
    key: d.key,
    type: d.type,
    name: d.name,
    description: d.description ?? null,
    adminFilterable: filterable,
  };
  ctx.shop.metafieldDefinitions.push(record);
  return { createdDefinition: definitionView(record), userErrors: [] };
}

/** `tagsAdd` / `tagsRemove` on a customer: a set of trimmed tags, never touching the others. */
export function changeTags(ctx: ExecContext, args: { id: string; tags: string[] }, add: boolean) {
  const field = add ? 'tagsAdd' : 'tagsRemove';
  const owner = parseGid(args.id);
  if (owner?.type === 'Customer') requireScope(ctx, 'write_customers', field);
  const customer = owner?.type === 'Customer' ? ctx.shop.customers.get(owner.id) : undefined;
  if (!customer) {
    const message =
      owner && owner.type !== 'Customer'
        ? `The sandbox keeps tags of customers only, not of ${owner.type}.`
        : 'Node not found.';
    return { node: null, userErrors: [{ field: ['id'], message }] };
  }
  // Shopify also accepts one comma-separated string in the list.
  const tags = args.tags
    .flatMap((t) => t.split(','))
    .map((t) => t.trim())
    .filter(Boolean);
  const long = tags.find((t) => t.length > 255);
  if (long)
    return {
      node: null,
      userErrors: [
        { field: ['tags'], message: `Tag '${long.slice(0, 20)}…' is too long (maximum is 255 characters)` },
      ],
    };
  const next = new Set(customer.tags);
  const present = (tag: string) => [...next].find((t) => t.toLowerCase() === tag.toLowerCase());
  for (const tag of tags) {
    const existing = present(tag);
    if (add && !existing) next.add(tag);
    if (!add && existing) next.delete(existing);
  }
  if (next.size > 250)
    return { node: null, userErrors: [{ field: ['tags'], message: 'Tags exceeds the maximum of 250' }] };
  customer.tags.clear();
  for (const tag of next) customer.tags.add(tag);
  customer.updatedAt = isoNow(ctx);
  return { node: customerView(customer, ctx), userErrors: [] };
}
