/**
 * Isolation and redaction (issue 8, item 6). Two shops hold the same buyers
 * (same emails, same customer ids as numbers): nothing signed for shop A —
 * orders naming B's customers, redact or data requests for them — reads or
 * changes anything of B. (Salesforce: a workspace's outbound token opens
 * only its own org, see hostile-input.test.ts.) After customers/redact no
 * item anywhere holds the customer's email, Shopify id or internal id; after
 * shop/redact nothing of the shop is left. The handlers log through a
 * capturing Powertools logger: no line written after a redaction names the
 * redacted customer, and no line ever holds an email address.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { getDataExport } from '../../shared/store/data-exports.ts';
import { customerIdFor } from '../../shared/store/identities.ts';
import { scanAll, scoresOf, tenantName, tenantSnapshot } from '../helpers/dynamo.ts';
import { buyerOrder, customersDataRequest, customersRedact } from '../worlds/shopify-payloads.ts';
import { shopifyWorld } from '../worlds/shopify.ts';
import { capturingLogger, recordFigures } from './figures.ts';

const { logger, lines } = capturingLogger();
const NOW = Date.parse('2026-06-01T00:00:00Z');
const world = shopifyWorld({ apiSecret: 'isolation-api-secret-not-real', logger, now: () => NOW });
const { store, deliverWebhook: deliver, drainAll } = world;
const suffix = Math.random().toString(36).slice(2, 8);
const shopA = `iso-a-${suffix}.myshopify.com`;
const shopB = `iso-b-${suffix}.myshopify.com`;
const tenantA = tenantName('iso-a');
const tenantB = tenantName('iso-b');

/** Buyers both shops know, under the same emails and the same numeric customer ids. */
const buyers = Array.from({ length: 6 }, (_, i) => ({
  id: 880_000 + i,
  email: `Shared.Buyer${i}.${suffix}@Example.com`,
}));

const order = (n: number, buyer: (typeof buyers)[number]) => buyerOrder(5_500_000, n, buyer);

/** Every item (or log line) that names the buyer: email (any case), Shopify id, or internal customer id. */
function traces(texts: readonly string[], buyer: (typeof buyers)[number], customerId: string): string[] {
  return texts.filter((t) => {
    const lower = t.toLowerCase();
    return (
      lower.includes(buyer.email.toLowerCase()) ||
      t.includes(`shopify:${buyer.id}`) ||
      new RegExp(`[^0-9]${buyer.id}[^0-9]`).test(t) ||
      t.includes(customerId)
    );
  });
}

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/;

describe('isolation and redaction', () => {
  beforeAll(async () => {
    await world.addTenant(tenantA, shopA);
    await world.addTenant(tenantB, shopB);
    let n = 0;
    for (const shop of [shopA, shopB])
      for (const buyer of buyers)
        for (let k = 0; k < 3; k++)
          expect((await deliver(shop, 'orders/create', order(n++, buyer))).status).toBe(200);
    await drainAll();
    expect(world.queue.deadLetters).toEqual([]);
  }, 120_000);

  it("nothing signed for shop A reads or changes shop B's customers", async () => {
    const before = await tenantSnapshot(store, tenantB);
    const victim = buyers[0]!;
    // A's orders naming B's buyers land in A only; A's compliance requests for them see and touch only A.
    expect((await deliver(shopA, 'orders/create', order(900, victim))).status).toBe(200);
    await drainAll();
    const request = await deliver(shopA, 'customers/data_request', customersDataRequest(shopA, victim, 1));
    expect(request.status).toBe(200);
    // The answer is an export in A's partition, for A's merchant to download (dashboard-api.ts).
    const stored = await getDataExport(store, tenantA, String(request.body.exportId), Date.now());
    const held = (JSON.parse(stored!.json) as { customers: { orders: { orderId: string }[] }[] }).customers;
    expect(held).toHaveLength(1);
    // Only A's orders come back: 3 from setup, 1 just now — none of B's.
    expect(held[0]!.orders.map((o) => o.orderId).sort()).toEqual([
      '5500000',
      '5500001',
      '5500002',
      '5500900',
    ]);
    expect((await deliver(shopA, 'customers/redact', customersRedact(shopA, buyers[1]!))).status).toBe(200);
    // Naming shop B in a request signed for A is refused, not applied to either.
    expect((await deliver(shopA, 'shop/redact', { shop_id: 2, shop_domain: shopB })).status).toBe(400);
    expect(await tenantSnapshot(store, tenantB)).toBe(before);
    expect((await scoresOf(store, tenantB)).size).toBe(buyers.length);
  });

  it('customers/redact leaves no trace of the customer in the table or in later logs', async () => {
    const victim = buyers[2]!;
    const customerId = customerIdFor(`shopify:${victim.id}`);
    const items = async () =>
      (await scanAll(store)).filter((i) => JSON.stringify(i).includes(`T#${tenantA}`));
    expect(
      traces(
        (await items()).map((i) => JSON.stringify(i)),
        victim,
        customerId,
      ).length,
    ).toBeGreaterThan(0);
    const logged = lines.length;
    const res = await deliver(shopA, 'customers/redact', customersRedact(shopA, victim));
    expect(res.body).toEqual({ action: 'deleted 1 customer(s)' });
    // Scores refreshed afterwards (a rescoring of the others) must not bring anything back either.
    await drainAll();
    expect(
      traces(
        (await items()).map((i) => JSON.stringify(i)),
        victim,
        customerId,
      ),
    ).toEqual([]);
    expect(traces(lines.slice(logged), victim, customerId)).toEqual([]);
    // Shop B's copy of the same buyer is B's to redact: it is still there.
    expect([...(await scoresOf(store, tenantB)).keys()]).toContain(customerIdFor(`shopify:${victim.id}`));
  });

  it('shop/redact leaves nothing of the shop; no log line ever held an email', async () => {
    expect((await deliver(shopA, 'shop/redact', { shop_id: 1, shop_domain: shopA })).status).toBe(200);
    const left = (await scanAll(store)).filter(
      (i) => JSON.stringify(i).includes(`T#${tenantA}`) || JSON.stringify(i).includes(shopA),
    );
    expect(left).toEqual([]);
    expect(lines.length).toBeGreaterThan(50);
    expect(lines.filter((l) => EMAIL.test(l))).toEqual([]);
    recordFigures('isolation-redaction', {
      logLines: lines.length,
      logLinesWithEmail: lines.filter((l) => EMAIL.test(l)).length,
      itemsLeftAfterShopRedact: left.length,
    });
  });
});
