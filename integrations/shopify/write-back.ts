/**
 * Flushes a tenant's Shopify outbox: every pending customer's `clv.*`
 * metafields, packed 25 values to a metafieldsSet call (Shopify's limit) or,
 * when a page holds many customers, one bulk mutation; then the tier and
 * segment tags. An entry is settled only after all of it was written, and
 * only if no newer score replaced it meanwhile.
 */
import type { OutboxEntry } from '../../shared/store/scores.ts';
import { mapLimited } from '../../shared/pipeline/map-limited.ts';
import type { PendingWrite } from '../../shared/store/outbox.ts';
import {
  SETTLE_CONCURRENCY,
  isDeadLetter,
  outboxPages,
  recordWriteFailure,
  settleOutboxEntry,
} from '../../shared/store/outbox.ts';
import { logCustomerId } from '../../shared/log-ids.ts';
import type { Store } from '../../shared/store/store.ts';
import type { TenantSettings } from '../../shared/store/tenants.ts';
import type { AdminClient } from './admin-client.ts';
import type { PollOptions } from './bulk-operations.ts';
import { jsonlLines, runBulkMutation } from './bulk-operations.ts';
import { customerTags } from './customer-tags.ts';
import type { MetafieldsSetInput } from './metafields.ts';
import { metafieldInputs, METAFIELDS_PER_CALL } from './metafields.ts';
import { METAFIELDS_SET, TAGS_ADD, TAGS_REMOVE } from './operations.ts';
import { customerGid } from './shopify-ids.ts';

export interface ShopifyWritebackReport {
  customers: number;
  metafieldValues: number;
  metafieldsSetCalls: number;
  bulkMutations: number;
  tagCalls: number;
  /** Entries whose write failed this time (kept, with the reason, for the next flush). */
  failed: number;
  /** Entries given up on after repeated failures: kept in the table with their reason, not sent again. */
  deadLetters: number;
  /** Entries replaced by a newer score while being written: left for the next flush. */
  superseded: number;
}

export interface WritebackOptions {
  /** From this many customers in a page, a bulk mutation instead of metafieldsSet calls. */
  bulkThreshold?: number;
  /** Customers handled per round (one bulk mutation each): bounds memory, a few MB at most. */
  chunkSize?: number;
  poll?: PollOptions;
  log?: (message: string, detail: Record<string, unknown>) => void;
}

interface Pending {
  entry: PendingWrite;
  shopifyId: string;
  inputs: MetafieldsSetInput[];
}

type UserError = { field?: string[] | null; message: string; code?: string | null };

const shopifyIdOf = (entry: OutboxEntry) =>
  entry.identities.find((k) => k.startsWith('shopify:'))?.slice('shopify:'.length);

export async function flushShopifyOutbox(
  store: Store,
  client: AdminClient,
  tenant: TenantSettings,
  options: WritebackOptions = {},
): Promise<ShopifyWritebackReport> {
  const report: ShopifyWritebackReport = {
    customers: 0,
    metafieldValues: 0,
    metafieldsSetCalls: 0,
    bulkMutations: 0,
    tagCalls: 0,
    failed: 0,
    deadLetters: 0,
    superseded: 0,
  };
  const log = options.log ?? (() => {});
  const bulkThreshold = options.bulkThreshold ?? 250;
  for await (const page of chunks(
    outboxPages(store, tenant.tenantId, 'shopify'),
    options.chunkSize ?? 5000,
  )) {
    const pending: Pending[] = [];
    for (const entry of page) {
      if (isDeadLetter(entry)) {
        report.deadLetters++;
        continue;
      }
      const shopifyId = shopifyIdOf(entry);
      if (!shopifyId) {
        // Not a Shopify customer (any more, after a merge): nothing to write there.
        await settleOutboxEntry(store, tenant.tenantId, entry);
        continue;
      }
      pending.push({ entry, shopifyId, inputs: metafieldInputs(shopifyId, entry.fields, entry.scoredAt) });
    }
    if (!pending.length) continue;
    const failures = new Map<string, string>();
    if (pending.length >= bulkThreshold)
      await writeInBulk(client, pending, tenant.tags, failures, report, options.poll);
    else await writeInCalls(client, pending, tenant.tags, failures, report);
    await mapLimited(pending, SETTLE_CONCURRENCY, async (p) => {
      const reason = failures.get(p.entry.customerId);
      if (reason) {
        report.failed++;
        log('write-back failed', {
          tenantId: tenant.tenantId,
          customer: logCustomerId(p.entry.customerId),
          reason,
        });
        await recordWriteFailure(store, tenant.tenantId, p.entry, reason);
      } else if (await settleOutboxEntry(store, tenant.tenantId, p.entry)) {
        report.customers++;
        report.metafieldValues += p.inputs.length;
      } else report.superseded++;
    });
  }
  return report;
}

