/**
 * One shop's data in the sandbox: its customers (with tags and metafields),
 * orders, metafield definitions, bulk operations, and a log of every
 * metafield write so a test can prove a value was written exactly once.
 * Plain maps and arrays, open to tests: a test arranges a shop by adding
 * orders, and asserts on what the production code left in it.
 */
import type { CanonicalOrder } from './canonical-order.ts';
import { orderAmounts } from './canonical-order.ts';
import type { BulkOperationRecord } from './bulk.ts';
import type { LeakyBucket } from './cost.ts';
import type { AccessTokenRecord } from './oauth.ts';

export interface SandboxMetafield {
  /** Numeric id of the metafield (its gid's digits). */
  id: string;
  type: string;
  value: string;
  createdAt: string;
  updatedAt: string;
}

export interface SandboxCustomer {
  /** Numeric id, as a string. */
  id: string;
  email: string | null;
  firstName?: string;
  lastName?: string;
  tags: Set<string>;
  /** By `namespace.key`. */
  metafields: Map<string, SandboxMetafield>;
  createdAt: string;
  updatedAt: string;
}

export interface MetafieldDefinitionRecord {
  id: string;
  ownerType: string;
  namespace: string;
  key: string;
  type: string;
  name: string;
  description: string | null;
  adminFilterable: boolean;
}

export interface MetafieldWrite {
  customerId: string;
  /** `namespace.key`. */
  key: string;
  value: string;
  via: 'metafieldsSet' | 'bulk';
}

export interface SandboxShop {
  readonly domain: string;
  /** The shop's numeric id (its `Shop` gid's digits). */
  readonly id: string;
  readonly name: string;
  readonly currencyCode: string;
  readonly ianaTimezone: string;
  readonly customers: Map<string, SandboxCustomer>;
  readonly orders: Map<string, CanonicalOrder>;
  readonly metafieldDefinitions: MetafieldDefinitionRecord[];
  /** Every metafield value written, in order. */
  readonly writes: MetafieldWrite[];
  readonly bulkOperations: Map<string, BulkOperationRecord>;
  /** Adds or replaces an order (by id) and creates or updates its customer. */
  addOrder(order: CanonicalOrder): void;
  addCustomer(customer: {
    id: string;
    email: string | null;
    firstName?: string;
    lastName?: string;
  }): SandboxCustomer;
  /**
   * An access token for this shop, as an install would have produced, for
   * tests that call the Admin API directly. Expiring tokens live an hour.
   */
  issueAccessToken(options?: { scope?: string; expiring?: boolean }): string;
  /** The shop's access tokens, newest last. */
  readonly accessTokens: readonly AccessTokenRecord[];
}

export interface ShopStateDeps {
  now: () => number;
  bucket: LeakyBucket;
  issueAccessToken: (shop: string, options: { scope?: string; expiring?: boolean }) => string;
  accessTokensOf: (shop: string) => AccessTokenRecord[];
}

const iso = (t: number) => new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');

export class ShopState implements SandboxShop {
  readonly domain: string;
  readonly id: string;
  readonly name: string;
  readonly currencyCode: string;
  readonly ianaTimezone: string;
  readonly customers = new Map<string, SandboxCustomer>();
  readonly orders = new Map<string, CanonicalOrder>();
  readonly metafieldDefinitions: MetafieldDefinitionRecord[] = [];
  readonly writes: MetafieldWrite[] = [];
  readonly bulkOperations = new Map<string, BulkOperationRecord>();
  /** Order ids by customer id: a customer view is built per order in a bulk export, so no scan per view. */
  private readonly ordersByCustomer = new Map<string, Set<string>>();
  /** The app's cost bucket on this shop (one app in the sandbox). */
  readonly bucket: LeakyBucket;
  private readonly deps: ShopStateDeps;

  constructor(
    domain: string,
    id: string,
    options: { currencyCode?: string; name?: string; ianaTimezone?: string },
    deps: ShopStateDeps,
  ) {
    if (!/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/.test(domain))
      throw new Error(`${domain} is not a shop domain (expected <handle>.myshopify.com)`);
    this.domain = domain;
    this.id = id;
    this.name = options.name ?? domain.replace(/\.myshopify\.com$/, '');
    this.currencyCode = (options.currencyCode ?? 'USD').toUpperCase();
    if (!Intl.supportedValuesOf('currency').includes(this.currencyCode))
      throw new Error(`${options.currencyCode} is not an ISO 4217 currency code`);
    this.ianaTimezone = options.ianaTimezone ?? 'America/New_York';
    this.deps = deps;
    this.bucket = deps.bucket;
  }

  get accessTokens(): readonly AccessTokenRecord[] {
    return this.deps.accessTokensOf(this.domain);
  }

  issueAccessToken(options: { scope?: string; expiring?: boolean } = {}): string {
    return this.deps.issueAccessToken(this.domain, options);
  }

  addCustomer(customer: {
    id: string;
    email: string | null;
    firstName?: string;
    lastName?: string;
  }): SandboxCustomer {
    if (!/^\d+$/.test(customer.id)) throw new Error(`customer id ${customer.id} is not numeric`);
    const now = iso(this.deps.now());
    const existing = this.customers.get(customer.id);
    if (existing) {
      if (customer.email !== null) existing.email = customer.email;
      if (customer.firstName !== undefined) existing.firstName = customer.firstName;
      if (customer.lastName !== undefined) existing.lastName = customer.lastName;
      return existing;
    }
    const created: SandboxCustomer = {
      id: customer.id,
      email: customer.email,
      ...(customer.firstName !== undefined ? { firstName: customer.firstName } : {}),
      ...(customer.lastName !== undefined ? { lastName: customer.lastName } : {}),
      tags: new Set(),
      metafields: new Map(),
      createdAt: now,
      updatedAt: now,
    };
    this.customers.set(customer.id, created);
    return created;
  }

  addOrder(order: CanonicalOrder): void {
    if (!/^\d+$/.test(order.id)) throw new Error(`order id ${order.id} is not numeric`);
    orderAmounts(order); // throws on an order that could not exist
    const copy = structuredClone(order);
    const previous = this.orders.get(copy.id);
    if (previous?.customer) this.ordersByCustomer.get(previous.customer.id)?.delete(copy.id);
    this.orders.set(copy.id, copy);
    if (copy.customer) {
      let ids = this.ordersByCustomer.get(copy.customer.id);
      if (!ids) this.ordersByCustomer.set(copy.customer.id, (ids = new Set()));
      ids.add(copy.id);
      const known = this.customers.has(copy.customer.id);
      const customer = this.addCustomer(copy.customer);
      if (!known) customer.createdAt = copy.createdAt;
      if (copy.updatedAt > customer.updatedAt) customer.updatedAt = copy.updatedAt;
    }
  }

  /** Orders of a customer, for `numberOfOrders` and `amountSpent`. */
  ordersOf(customerId: string): CanonicalOrder[] {
    return [...(this.ordersByCustomer.get(customerId) ?? [])].map((id) => this.orders.get(id)!);
  }
}
