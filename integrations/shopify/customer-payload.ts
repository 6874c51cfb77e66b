/**
 * `customers/create`, `customers/update` and `customers/delete` (REST
 * customer JSON) as the identity they link: the Shopify customer id and, when
 * the payload has one, the email. `customers/delete` carries no email.
 */
import * as z from 'zod';
import { payloadErrorFromZod } from './payload-errors.ts';
import { exactId, gidSchema, restIdInputSchema } from './shopify-ids.ts';

const CustomerPayloadSchema = z.object({
  id: restIdInputSchema,
  admin_graphql_api_id: gidSchema('Customer').nullish(),
  email: z.string().nullish(),
});

export interface ShopifyCustomer {
  /** Shopify customer id, digits (from `admin_graphql_api_id` when present: it is exact where a big `id` is not). */
  id: string;
  email?: string;
}

export function parseCustomerPayload(payload: unknown): ShopifyCustomer {
  const parsed = CustomerPayloadSchema.safeParse(payload);
  if (!parsed.success) throw payloadErrorFromZod('Shopify customers/* payload', parsed.error, payload);
  const email = parsed.data.email?.trim();
  return { id: exactId(parsed.data.id, parsed.data.admin_graphql_api_id, 'id'), ...(email ? { email } : {}) };
}
