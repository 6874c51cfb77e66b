/**
 * Shopify's mandatory compliance webhooks, parsed into what clv-sync acts on:
 * `customers/redact` (delete a customer's data), `shop/redact` (delete a
 * shop's data, 48 hours after uninstall) and `customers/data_request` (report
 * what we hold on a customer). Shopify sends ids as numbers; they come back
 * as strings of digits, the way identities are stored. A customer may arrive
 * with an email only, or without a phone.
 */
import * as z from 'zod';
import type { CustomerIdentity } from '../../shared/store/order.ts';
import { payloadErrorFromZod } from './payload-errors.ts';
import { restIdSchema } from './shopify-ids.ts';

const shopDomainSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/i, 'expected a shop domain such as "example.myshopify.com"');

const ComplianceCustomerSchema = z.object({
  id: restIdSchema.nullish(),
  email: z.string().nullish(),
  phone: z.string().nullish(),
});

const ShopSchema = z.object({ shop_id: restIdSchema, shop_domain: shopDomainSchema });

const CustomersRedactSchema = ShopSchema.extend({
  customer: ComplianceCustomerSchema,
  orders_to_redact: z.array(restIdSchema).nullish(),
});

const DataRequestSchema = ShopSchema.extend({
  customer: ComplianceCustomerSchema,
  orders_requested: z.array(restIdSchema).nullish(),
  data_request: z.object({ id: restIdSchema }),
});

export interface ShopRedact {
  shopId: string;
  shopDomain: string;
}

export interface CustomersRedact extends ShopRedact {
  /** The customer as an identity to look up: Shopify customer id and/or email. */
  customer: CustomerIdentity;
  customerPhone?: string;
  ordersToRedact: string[];
}

export interface DataRequest extends ShopRedact {
  customer: CustomerIdentity;
  customerPhone?: string;
  ordersRequested: string[];
  dataRequestId: string;
}

const present = (s: string | null | undefined) => (s && s.trim() ? s.trim() : undefined);

function customerOf(c: z.infer<typeof ComplianceCustomerSchema>) {
  const email = present(c.email);
  const phone = present(c.phone);
  const customer: CustomerIdentity = {
    ...(c.id ? { shopifyCustomerId: c.id } : {}),
    ...(email ? { email } : {}),
  };
  return { customer, ...(phone ? { customerPhone: phone } : {}) };
}

const shopOf = (p: { shop_id: string; shop_domain: string }) => ({
  shopId: p.shop_id,
  shopDomain: p.shop_domain,
});

/** The shop a request came from and the customer it is about. */
const aboutCustomer = (p: {
  shop_id: string;
  shop_domain: string;
  customer: z.infer<typeof ComplianceCustomerSchema>;
}) => ({ ...shopOf(p), ...customerOf(p.customer) });

function parse<T extends z.ZodType>(schema: T, topic: string, payload: unknown): z.infer<T> {
  const parsed = schema.safeParse(payload);
  if (!parsed.success) throw payloadErrorFromZod(`Shopify ${topic} payload`, parsed.error, payload);
  return parsed.data;
}

/** `customers/redact`: {shop_id, shop_domain, customer{id,email,phone}, orders_to_redact}. */
export function parseCustomersRedact(payload: unknown): CustomersRedact {
  const p = parse(CustomersRedactSchema, 'customers/redact', payload);
  return {
    ...aboutCustomer(p),
    ordersToRedact: p.orders_to_redact ?? [],
  };
}

/** `shop/redact`: {shop_id, shop_domain}. */
export function parseShopRedact(payload: unknown): ShopRedact {
  const p = parse(ShopSchema, 'shop/redact', payload);
  return shopOf(p);
}

/** `customers/data_request`: {shop_id, shop_domain, orders_requested, customer{id,email,phone}, data_request{id}}. */
export function parseDataRequest(payload: unknown): DataRequest {
  const p = parse(DataRequestSchema, 'customers/data_request', payload);
  return {
    ...aboutCustomer(p),
    ordersRequested: p.orders_requested ?? [],
    dataRequestId: p.data_request.id,
  };
}
