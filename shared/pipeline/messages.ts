/** What travels on the queues, validated with zod at the consumer. */
import * as z from 'zod';

export const ScoreMessageSchema = z.object({ tenantId: z.string().min(1), customerId: z.string().min(1) });
export type ScoreMessage = z.infer<typeof ScoreMessageSchema>;

/** Sends scoring work: SQS in AWS, the local queue in the embedded stack and the tests. */
export type Enqueue = (message: ScoreMessage) => Promise<void>;

/**
 * Asks the write-back consumer to flush a tenant's outbox for one CRM: the
 * outbox holds the latest fields per customer, so one request covers any
 * number of changes and the consumer batches them to the API's limits.
 */
export const WritebackMessageSchema = z.object({
  tenantId: z.string().min(1),
  target: z.enum(['shopify', 'salesforce']),
});
export type WritebackMessage = z.infer<typeof WritebackMessageSchema>;
export type EnqueueWriteback = (message: WritebackMessage) => Promise<void>;

/**
 * Asks for a tenant's refit and rescore: after its settings changed, or from the nightly schedule.
 * `requestId` names the tenant's coalescing marker (shared/store/refit-requests.ts) the refit claims.
 */
export const RefitRequestSchema = z.object({
  tenantId: z.string().min(1),
  requestId: z.string().min(1).optional(),
});
export type RefitRequest = z.infer<typeof RefitRequestSchema>;
export type EnqueueRefit = (message: RefitRequest) => Promise<void>;

/**
 * After a refit, any linked CRM may have pending fields: one flush request
 * for each CRM the tenant links (every refit path asks the same way).
 */
export async function requestWritebacks(
  tenant: { tenantId: string; shopifyShop?: string; salesforceOrgId?: string },
  enqueue: EnqueueWriteback,
): Promise<void> {
  if (tenant.shopifyShop) await enqueue({ tenantId: tenant.tenantId, target: 'shopify' });
  if (tenant.salesforceOrgId) await enqueue({ tenantId: tenant.tenantId, target: 'salesforce' });
}

/** Asks the backfill consumer to import one CRM's order history for a tenant (the CLI and install send it). */
export const BackfillMessageSchema = z.object({
  tenantId: z.string().min(1),
  source: z.enum(['shopify', 'salesforce']),
});
export type BackfillMessage = z.infer<typeof BackfillMessageSchema>;
