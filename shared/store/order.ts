/**
 * The Order every source is parsed into before it is stored (ARCHITECTURE.md,
 * "Domain"): value in the tenant's currency net of refunds and discounts,
 * cancelled orders counting zero, versioned by the source's `updated_at`.
 */
import * as z from 'zod';

export const CustomerIdentitySchema = z
  .object({
    shopifyCustomerId: z.string().min(1).optional(),
    salesforceContactId: z.string().min(1).optional(),
    salesforceAccountId: z.string().min(1).optional(),
    email: z.string().min(3).optional(),
  })
  .refine((i) => Object.values(i).some(Boolean), {
    message: 'an order needs at least one customer identity',
  });

export type CustomerIdentity = z.infer<typeof CustomerIdentitySchema>;

export const OrderSchema = z.object({
  source: z.enum(['shopify', 'salesforce']),
  orderId: z.string().min(1).max(200),
  /** The source's updated_at: a newer version replaces an older one, never the reverse. */
  version: z.iso.datetime({ offset: true }),
  customer: CustomerIdentitySchema,
  placedAt: z.iso.datetime({ offset: true }),
  /** Net value in the tenant's currency: after discounts and refunds. */
  value: z.number().finite().nonnegative(),
  /** How much of it was refunded (already taken off `value`): an order refunded in full is no purchase. */
  refunded: z.number().finite().nonnegative().default(0),
  currency: z.string().length(3),
  /** Profit when cost is known. */
  margin: z.number().finite().nullable().default(null),
  cancelled: z.boolean().default(false),
  /** Who referred this customer, as an identity, when the order says so. */
  referredBy: CustomerIdentitySchema.optional(),
});

export type Order = z.infer<typeof OrderSchema>;

/** Lower-cased, trimmed, and for Gmail without dots and +tags: how one person's addresses are recognised. */
export function normaliseEmail(email: string): string {
  const trimmed = email.trim().toLowerCase();
  const at = trimmed.lastIndexOf('@');
  if (at < 1) return trimmed;
  let local = trimmed.slice(0, at);
  const domain = trimmed.slice(at + 1);
  if (domain === 'gmail.com' || domain === 'googlemail.com') {
    local = local.split('+')[0]!.replaceAll('.', '');
    return `${local}@gmail.com`;
  }
  return `${local.split('+')[0]}@${domain}`;
}

/** Identities as stored keys: `kind:value`, in a fixed order so the same person always yields the same list. */
export function identityKeys(identity: CustomerIdentity): string[] {
  const keys: string[] = [];
  if (identity.shopifyCustomerId) keys.push(`shopify:${identity.shopifyCustomerId}`);
  if (identity.salesforceContactId) keys.push(`sfcontact:${identity.salesforceContactId}`);
  if (identity.salesforceAccountId) keys.push(`sfaccount:${identity.salesforceAccountId}`);
  if (identity.email) keys.push(`email:${normaliseEmail(identity.email)}`);
  return keys;
}
