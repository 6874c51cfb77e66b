/**
 * A guest checkout with no email (a POS sale, a draft order) names nobody: the webhook is acknowledged 200
 * and the order left out, so Shopify does not retry it 8 times and count each answer as a failure
 * (integrations/shopify/webhook-topics.ts). Only the delivery's record (for deduplication) is written; the
 * same order with an email is stored, which shows the refusal is about the customer and nothing else.
 */
import { describe, expect, it } from 'vitest';
import type { ScoreMessage } from '../../../shared/pipeline/messages.ts';
import { tenantName, tenantSnapshot } from '../../helpers/dynamo.ts';
import { restOrderWebhook } from '../../worlds/shopify-payloads.ts';
import { shopifyWorld } from '../../worlds/shopify.ts';

const queued: ScoreMessage[] = [];
const world = shopifyWorld({ enqueue: async (m) => void queued.push(m) });

const guestOrder = (id: number, email: string | null) => ({
  ...restOrderWebhook({
    id,
    email: email ?? '',
    at: '2026-03-02T10:00:00Z',
    currency: 'USD',
    subtotal: '42.00',
    customer: {},
  }),
  email,
  customer: null,
});

/** The kinds of the items in `after` that were not in `before` (tenantSnapshot: one JSON string an item). */
const added = (before: string, after: string) =>
  (JSON.parse(after) as string[])
    .filter((i) => !(JSON.parse(before) as string[]).includes(i))
    .map((i) => (JSON.parse(i) as { kind: string }).kind);

describe('orders/create for a guest without email', () => {
  it('is answered 200, and nothing but the delivery record is written', async () => {
    const tenantId = tenantName('guest');
    const shop = `${tenantId}.myshopify.com`;
    await world.addTenant(tenantId, shop, 'USD');
    const before = await tenantSnapshot(world.store, tenantId);

    const res = await world.deliverWebhook(shop, 'orders/create', guestOrder(9100001, null));

    expect(res).toEqual({ status: 200, body: { action: 'ignored order without customer' } });
    const written = added(before, await tenantSnapshot(world.store, tenantId));
    expect(written).toEqual(['event']);
    expect(queued.filter((m) => m.tenantId === tenantId)).toEqual([]);

    // The same checkout with an email joins that person's history.
    const withEmail = await world.deliverWebhook(
      shop,
      'orders/create',
      guestOrder(9100002, 'walk.in@example.com'),
    );
    expect(withEmail).toMatchObject({ status: 200, body: { action: 'order stored' } });
    expect(queued.filter((m) => m.tenantId === tenantId)).toEqual([
      { tenantId, customerId: String(withEmail.body.customerId) },
    ]);
  });
});
