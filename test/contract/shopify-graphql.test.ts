/**
 * Every Admin GraphQL document clv-sync sends, with the variables it really
 * sends, held to Shopify's published schema of the pinned version (the
 * introspection in npm @shopify/dev-mcp, dist/data/admin_<version>.json.gz):
 *
 * - the document is valid (graphql's specified rules) and uses no deprecated
 *   field, argument, input field or enum value (NoDeprecatedCustomRule, and
 *   the same check over the variables' values);
 * - the variables fit the declared types;
 * - every field's `requiredAccess` is met by the scopes shopify.app.toml
 *   asks for (the scopes a Shopify-managed install grants);
 * - metafield definitions ask for `adminFilterable` only where Shopify
 *   allows it (metafield-capabilities.ts names the sources).
 *
 * The calls are recorded from the production code itself (install's
 * definitions, the bulk export's start, wait and busy path, the bulk
 * mutation with its staged JSONL) through a recording AdminClient; the
 * bulk query string and each JSONL line of a bulk mutation are checked as
 * the documents they are. Every string export of operations.ts must be
 * among them, and no GraphQL document may be written anywhere else in the
 * product code, so a new query cannot slip past this suite.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  DocumentNode,
  GraphQLInputType,
  GraphQLSchema,
  OperationDefinitionNode,
  VariableDefinitionNode,
} from 'graphql';
import {
  getNullableType,
  isEnumType,
  isInputObjectType,
  isListType,
  Kind,
  NoDeprecatedCustomRule,
  parse,
  specifiedRules,
  TypeInfo,
  validate,
  validateInputValue,
  visit,
  visitWithTypeInfo,
} from 'graphql';
import { parse as parseToml } from 'smol-toml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdminClient } from '../../integrations/shopify/admin-client.ts';
import {
  runBulkMutation,
  startBulkQuery,
  waitForBulkOperation,
} from '../../integrations/shopify/bulk-operations.ts';
import { BulkOperationsBusyError } from '../../integrations/shopify/bulk-operations.ts';
import { customerTags } from '../../integrations/shopify/customer-tags.ts';
import { createMetafieldDefinitions, metafieldInputs } from '../../integrations/shopify/metafields.ts';
import * as operations from '../../integrations/shopify/operations.ts';
import { SHOPIFY_API_VERSION } from '../../integrations/shopify/shopify-app.ts';
import { customerGid } from '../../integrations/shopify/shopify-ids.ts';
import type { CrmFields } from '../../shared/crm/fields.ts';
import { meets, scopeRule } from '../../sandbox/shopify/access-scopes.ts';
import { adminSchema } from '../../sandbox/shopify/admin-schema.ts';
import { declaredVariables } from '../../sandbox/shopify/declared-variables.ts';
import { elementType } from '../../sandbox/shopify/field-access.ts';
import {
  ADMIN_FILTERABLE_PER_OWNER_TYPE,
  ADMIN_FILTERABLE_TYPES,
} from '../../sandbox/shopify/metafield-capabilities.ts';

const ROOT = new URL('../../', import.meta.url);
const admin = adminSchema(SHOPIFY_API_VERSION);

const appScopes = (): Set<string> => {
  const toml = parseToml(readFileSync(new URL('integrations/shopify/shopify.app.toml', ROOT), 'utf8')) as {
    access_scopes: { scopes: string };
  };
  return new Set(toml.access_scopes.scopes.split(',').map((s) => s.trim()));
};

interface SentCall {
  document: string;
  variables: Record<string, unknown>;
  /** Where the call came from, for the failure message. */
  via: string;
}

// ---- the checks -------------------------------------------------------------------------------

const operationOf = (doc: DocumentNode) =>
  doc.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;

