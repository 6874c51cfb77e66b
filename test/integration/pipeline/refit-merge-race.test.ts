/**
 * A merge that lands while a refit runs (DynamoDB Local). The refit has read
 * every score; an order then names two of its customers' identities, so one
 * absorbs the other; only then do the refit's batch writes go out, the
 * absorbed customer's score among them. Afterwards no score or pending CRM
 * write of the absorbed customer is left, the refit says it removed one, and
 * the next refit does not see the customer at all.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { importOrders, scoreAndRefit } from '../../../shared/pipeline/import-history.ts';
import type { RefitReport } from '../../../shared/pipeline/refit-tenant.ts';
import { refitTenant } from '../../../shared/pipeline/refit-tenant.ts';
import { keys } from '../../../shared/store/keys.ts';
import type { Order } from '../../../shared/store/order.ts';
import { recordOrder } from '../../../shared/store/orders.ts';
import { outboxEntries } from '../../../shared/store/scores.ts';
import type { StoredScore } from '../../../shared/store/scores.ts';
import type { Store } from '../../../shared/store/store.ts';
import type { TenantSettings } from '../../../shared/store/tenants.ts';
import { putTenant } from '../../../shared/store/tenants.ts';
import { scoresOf, tenantName, testStore } from '../../helpers/dynamo.ts';
import { orderStream } from '../../helpers/order-stream.ts';

const store = testStore();
const NOW = Date.parse('2026-03-01T00:00:00Z');
/** A month on, every prediction moves, so the refit rewrites (nearly) every score. */
const LATER = NOW + 30 * 86_400_000;

/** The store as the refit sees it: before its first batch write goes out, `beforeFirstWrite` runs. */
function storeWithHook(beforeFirstWrite: () => Promise<void>, putKeys: string[]): Store {
  let hooked = false;
  const doc = new Proxy(store.doc, {
    get(target, prop, receiver) {
      if (prop !== 'send') return Reflect.get(target, prop, receiver) as unknown;
      return async (...args: Parameters<DynamoDBDocumentClient['send']>) => {
        const [command] = args;
        if (command instanceof BatchWriteCommand) {
          if (!hooked) {
            hooked = true;
            await beforeFirstWrite();
          }
          for (const r of Object.values(command.input.RequestItems ?? {}).flat())
            if (r.PutRequest) putKeys.push(`${r.PutRequest.Item!.pk}|${r.PutRequest.Item!.sk}`);
        }
        return (target.send as (...a: typeof args) => unknown)(...args);
      };
    },
  });
  return { ...store, doc };
}

const shopifyId = (s: StoredScore) => s.identities.find((k) => k.startsWith('shopify:'))!.slice(8);
const email = (s: StoredScore) => s.identities.find((k) => k.startsWith('email:'))!.slice(6);

describe('a merge while a refit runs', () => {
  const tenantId = tenantName('refit-race');
  let tenant: TenantSettings;
  let survivor: string;
  let absorbed: string;
  let report: RefitReport;
  const putKeys: string[] = [];

  beforeAll(async () => {
    tenant = await putTenant(store, { tenantId, currency: 'USD' });
    const { customers } = await importOrders(
      store,
      tenant,
      (async function* () {
        yield* orderStream({ orders: 600, customers: 200, seed: 17, start: '2025-01-01', days: 400 });
      })(),
      { now: NOW },
    );
    await scoreAndRefit(store, tenant, customers, NOW);
    const [a, b] = [...(await scoresOf(store, tenantId)).values()].sort((x, y) =>
      x.customerId < y.customerId ? -1 : 1,
    );
    // One order known by a's Shopify id and b's email: the two are one customer, a (the smaller id) survives.
    const joining: Order = {
      source: 'shopify',
      orderId: 'joins-two',
      version: new Date(LATER - 3_600_000).toISOString(),
      customer: { shopifyCustomerId: shopifyId(a!), email: email(b!) },
      placedAt: new Date(LATER - 3_600_000).toISOString(),
      value: 55,
      refunded: 0,
      currency: 'USD',
      margin: null,
      cancelled: false,
    };
    const racing = storeWithHook(async () => {
      const recorded = await recordOrder(store, tenant, joining, LATER);
      [survivor, absorbed] = [recorded.customerId, recorded.merged[0]!];
    }, putKeys);
    report = await refitTenant(racing, tenant, LATER);
  }, 180_000);

  it('the merge happened between the refit reading and writing, and the refit wrote the absorbed score', () => {
    expect(survivor).toBeDefined();
    expect(absorbed).toBeDefined();
    const key = keys.score(tenantId, absorbed);
    expect(putKeys).toContain(`${key.pk}|${key.sk}`);
  });

  it('no score and no pending CRM write of the absorbed customer is left; the refit counts it removed', async () => {
    expect(report.removedGone).toBe(1);
    const scores = await scoresOf(store, tenantId);
    expect(scores.has(absorbed)).toBe(false);
    expect(scores.has(survivor)).toBe(true);
    for (const target of ['shopify', 'salesforce'] as const)
      expect((await outboxEntries(store, tenantId, target)).map((e) => e.customerId)).not.toContain(absorbed);
  });

  it('the next refit does not see the absorbed customer', async () => {
    const before = (await scoresOf(store, tenantId)).size;
    const next = await refitTenant(store, tenant, LATER + 86_400_000);
    expect(next.customers).toBe(before);
    expect(next.removedGone).toBe(0);
    expect((await scoresOf(store, tenantId)).has(absorbed)).toBe(false);
  });
});
