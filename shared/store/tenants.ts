/**
 * Tenants: a workspace linking one Shopify shop and/or one Salesforce org,
 * with the settings the engine scores by. Validated with zod on the way in and
 * on the way out, so a hand-edited item cannot score with nonsense.
 */
import { BadRequestError, ConflictError, NotFoundError, TransientError } from '../errors.ts';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { cancellationCodes, failedOnCondition } from './dynamo-errors.ts';
import * as z from 'zod';
import { keys } from './keys.ts';
import { queryAll } from './query.ts';
import type { Store } from './store.ts';

export const TenantSettingsSchema = z.object({
  tenantId: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/, 'letters, digits, . _ - only'),
  shopifyShop: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/)
    .optional(),
  salesforceOrgId: z
    .string()
    .regex(/^00D[A-Za-z0-9]{12}([A-Za-z0-9]{3})?$/)
    .optional(),
  /**
   * How to reach the org: the connected app and flow. Secrets (client secret,
   * private key) are not settings: they come from the environment or SSM.
   */
  salesforce: z
    .object({
      /** The org's My Domain URL (https://acme.my.salesforce.com): where both flows ask for a token. */
      loginUrl: z.url(),
      clientId: z.string().min(1),
      flow: z.enum(['jwt-bearer', 'client-credentials']),
      /** The integration user, for the JWT bearer flow. */
      username: z.string().optional(),
      /**
       * A sandbox (or scratch) org: its JWT audience is https://test.salesforce.com,
       * not https://login.salesforce.com. Unset: told from the login URL
       * (integrations/salesforce/login-hosts.ts).
       */
      sandbox: z.boolean().optional(),
      apiVersion: z
        .string()
        .regex(/^\d+\.0$/)
        .default('62.0'),
    })
    .optional(),
  /**
   * SHA-256 (hex) of the token outbound messages must carry
   * (integrations/salesforce/outbound-token.ts); never the token itself.
   */
  salesforceOutboundTokenHash: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
  /** Salesforce customer grain: Contacts (B2C) or Accounts (B2B). */
  salesforceGrain: z.enum(['contact', 'account']).default('contact'),
  currency: z.string().length(3),
  basis: z.enum(['margin', 'revenue']).default('margin'),
  defaultMarginRate: z.number().gt(0).lte(1).default(1),
  horizonMonths: z.number().int().min(1).max(120).default(12),
  monthlyDiscountRate: z.number().min(0).lt(1).default(0.01),
  churnWindowDays: z.number().positive().default(90),
  tierThresholds: z
    .object({ platinum: z.number(), gold: z.number(), silver: z.number() })
    .default({ platinum: 0.05, gold: 0.2, silver: 0.5 }),
  tags: z.boolean().default(true),
});

export type TenantSettings = z.infer<typeof TenantSettingsSchema>;

/** The tenant item's key, without its index attributes (for Get and Update). */
export function tenantKey(tenantId: string): { pk: string; sk: string } {
  const { pk, sk } = keys.tenant(tenantId);
  return { pk, sk };
}

export class TenantNotFoundError extends NotFoundError {
  override name = 'TenantNotFoundError';
}

/** Settings a caller may write to an existing tenant: everything but its id. */
export type TenantFields = Omit<z.input<typeof TenantSettingsSchema>, 'tenantId'>;

export interface PutTenantOptions {
  /**
   * Fields written only where the existing tenant has none (a new one gets them all): an install's
   * currency must not overwrite the one a workspace linked to Salesforce first was created with.
   */
  keepExisting?: readonly (keyof TenantFields)[];
}

/**
 * Creates the tenant, or merges the fields given into the one that exists: never an unconditional
 * replace, so linking a shop to a workspace that already links an org (or the reverse) keeps the
 * other side's link, its outbound token hash and the merchant's settings. A shop or an org belongs to
 * one tenant: linking it to a second one is refused (TenantRouteConflictError).
 */