/** Deprecated input fields and enum values inside a variable's value (NoDeprecatedCustomRule sees only literals). */
function deprecatedInValue(type: GraphQLInputType, value: unknown, path: string, out: string[]): void {
  const t = getNullableType(type);
  if (value === null || value === undefined) return;
  if (isListType(t)) {
    if (Array.isArray(value)) value.forEach((v, i) => deprecatedInValue(t.ofType, v, `${path}.${i}`, out));
    return;
  }
  if (isEnumType(t)) {
    const v = t.getValue(String(value));
    if (v?.deprecationReason)
      out.push(`${path}: enum value ${t.name}.${v.name} is deprecated (${v.deprecationReason})`);
    return;
  }
  if (isInputObjectType(t) && typeof value === 'object') {
    const fields = t.getFields();
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const f = fields[k];
      if (!f) continue;
      if (f.deprecationReason)
        out.push(`${path}.${k}: ${t.name}.${k} is deprecated (${f.deprecationReason})`);
      deprecatedInValue(f.type, v, `${path}.${k}`, out);
    }
  }
}

function variableProblems(
  schema: GraphQLSchema,
  definitions: readonly VariableDefinitionNode[],
  values: Record<string, unknown>,
): string[] {
  const out: string[] = [];
  for (const { name, type } of declaredVariables(schema, definitions)) {
    const value = Object.hasOwn(values, name) ? values[name] : null;
    validateInputValue(value, type, (error, path) =>
      out.push(`$${name}${path.length ? `.${path.join('.')}` : ''}: ${error.message}`),
    );
    deprecatedInValue(type, value, `$${name}`, out);
  }
  for (const name of Object.keys(values))
    if (!definitions.some((d) => d.variable.name.value === name)) out.push(`$${name}: sent but not declared`);
  return out;
}

/** Each field whose requiredAccess the scopes do not meet, with the access it needs. */
function accessProblems(schema: GraphQLSchema, doc: DocumentNode, granted: ReadonlySet<string>): string[] {
  const out = new Set<string>();
  const info = new TypeInfo(schema);
  const op = operationOf(doc).operation === 'mutation' ? 'mutation' : 'query';
  visit(
    doc,
    visitWithTypeInfo(info, {
      Field(node) {
        const parent = info.getParentType();
        const def = info.getFieldDef();
        if (!parent || !def) return;
        const needs = [
          admin.fieldAccess.get(`${parent.name}.${def.name}`),
          admin.typeAccess.get(elementType(def.type)),
          // A fragment on a concrete type below an interface (node, nodes): that type's access.
          ...(node.selectionSet?.selections ?? [])
            .filter((s) => s.kind === Kind.INLINE_FRAGMENT && s.typeCondition)
            .map((s) =>
              admin.typeAccess.get(
                (s as { typeCondition: { name: { value: string } } }).typeCondition.name.value,
              ),
            ),
        ];
        for (const text of needs)
          if (text && !meets(granted, scopeRule(text, op)))
            out.add(`${parent.name}.${def.name} (${node.name.value}) needs ${text}`);
      },
    }),
  );
  return [...out];
}

function contractProblems(
  call: SentCall,
  granted: ReadonlySet<string>,
  schema: GraphQLSchema = admin.schema,
): string[] {
  let doc: DocumentNode;
  try {
    doc = parse(call.document);
  } catch (error) {
    return [`does not parse: ${(error as Error).message}`];
  }
  const invalid = validate(schema, doc, [...specifiedRules, NoDeprecatedCustomRule]).map((e) => e.message);
  if (invalid.length) return invalid;
  return [
    ...variableProblems(schema, operationOf(doc).variableDefinitions ?? [], call.variables),
    ...accessProblems(schema, doc, granted),
  ];
}

// ---- recording the calls the code makes ------------------------------------------------------

const nameOf = (document: string) => /(?:query|mutation)\s+(\w+)/.exec(document)?.[1] ?? 'anonymous';

function recordingClient(
  calls: SentCall[],
  via: () => string,
  answer: (name: string, variables: Record<string, unknown>) => unknown,
): AdminClient {
  return {
    shop: 'contract.myshopify.com',
    stats: { requests: 0, throttled: 0, retried: 0, waitedSeconds: 0, byOperation: new Map() },
    async request<T>(document: string, variables: Record<string, unknown> = {}): Promise<T> {
      calls.push({ document, variables: structuredClone(variables), via: via() });
      return answer(nameOf(document), variables) as T;
    },
  };
}

