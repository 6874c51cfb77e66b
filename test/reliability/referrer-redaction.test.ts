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
import { customerIdFor } from '../../shared/store/identities.ts';
import { scanAll, scoresOf, tenantName } from '../helpers/dynamo.ts';
import type { Buyer } from '../worlds/shopify-payloads.ts';
import { buyerOrder, customersRedact } from '../worlds/shopify-payloads.ts';
import { shopifyWorld } from '../worlds/shopify.ts';
import { recordFigures } from './figures.ts';

const NOW = Date.parse('2026-06-01T00:00:00Z');
const world = shopifyWorld({ apiSecret: 'referrer-redaction-secret-not-real', now: () => NOW });
const { store } = world;
const suffix = Math.random().toString(36).slice(2, 8);
const shop = `ref-redact-${suffix}.myshopify.com`;
const tenantId = tenantName('ref-redact');
const deliver = (topic: string, payload: unknown) => world.deliverWebhook(shop, topic, payload);

const advocate = { id: 883_117, email: `Ana.Advocate.${suffix}@Example.com` };
/** Refers a friend but never buys here: no customer of ours, only a name on someone else's order. */
const outsider = { id: 883_995, email: `Otto.Outsider.${suffix}@Example.org` };
const friends = Array.from({ length: 4 }, (_, i) => ({
  id: 884_000 + i,
  email: `friend${i}.${suffix}@example.net`,
}));

const order = (
  n: number,
  buyer: Buyer,
  referral: Partial<Record<'discount_codes' | 'note_attributes' | 'landing_site', unknown>> = {},
) => buyerOrder(6_600_000, n, buyer, referral);

const redact = (person: Buyer) => deliver('customers/redact', customersRedact(shop, person));

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
    await world.addTenant(tenantId, shop);
    // The advocate buys first, so the friends' scores resolve the referral to the advocate's customer id.
    for (let k = 0; k < 2; k++) expect((await deliver('orders/create', order(k, advocate))).status).toBe(200);
    await world.drainAll();
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
    await world.drainAll();
    expect(world.queue.deadLetters).toEqual([]);
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
    await world.drainAll();
    expect(world.queue.deadLetters).toEqual([]);

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
