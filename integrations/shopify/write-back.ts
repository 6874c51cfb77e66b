/**
 * Flushes a tenant's Shopify outbox: every pending customer's `clv.*`
 * metafields, packed 25 values to a metafieldsSet call (Shopify's limit) or,
 * when a page holds many customers, one bulk mutation; then the tier and
 * segment tags. An entry is settled only after all of it was written, and
 * only if no newer score replaced it meanwhile.
 */
import type { Addressed } from '../../shared/pipeline/flush-outbox.ts';
import { flushOutbox } from '../../shared/pipeline/flush-outbox.ts';
import type { OutboxEntry } from '../../shared/store/scores.ts';
import type { Store } from '../../shared/store/store.ts';
import { tenantStore } from '../../shared/store/tenant-store.ts';
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

/** Where an entry goes in Shopify: the customer, and its metafield inputs. */
interface ShopifyAddress {
  shopifyId: string;
  inputs: MetafieldsSetInput[];
}

type Pending = Addressed<ShopifyAddress>;

/** The Shopify calls a flush made, for its report. */
type CallCounts = Pick<
  ShopifyWritebackReport,
  'metafieldValues' | 'metafieldsSetCalls' | 'bulkMutations' | 'tagCalls'
>;

type UserError = { field?: string[] | null; message: string; code?: string | null };

const shopifyIdOf = (entry: OutboxEntry) =>
  entry.identities.find((k) => k.startsWith('shopify:'))?.slice('shopify:'.length);

export async function flushShopifyOutbox(
  store: Store,
  client: AdminClient,
  tenant: TenantSettings,
  options: WritebackOptions = {},
): Promise<ShopifyWritebackReport> {
  const report = { metafieldValues: 0, metafieldsSetCalls: 0, bulkMutations: 0, tagCalls: 0 };
  const bulkThreshold = options.bulkThreshold ?? 250;
  const counts = await flushOutbox<ShopifyAddress>(
    tenantStore(store, tenant.tenantId),
    'shopify',
    {
      chunkSize: options.chunkSize ?? 5000,
      address: (entry) => {
        const shopifyId = shopifyIdOf(entry);
        return shopifyId
          ? { shopifyId, inputs: metafieldInputs(shopifyId, entry.fields, entry.scoredAt) }
          : undefined;
      },
      write: async (pending, settle) => {
        const failures = new Map<string, string>();
        if (pending.length >= bulkThreshold)
          await writeInBulk(client, pending, tenant.tags, failures, report, options.poll);
        else await writeInCalls(client, pending, tenant.tags, failures, report);
        await settle(pending.map((item) => ({ item, failure: failures.get(item.entry.customerId) ?? null })));
      },
      written: (p) => {
        report.metafieldValues += p.address.inputs.length;
      },
    },
    options.log,
  );
  return {
    customers: counts.written,
    ...report,
    failed: counts.failed,
    deadLetters: counts.deadLetters,
    superseded: counts.superseded,
  };
}

/** Packs inputs into calls of at most 25; a call refused for some inputs is sent again without their customers. */
async function writeInCalls(
  client: AdminClient,
  pending: readonly Pending[],
  tags: boolean,
  failures: Map<string, string>,
  report: CallCounts,
): Promise<void> {
  const owner = new Map(pending.map((p) => [customerGid(p.address.shopifyId), p.entry.customerId]));
  let queue = pending.flatMap((p) => p.address.inputs);
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
    const id = customerGid(p.address.shopifyId);
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
  report: CallCounts,
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
  report: CallCounts,
  poll?: PollOptions,
): Promise<void> {
  const owner = new Map(pending.map((p) => [customerGid(p.address.shopifyId), p.entry.customerId]));
  const inputs = pending.flatMap((p) => p.address.inputs);
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
    const vars = ok.map((p) => ({ id: customerGid(p.address.shopifyId), tags: pick(p) }));
    await bulk(client, operation, vars, name, report, poll, (i, reason) => fail(reason, [vars[i]!.id]));
  }
}

async function bulk(
  client: AdminClient,
  mutation: string,
  variables: Record<string, unknown>[],
  name: string,
  report: CallCounts,
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