const FIELDS: CrmFields = {
  predicted_clv: 120.5,
  historic_clv: 80,
  expected_orders: 1.25,
  p_alive: 0.61,
  churn_risk: 'medium',
  next_order_date: '2026-07-01',
  segment: 'Needs attention',
  tier: 'gold',
  referrals: 2,
  referral_value: 45.1,
};

const calls: SentCall[] = [];
let uploadServer: ReturnType<typeof createServer>;

beforeAll(async () => {
  const uploads: string[] = [];
  uploadServer = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      uploads.push(Buffer.concat(chunks).toString('utf8'));
      res.writeHead(201).end();
    });
  });
  await new Promise<void>((r) => uploadServer.listen(0, '127.0.0.1', () => r()));
  const uploadUrl = `http://127.0.0.1:${(uploadServer.address() as AddressInfo).port}/`;

  let step = 'install';
  let capabilityRefused = false;
  let bulkBusy = false;
  const client = recordingClient(
    calls,
    () => step,
    (name, variables) => {
      const op = { id: 'gid://shopify/BulkOperation/1', status: 'CREATED' };
      switch (name) {
        case 'ShopInfo':
          return {
            shop: { id: 'gid://shopify/Shop/1', name: 'c', myshopifyDomain: 'c', currencyCode: 'USD' },
          };
        case 'CreateMetafieldDefinition': {
          const def = variables.definition as { capabilities?: unknown };
          const userErrors =
            capabilityRefused && def.capabilities
              ? [
                  {
                    field: ['definition'],
                    message: 'refused',
                    code: 'OWNER_TYPE_LIMIT_EXCEEDED_FOR_USE_AS_ADMIN_FILTERS',
                  },
                ]
              : [];
          return { metafieldDefinitionCreate: { createdDefinition: null, userErrors } };
        }
        case 'RunBulkQuery':
          return {
            bulkOperationRunQuery: bulkBusy
              ? {
                  bulkOperation: null,
                  userErrors: [{ field: null, message: 'limit', code: 'LIMIT_REACHED' }],
                }
              : { bulkOperation: op, userErrors: [] },
          };
        case 'RunningBulkOperations':
          return { bulkOperations: { nodes: [{ ...op, status: 'RUNNING', type: 'QUERY', createdAt: 'x' }] } };
        case 'BulkOperationStatus':
          return {
            bulkOperation: { ...op, status: 'COMPLETED', url: null, objectCount: '0', type: 'QUERY' },
          };
        case 'StageUpload':
          return {
            stagedUploadsCreate: {
              stagedTargets: [
                {
                  url: uploadUrl,
                  resourceUrl: null,
                  parameters: [{ name: 'key', value: 'tmp/1/bulk/v.jsonl' }],
                },
              ],
              userErrors: [],
            },
          };
        case 'RunBulkMutation':
          return { bulkOperationRunMutation: { bulkOperation: op, userErrors: [] } };
        default:
          return {
            metafieldsSet: { userErrors: [] },
            tagsAdd: { userErrors: [] },
            tagsRemove: { userErrors: [] },
          };
      }
    },
  );

  await client.request(operations.SHOP_INFO);
  await createMetafieldDefinitions(client);
  step = 'install, admin filters refused';
  capabilityRefused = true;
  await createMetafieldDefinitions(client);

  step = 'backfill';
  const started = await startBulkQuery(client, operations.ORDERS_BULK_QUERY);
  await waitForBulkOperation(client, started.id, { sleep: async () => {} });
  step = 'backfill, slots busy';
  bulkBusy = true;
  await expect(startBulkQuery(client, operations.ORDERS_BULK_QUERY)).rejects.toBeInstanceOf(
    BulkOperationsBusyError,
  );

  // The write-back: metafieldsSet of up to 25 values, tags, and the same three as bulk mutations.
  step = 'write-back';
  const inputs = metafieldInputs('6930412345678', FIELDS, '2026-05-01T00:00:00.000Z');
  const { add, remove } = customerTags(FIELDS);
  const id = customerGid('6930412345678');
  await client.request(operations.METAFIELDS_SET, { metafields: inputs.slice(0, 25) });
  await client.request(operations.TAGS_ADD, { id, tags: add });
  await client.request(operations.TAGS_REMOVE, { id, tags: remove });
  step = 'write-back, in bulk';
  for (const [mutation, lines] of [
    [operations.METAFIELDS_SET, [{ metafields: inputs }]],
    [operations.TAGS_ADD, [{ id, tags: add }]],
    [operations.TAGS_REMOVE, [{ id, tags: remove }]],
  ] as const) {
    const before = uploads.length;
    await runBulkMutation(client, mutation, lines, { sleep: async () => {} });
    // The staged file's lines are the variables the inner mutation runs with, once per line.
    const file = uploads.slice(before).join('');
    for (const text of file.split('\n').filter((l) => /^\{/.test(l.trim())))
      calls.push({
        document: mutation,
        variables: JSON.parse(text) as Record<string, unknown>,
        via: 'a bulk mutation line',
      });
  }
  // The bulk query string runs as a query of its own.
  for (const c of calls.filter((c) => nameOf(c.document) === 'RunBulkQuery'))
    calls.push({ document: String(c.variables.query), variables: {}, via: 'the bulk query' });
});

