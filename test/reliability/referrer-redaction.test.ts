/**
 * customers/redact reaches the person where other customers' items name them
 * as their referrer (issue 15, item 10): in an order's `referredBy` (the
 * email or id the order named) and in a score's `referredBy` (identity keys
 * and our customer id). Friends are referred three ways (a note attribute
 * with the email in another case, a `?ref=` landing page with the Shopify id,
 * a REF- discount code); after the redact, and a rescoring of everyone, a
 * full scan of the tenant holds no trace of the email, the Shopify id or the
 * customer id, while the friends keep their orders and scores. A referrer
 * who never bought here (no customer of ours) is redacted the same way.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createScoreHandler } from '../../functions/score.ts';
import { createShopifyWebhookHandler } from '../../functions/shopify-webhooks.ts';
import { createShopifyApp, SHOPIFY_API_VERSION } from '../../integrations/shopify/shopify-app.ts';
import { LocalQueue } from '../../local/sqs-queue.ts';
import { customerIdFor } from '../../shared/store/identities.ts';
import { putTenant } from '../../shared/store/tenants.ts';
import { apiEvent } from '../helpers/api-event.ts';
import { scanAll, scoresOf, tenantName, testStore } from '../helpers/dynamo.ts';
import { signWebhook } from '../../sandbox/shopify/index.ts';
import { quietLogger, recordFigures } from './figures.ts';

const store = testStore();
const API_SECRET = 'referrer-redaction-secret-not-real';
const NOW = Date.parse('2026-06-01T00:00:00Z');
const shopify = createShopifyApp({ apiKey: 'k', apiSecret: API_SECRET, appUrl: 'https://app.clv-sync.test' });
const suffix = Math.random().toString(36).slice(2, 8);
const shop = `ref-redact-${suffix}.myshopify.com`;
const tenantId = tenantName('ref-redact');
const queue = new LocalQueue({ name: 'score', batchSize: 25 });
const logger = quietLogger();
const webhooks = createShopifyWebhookHandler({
  store,
  shopify,
  logger,
  enqueue: (m) => queue.send(m),
  now: () => Date.now(),
});
const score = createScoreHandler({ store, logger, now: () => NOW, enqueueWriteback: async () => {} });

const advocate = { id: 883_117, email: `Ana.Advocate.${suffix}@Example.com` };
/** Refers a friend but never buys here: no customer of ours, only a name on someone else's order. */
const outsider = { id: 883_995, email: `Otto.Outsider.${suffix}@Example.org` };
const friends = Array.from({ length: 4 }, (_, i) => ({
  id: 884_000 + i,
  email: `friend${i}.${suffix}@example.net`,
}));

async function deliver(topic: string, payload: unknown) {
  const signed = signWebhook({
    secret: API_SECRET,
    topic,
    shop,
    body: JSON.stringify(payload),
    apiVersion: SHOPIFY_API_VERSION,
  });
  const res = await webhooks(
    apiEvent({ method: 'POST', path: '/shopify/webhooks', headers: signed.headers, body: signed.body }),
  );
  return { status: res.statusCode, body: JSON.parse(String(res.body)) as Record<string, unknown> };
}

const order = (
  n: number,
  buyer: { id: number; email: string },
  referral: Partial<Record<'discount_codes' | 'note_attributes' | 'landing_site', unknown>> = {},
) => ({
  id: 6_600_000 + n,
  created_at: `2026-0${1 + (n % 5)}-1${n % 9}T10:00:00Z`,
  updated_at: `2026-0${1 + (n % 5)}-1${n % 9}T10:00:00Z`,
  currency: 'EUR',
  email: buyer.email,
  customer: { id: buyer.id, email: buyer.email },
  current_subtotal_price: (40 + n * 7).toFixed(2),
  refunds: [],
  ...referral,
});

const redact = (person: { id: number; email: string }) =>
  deliver('customers/redact', {
    shop_id: 1,
    shop_domain: shop,
    customer: { id: person.id, email: person.email, phone: null },
    orders_to_redact: [],
  });

/** The tenant's items that name the person: email (any case), Shopify id (as a key or a bare number), customer id. */
async function traces(person: { id: number; email: string }): Promise<string[]> {
  const customerId = customerIdFor(`shopify:${person.id}`);
  return (await scanAll(store))
    .filter((i) => JSON.stringify(i).includes(`T#${tenantId}`))
    .map((i) => JSON.stringify(i))
    .filter(
      (t) =>
        t.toLowerCase().includes(person.email.toLowerCase()) ||
        new RegExp(`[^0-9]${person.id}[^0-9]`).test(t) ||
        t.includes(customerId),
    );
}

describe('customers/redact and the referrer fields of other customers', () => {
  beforeAll(async () => {
    await putTenant(store, { tenantId, shopifyShop: shop, currency: 'EUR' });
    // The advocate buys first, so the friends' scores resolve the referral to the advocate's customer id.
    for (let k = 0; k < 2; k++) expect((await deliver('orders/create', order(k, advocate))).status).toBe(200);
    await queue.drain(score);
    const referrals = [
      { note_attributes: [{ name: 'referred_by', value: advocate.email.toUpperCase() }] },
      { landing_site: `/products/mug?ref=${advocate.id}` },
      { discount_codes: [{ code: `REF-${advocate.id}` }] },
      { note_attributes: [{ name: 'ref', value: outsider.email }] },
    ];
    for (const [i, friend] of friends.entries()) {
      expect((await deliver('orders/create', order(10 + i, friend, referrals[i]))).status).toBe(200);
      expect((await deliver('orders/create', order(20 + i, friend))).status).toBe(200);
    }
    await queue.drain(score);
    expect(queue.deadLetters).toEqual([]);
  }, 120_000);

  it('after the redact no order or score of anyone names the advocate, and the friends keep theirs', async () => {
    const before = await traces(advocate);
    // The advocate's own items, and the friends' orders and scores naming them as referrer.
    expect(before.filter((t) => t.includes('"referredBy"')).length).toBeGreaterThanOrEqual(6);
    const scores = await scoresOf(store, tenantId);
    const friendIds = friends.map((f) => customerIdFor(`shopify:${f.id}`));
    expect(scores.get(friendIds[0]!)?.referredBy?.customerId).toBe(customerIdFor(`shopify:${advocate.id}`));

    expect((await redact(advocate)).body).toEqual({ action: 'deleted 1 customer(s)' });
    // A rescoring of everyone afterwards must not bring the link back from the orders.
    for (const f of friends)
      expect((await deliver('orders/create', order(30 + f.id - 884_000, f))).status).toBe(200);
    await queue.drain(score);
    expect(queue.deadLetters).toEqual([]);

    expect(await traces(advocate)).toEqual([]);
    const after = await scoresOf(store, tenantId);
    for (const id of friendIds.slice(0, 3)) {
      expect(after.get(id)?.history.days.length).toBeGreaterThan(0);
      expect(after.get(id)?.referredBy ?? null).toBeNull();
    }
    // The outsider's referral is not the advocate's: it is untouched.
    expect(after.get(friendIds[3]!)?.referredBy?.identities).toEqual([
      `email:${outsider.email.toLowerCase()}`,
    ]);
    recordFigures('referrer-redaction', { itemsNamingAdvocateBefore: before.length, after: 0 });
  });

  it('a referrer who never bought here is redacted from the orders and scores that name them', async () => {
    expect((await traces(outsider)).length).toBeGreaterThanOrEqual(2);
    expect((await redact(outsider)).body).toEqual({ action: 'deleted 0 customer(s)' });
    expect(await traces(outsider)).toEqual([]);
  });
});