export async function putTenant(
  store: Store,
  settings: z.input<typeof TenantSettingsSchema>,
  options: PutTenantOptions = {},
): Promise<TenantSettings> {
  const tenant = TenantSettingsSchema.parse(settings);
  const routeItems = routes(tenant);
  const routePuts = routeItems.map((Item) => ({
    Put: {
      TableName: store.table,
      Item,
      ConditionExpression: 'attribute_not_exists(pk) OR tenantId = :t',
      ExpressionAttributeValues: { ':t': tenant.tenantId },
    },
  }));
  const registry = {
    Put: { TableName: store.table, Item: { ...keys.registry(tenant.tenantId), kind: 'registry' } },
  };
  const created = await transact(store, tenant, [
    {
      Put: {
        TableName: store.table,
        Item: { ...keys.tenant(tenant.tenantId), kind: 'tenant', settings: tenant },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    registry,
    ...routePuts,
  ]);
  if (created === 'created') return tenant;
  // The tenant exists: only the fields the caller named are written, each as its own attribute path.
  const { tenantId, ...given } = settings;
  const update = settingsUpdate(given, options.keepExisting ?? []);
  const merged = await transact(store, tenant, [
    {
      Update: {
        TableName: store.table,
        Key: tenantKey(tenantId),
        ...update,
        ConditionExpression: 'attribute_exists(settings)',
      },
    },
    registry,
    ...routePuts,
  ]);
  // Deleted between the two writes (a shop redact): created again on the next try.
  if (merged !== 'created')
    throw new TenantChangedError(`tenant "${tenantId}" changed while it was saved: retry`);
  return getTenant(store, tenantId);
}

/** A tenant deleted between its creation being refused and the merge: transient, a retry creates it. */
export class TenantChangedError extends TransientError {
  override name = 'TenantChangedError';
}

/**
 * Runs a tenant write whose first item carries the tenant's condition: 'created' when it committed,
 * 'tenant condition failed' when only that condition refused it. A route condition failing is a
 * route linked elsewhere; any other cancellation (a conflict, throttling) is rethrown to be retried.
 */
async function transact(
  store: Store,
  tenant: TenantSettings,
  TransactItems: NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>,
): Promise<'created' | 'tenant condition failed'> {
  try {
    await store.doc.send(new TransactWriteCommand({ TransactItems }));
    return 'created';
  } catch (error) {
    if (!failedOnCondition(error)) throw error;
    const codes = cancellationCodes(error)!;
    if (codes.slice(2).includes('ConditionalCheckFailed'))
      throw new TenantRouteConflictError(
        `${tenant.shopifyShop ?? ''} ${tenant.salesforceOrgId ?? ''} is already linked to another tenant: unlink it there first`.trim(),
      );
    return 'tenant condition failed';
  }
}

/**
 * An UpdateItem expression setting each given field of the tenant's settings map (and removing the
 * ones given as undefined), leaving every other attribute (the other CRM's link, the token hash, a
 * pending refit request) as it is. Each value is validated by the field's own schema.
 */
export function settingsUpdate(
  fields: Partial<Record<keyof TenantFields, unknown>>,
  keepExisting: readonly (keyof TenantFields)[] = [],
): {
  UpdateExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues?: Record<string, unknown>;
} {
  const shape = TenantSettingsSchema.shape;
  const names: Record<string, string> = { '#settings': 'settings' };
  const values: Record<string, unknown> = {};
  const sets: string[] = [];
  const removes: string[] = [];
  Object.entries(fields).forEach(([field, value], i) => {
    if (!(field in shape) || field === 'tenantId')
      throw new BadRequestError(`"${field}" is not a tenant setting`);
    names[`#f${i}`] = field;
    const path = `#settings.#f${i}`;
    if (value === undefined) {
      removes.push(path);
      return;
    }
    values[`:v${i}`] = shape[field as keyof typeof shape].parse(value);
    sets.push(
      keepExisting.includes(field as keyof TenantFields)
        ? `${path} = if_not_exists(${path}, :v${i})`
        : `${path} = :v${i}`,
    );
  });
  const clauses = [
    ...(sets.length ? [`SET ${sets.join(', ')}`] : []),
    ...(removes.length ? [`REMOVE ${removes.join(', ')}`] : []),
  ];
  if (!clauses.length) throw new BadRequestError('no tenant setting to save');
  return {
    UpdateExpression: clauses.join(' '),
    ExpressionAttributeNames: names,
    ...(sets.length ? { ExpressionAttributeValues: values } : {}),
  };
}

/**
 * Saves some of a tenant's settings as one conditional partial update: only these attributes are
 * written, so a save made from a stale read cannot undo what another writer changed meanwhile (a
 * rotated outbound token, a linked org). Refused with TenantNotFoundError when the tenant is gone.
 */
export async function saveTenantSettings(
  store: Store,
  tenantId: string,
  fields: Partial<TenantFields>,
): Promise<TenantSettings> {
  const update = settingsUpdate(fields);
  try {
    const out = await store.doc.send(
      new UpdateCommand({
        TableName: store.table,
        Key: tenantKey(tenantId),
        ...update,
        ConditionExpression: 'attribute_exists(settings)',
        ReturnValues: 'ALL_NEW',
      }),
    );
    return TenantSettingsSchema.parse(out.Attributes?.settings);
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException)
      throw new TenantNotFoundError(
        `tenant "${tenantId}" does not exist: install the app or run setup first`,
      );
    throw error;
  }
}

export class TenantRouteConflictError extends ConflictError {
  override name = 'TenantRouteConflictError';
}

function routes(tenant: TenantSettings): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  if (tenant.shopifyShop)
    out.push({ ...keys.route('shopify', tenant.shopifyShop, tenant.tenantId), tenantId: tenant.tenantId });
  if (tenant.salesforceOrgId)
    out.push({
      ...keys.route('salesforce', tenant.salesforceOrgId, tenant.tenantId),
      tenantId: tenant.tenantId,
    });
  if (tenant.salesforceOutboundTokenHash) out.push(outboundTokenRouteItem(tenant));
  return out;
}