afterAll(() => new Promise<void>((r) => uploadServer?.close(() => r())));

// ---- the suite ------------------------------------------------------------------------------

describe(`Shopify Admin GraphQL ${SHOPIFY_API_VERSION}: the documents clv-sync sends`, () => {
  it('covers every document operations.ts exports, with the variables the code sends', () => {
    const exported = Object.entries(operations).filter(([, v]) => typeof v === 'string');
    const sent = new Set(calls.map((c) => c.document));
    expect(exported.length).toBeGreaterThanOrEqual(11);
    expect(exported.filter(([, doc]) => !sent.has(doc)).map(([name]) => name)).toEqual([]);
    expect(calls.filter((c) => nameOf(c.document) === 'CreateMetafieldDefinition').length).toBeGreaterThan(
      20,
    );
  });

  it('is valid against Shopify’s schema, uses nothing deprecated, and sends variables of the declared types', () => {
    const granted = appScopes();
    const problems = calls.flatMap((c) =>
      contractProblems(c, granted).map((p) => `${nameOf(c.document)} (${c.via}): ${p}`),
    );
    expect([...new Set(problems)]).toEqual([]);
  });

  it('needs no access scope beyond those shopify.app.toml asks for', () => {
    const granted = appScopes();
    expect(granted.has('read_products')).toBe(true); // ProductVariant, for each line's unit cost
    const problems = calls.flatMap((c) =>
      accessProblems(admin.schema, parse(c.document), granted).map((p) => `${nameOf(c.document)}: ${p}`),
    );
    expect([...new Set(problems)]).toEqual([]);
  });

  it('asks for adminFilterable only on types Shopify can filter, and on few enough definitions', () => {
    const filterable = calls
      .filter((c) => nameOf(c.document) === 'CreateMetafieldDefinition' && c.via === 'install')
      .map(
        (c) =>
          c.variables.definition as {
            key: string;
            type: string;
            capabilities?: { adminFilterable?: { enabled: boolean } };
          },
      )
      .filter((d) => d.capabilities?.adminFilterable?.enabled);
    expect(
      filterable.filter((d) => !ADMIN_FILTERABLE_TYPES.includes(d.type)).map((d) => `${d.key}: ${d.type}`),
    ).toEqual([]);
    expect(filterable.map((d) => d.key)).toEqual(['tier', 'segment', 'churn_risk']);
    expect(filterable.length).toBeLessThanOrEqual(ADMIN_FILTERABLE_PER_OWNER_TYPE);
  });

  it('finds what it looks for (each check can fail)', () => {
    const granted = new Set(['read_orders', 'read_customers']);
    const deprecated = contractProblems(
      {
        document:
          'query Old { currentBulkOperation { id } customer(id: "gid://shopify/Customer/1") { email } }',
        variables: {},
        via: 'self-test',
      },
      granted,
    );
    expect(deprecated).toEqual([
      'The field QueryRoot.currentBulkOperation is deprecated. Use `bulkOperations` with status filter instead.',
      'The field Customer.email is deprecated. Use `defaultEmailAddress.emailAddress` instead.',
    ]);
    const deprecatedInput = contractProblems(
      {
        document: operations.METAFIELD_DEFINITION_CREATE,
        variables: {
          definition: {
            name: 'n',
            key: 'kk',
            type: 't',
            ownerType: 'CUSTOMER',
            useAsCollectionCondition: true,
          },
        },
        via: 'self-test',
      },
      new Set(['write_customers']),
    );
    expect(deprecatedInput.some((p) => p.includes('useAsCollectionCondition is deprecated'))).toBe(true);
    const badVariables = contractProblems(
      {
        document: operations.TAGS_ADD,
        variables: { id: 'gid://shopify/Customer/1', tags: 'x', extra: 1 },
        via: 't',
      },
      granted,
    );
    expect(badVariables).toEqual(['$extra: sent but not declared']); // a lone string coerces to a list of one
    const missing = contractProblems({ document: operations.TAGS_ADD, variables: {}, via: 't' }, granted);
    expect(missing.length).toBe(2);
    const access = accessProblems(admin.schema, parse(operations.ORDERS_BULK_QUERY), granted);
    expect(access).toEqual([
      'LineItem.variant (variant) needs `read_products` access scope.',
      'ProductVariant.inventoryItem (inventoryItem) needs `read_inventory` access scope or `read_products` access scope.',
    ]);
  });
});