/** Packs inputs into calls of at most 25; a call refused for some inputs is sent again without their customers. */
async function writeInCalls(
  client: AdminClient,
  pending: readonly Pending[],
  tags: boolean,
  failures: Map<string, string>,
  report: ShopifyWritebackReport,
): Promise<void> {
  const owner = new Map(pending.map((p) => [customerGid(p.shopifyId), p.entry.customerId]));
  let queue = pending.flatMap((p) => p.inputs);
  while (queue.length) {
    const call = queue.slice(0, METAFIELDS_PER_CALL);
    queue = queue.slice(METAFIELDS_PER_CALL);
    const errors = await metafieldsSet(client, call, report);
    if (!errors.length) continue;
    const bad = new Set<string>();
    for (const e of errors) {
      const index = Number(e.field?.[1]);
      const ownerId = Number.isInteger(index) ? call[index]?.ownerId : undefined;
      // An error that names no input fails the whole call: every customer in it.
      for (const id of ownerId ? [ownerId] : call.map((c) => c.ownerId)) {
        bad.add(id);
        failures.set(owner.get(id)!, `metafieldsSet: ${e.message}`);
      }
    }
    const retry = call.filter((c) => !bad.has(c.ownerId));
    queue = [...retry, ...queue.filter((c) => !bad.has(c.ownerId))];
  }
  if (!tags) return;
  for (const p of pending) {
    if (failures.has(p.entry.customerId)) continue;
    const id = customerGid(p.shopifyId);
    const { add, remove } = customerTags(p.entry.fields);
    for (const [operation, list, name] of [
      [TAGS_ADD, add, 'tagsAdd'],
      [TAGS_REMOVE, remove, 'tagsRemove'],
    ] as const) {
      const data = await client.request<Record<string, { userErrors: UserError[] }>>(operation, {
        id,
        tags: list,
      });
      report.tagCalls++;
      const errors = data[name]?.userErrors ?? [];
      if (errors.length)
        failures.set(p.entry.customerId, `${name}: ${errors.map((e) => e.message).join('; ')}`);
    }
  }
}

async function metafieldsSet(
  client: AdminClient,
  metafields: MetafieldsSetInput[],
  report: ShopifyWritebackReport,
): Promise<UserError[]> {
  report.metafieldsSetCalls++;
  const data = await client.request<{ metafieldsSet: { userErrors: UserError[] } }>(METAFIELDS_SET, {
    metafields,
  });
  return data.metafieldsSet.userErrors;
}

/**
 * One bulk mutation for the metafields (a line per call of up to 25 values),
 * then, with tags on, one for tagsAdd and one for tagsRemove. A line that
 * failed marks its customers failed; the next flush writes them by calls,
 * which isolate the bad input.
 */
async function writeInBulk(
  client: AdminClient,
  pending: readonly Pending[],
  tags: boolean,
  failures: Map<string, string>,
  report: ShopifyWritebackReport,
  poll?: PollOptions,
): Promise<void> {
  const owner = new Map(pending.map((p) => [customerGid(p.shopifyId), p.entry.customerId]));
  const inputs = pending.flatMap((p) => p.inputs);
  const lines: MetafieldsSetInput[][] = [];
  for (let i = 0; i < inputs.length; i += METAFIELDS_PER_CALL)
    lines.push(inputs.slice(i, i + METAFIELDS_PER_CALL));
  const fail = (reason: string, ownerIds: readonly string[]) => {
    for (const id of ownerIds) failures.set(owner.get(id)!, reason);
  };
  await bulk(
    client,
    METAFIELDS_SET,
    lines.map((metafields) => ({ metafields })),
    'metafieldsSet',
    report,
    poll,
    (i, reason) =>
      fail(
        reason,
        lines[i]!.map((m) => m.ownerId),
      ),
  );
  if (!tags) return;
  const ok = pending.filter((p) => !failures.has(p.entry.customerId));
  for (const [operation, name, pick] of [
    [TAGS_ADD, 'tagsAdd', (p: Pending) => customerTags(p.entry.fields).add],
    [TAGS_REMOVE, 'tagsRemove', (p: Pending) => customerTags(p.entry.fields).remove],
  ] as const) {
    const vars = ok.map((p) => ({ id: customerGid(p.shopifyId), tags: pick(p) }));
    await bulk(client, operation, vars, name, report, poll, (i, reason) => fail(reason, [vars[i]!.id]));
  }
}

async function bulk(
  client: AdminClient,
  mutation: string,
  variables: Record<string, unknown>[],
  name: string,
  report: ShopifyWritebackReport,
  poll: PollOptions | undefined,
  onFailedLine: (index: number, reason: string) => void,
): Promise<void> {
  if (!variables.length) return;
  const done = await runBulkMutation(client, mutation, variables, poll);
  report.bulkMutations++;
  if (!done.url) return;
  let index = 0;
  for await (const text of jsonlLines(done.url)) {
    const result = JSON.parse(text) as {
      data?: Record<string, { userErrors?: UserError[] }>;
      errors?: { message: string }[];
      __lineNumber?: number;
    };
    const at = result.__lineNumber ?? index;
    index++;
    const errors = [...(result.errors ?? []), ...(result.data?.[name]?.userErrors ?? [])];
    if (errors.length) onFailedLine(at, `${name} (bulk): ${errors.map((e) => e.message).join('; ')}`);
  }
}

/** DynamoDB pages (1 MB each at most) regrouped into chunks of about `size` entries. */
async function* chunks<T>(pages: AsyncIterable<T[]>, size: number): AsyncGenerator<T[]> {
  let chunk: T[] = [];
  for await (const page of pages) {
    chunk.push(...page);
    if (chunk.length >= size) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length) yield chunk;
}