/** The tenant a shop (or an org, by its 15-character id) is linked to, or null when none is. */
export async function tenantIdFor(
  store: Store,
  kind: 'shopify' | 'salesforce',
  externalId: string,
): Promise<string | null> {
  const out = await store.doc.send(
    new GetCommand({ TableName: store.table, Key: keys.routeKey(kind, externalId), ConsistentRead: true }),
  );
  return out.Item ? String(out.Item.tenantId) : null;
}

/** Every tenant's id, from the registry partition. */
export async function listTenantIds(store: Store): Promise<string[]> {
  const items = await queryAll(store, {
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': 'TENANTS' },
  });
  return items.map((i) => String(i.sk));
}

export async function getTenant(store: Store, tenantId: string): Promise<TenantSettings> {
  const out = await store.doc.send(
    new GetCommand({ TableName: store.table, Key: tenantKey(tenantId), ConsistentRead: true }),
  );
  if (!out.Item)
    throw new TenantNotFoundError(`tenant "${tenantId}" does not exist: install the app or run setup first`);
  return TenantSettingsSchema.parse(out.Item.settings);
}

// ---------------------------------------------------------------- outbound token routes

function outboundTokenRouteItem(tenant: TenantSettings): Record<string, unknown> {
  return {
    ...keys.outboundTokenRoute(tenant.salesforceOutboundTokenHash!, tenant.tenantId),
    kind: 'route',
    tenantId: tenant.tenantId,
  };
}

/**
 * The tenant an outbound token's hash is routed to, or null. Only a lookup:
 * the caller still compares the hash with the tenant's own, which a rotation
 * changes (a route left by the old token then finds a tenant it does not open).
 */
export async function tenantIdForOutboundToken(store: Store, tokenHash: string): Promise<string | null> {
  const out = await store.doc.send(
    new GetCommand({
      TableName: store.table,
      Key: keys.outboundTokenRouteKey(tokenHash),
      ConsistentRead: true,
    }),
  );
  return out.Item ? String(out.Item.tenantId) : null;
}

/** Removes the route of a token the tenant no longer accepts (after `--new-outbound-token`). */
export async function dropOutboundTokenRoute(
  store: Store,
  tokenHash: string,
  tenantId: string,
): Promise<void> {
  await store.doc
    .send(
      new DeleteCommand({
        TableName: store.table,
        Key: keys.outboundTokenRouteKey(tokenHash),
        ConditionExpression: 'tenantId = :t',
        ExpressionAttributeValues: { ':t': tenantId },
      }),
    )
    .catch((error: unknown) => {
      // Already gone, or never written (a workspace linked before token routes): nothing to remove.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    });
}

/** Written once every tenant linked before token routes existed has its route. */
const TOKEN_ROUTES_MIGRATED = { pk: 'ROUTE#salesforce-token', sk: 'MIGRATED#1' };

/**
 * Writes the token route of every workspace whose outbound token was issued
 * before putTenant wrote token routes (the hash on the tenant, no route), then
 * a marker, so the second call costs one read. Idempotent: concurrent runs
 * write the same items. Returns how many routes it wrote.
 */
export async function routeOutboundTokens(store: Store): Promise<number> {
  const marker = await store.doc.send(
    new GetCommand({ TableName: store.table, Key: TOKEN_ROUTES_MIGRATED, ConsistentRead: true }),
  );
  if (marker.Item) return 0;
  let written = 0;
  for (const tenantId of await listTenantIds(store)) {
    let tenant: TenantSettings;
    try {
      tenant = await getTenant(store, tenantId);
    } catch (error) {
      // A registry entry whose tenant was deleted meanwhile has no token to route; a tenant item that does
      // not parse cannot be served either way (getTenant refuses it), and must not stop the others' routes.
      if (error instanceof TenantNotFoundError || error instanceof z.ZodError) continue;
      throw error;
    }
    if (!tenant.salesforceOutboundTokenHash) continue;
    await store.doc
      .send(
        new PutCommand({
          TableName: store.table,
          Item: outboundTokenRouteItem(tenant),
          ConditionExpression: 'attribute_not_exists(pk) OR tenantId = :t',
          ExpressionAttributeValues: { ':t': tenant.tenantId },
        }),
      )
      .then(
        () => written++,
        (error: unknown) => {
          // Routed to another tenant: two tenants with one token hash cannot both be right; leave it.
          if (!(error instanceof ConditionalCheckFailedException)) throw error;
        },
      );
  }
  await store.doc.send(
    new PutCommand({
      TableName: store.table,
      Item: { ...TOKEN_ROUTES_MIGRATED, kind: 'marker', at: Date.now() },
    }),
  );
  return written;
}