// ---- no GraphQL outside operations.ts --------------------------------------------------------

const PRODUCT_DIRS = ['integrations', 'functions', 'shared', 'cli', 'bin', 'local', 'web'];
const GRAPHQL_HINT =
  /\/\*\s*GraphQL\s*\*\/|#graphql|\bgql`|`\s*(?:query|mutation|subscription)\b[\s\w$:!,()[\]]*\{|`\s*\{\s*\w+(?:\([^)]*\))?\s*\{/;

function sourceFiles(dir: URL): URL[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    if (name === 'node_modules' || name.startsWith('.')) return [];
    const url = new URL(name, dir);
    if (statSync(url).isDirectory()) return sourceFiles(new URL(`${name}/`, dir));
    return /\.(?:ts|tsx|js|mjs|graphql|gql)$/.test(name) ? [url] : [];
  });
}

describe('GraphQL documents live in operations.ts only', () => {
  it('finds none anywhere else in the product code', () => {
    const operationsFile = new URL('integrations/shopify/operations.ts', ROOT).href;
    const offenders = PRODUCT_DIRS.flatMap((d) => sourceFiles(new URL(`${d}/`, ROOT)))
      .filter((f) => f.href !== operationsFile)
      .filter((f) => GRAPHQL_HINT.test(readFileSync(f, 'utf8')))
      .map((f) => f.href.slice(ROOT.href.length));
    expect(offenders).toEqual([]);
  });

  it('recognises a document written elsewhere (the scan can fail)', () => {
    for (const text of [
      'const Q = /* GraphQL */ `query X { shop { id } }`;',
      'client.request(`mutation Y($id: ID!) { tagsAdd(id: $id, tags: []) { userErrors { message } } }`)',
      'const bulk = `{ orders { edges { node { id } } } }`;',
      'const q = gql`{ shop { id } }`;',
    ])
      expect(GRAPHQL_HINT.test(text), text).toBe(true);
    expect(GRAPHQL_HINT.test('const s = `${a} { b }`; // a template, not GraphQL')).toBe(false);
    const ours = readFileSync(new URL('integrations/shopify/operations.ts', ROOT), 'utf8');
    expect(GRAPHQL_HINT.test(ours)).toBe(true);
  });
});
