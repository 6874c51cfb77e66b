/**
 * Salesforce end to end, on DynamoDB Local and the Salesforce sandbox: setup
 * deploys the fields, 2,000 Orders are backfilled by SOQL, a Contact who also
 * bought in Shopify gets one merged CLV, Contact fields are written in
 * ≤ ceil(n / 200) collection calls, and an outbound message for a new Order
 * (carrying the workspace's token) updates that Contact and is acknowledged. The production code runs
 * unchanged; only Salesforce is the sandbox.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSalesforceOutboundHandler } from '../../functions/salesforce-outbound.ts';
import { createRefitHandler } from '../../functions/refit.ts';
import { createScoreHandler } from '../../functions/score.ts';
import { backfillSalesforceOrders } from '../../integrations/salesforce/backfill.ts';
import { salesforceConnection } from '../../integrations/salesforce/connection.ts';
import { contactEmailsFrom } from '../../integrations/salesforce/contact-emails.ts';
import { issueOutboundToken } from '../../integrations/salesforce/outbound-token.ts';
import { findCustomers, readIdentities } from '../../shared/store/identities.ts';
import { flushSalesforceOutbox } from '../../integrations/salesforce/write-back.ts';
import { deploySalesforceSetup } from '../../integrations/salesforce/setup.ts';
import { LocalQueue } from '../../local/sqs-queue.ts';
import { ingestOrder } from '../../shared/pipeline/ingest.ts';
import type { PendingWrite } from '../../shared/store/outbox.ts';
import { outboxEntries } from '../../shared/store/scores.ts';
import type { TenantSettings } from '../../shared/store/tenants.ts';
import { scoresOf, tenantItems, tenantSnapshot } from '../helpers/dynamo.ts';
import type { SalesforceSandbox } from '../../sandbox/salesforce/index.ts';
import { isAck, to18 } from '../../sandbox/salesforce/index.ts';
import type { SalesforceWorld } from '../worlds/salesforce.ts';
import {
  contactOf,
  drainAll,
  orderBilledTo,
  salesforceWriteback,
  scenarioOrg,
  startSalesforceWorld,
  store,
  testLogger,
} from '../worlds/salesforce.ts';

const NOW = Date.parse('2026-06-01T00:00:00Z');
const logger = testLogger();

let world: SalesforceWorld;
let sf: SalesforceSandbox;
let tenant: TenantSettings;
let secrets: SalesforceWorld['secrets'];
/** The deployed endpoint URL, with the workspace's outbound token as `clv salesforce link` issues it. */
let OUTBOUND_ENDPOINT: string;

describe('Salesforce: setup, SOQL backfill, merged CLV, write-back, outbound messages', () => {
  const scoreQueue = new LocalQueue({ name: 'score', batchSize: 25 });
  const writebackQueue = new LocalQueue({ name: 'writeback', batchSize: 10, maxReceiveCount: 3 });
  const writeback = () => salesforceWriteback({ store, logger, salesforceSecrets: secrets });

  beforeAll(async () => {
    world = await startSalesforceWorld(
      scenarioOrg(
        'e2e',
        'sf',
        { orders: 2000, contacts: 600, accounts: 300, seed: 5, start: '2024-01-01', end: '2026-05-25' },
        { outboundToken: true },
      ),
    );
    ({ sf, tenant, secrets } = world);
    OUTBOUND_ENDPOINT = `https://app.clv-sync.test/salesforce/outbound?token=${world.outboundToken!.token}`;
  }, 60_000);

  afterAll(() => world?.stop());

  it('setup deploys the CLV fields to the org (and again, changing nothing)', async () => {
    const { conn } = await salesforceConnection(tenant, secrets);
    const first = await deploySalesforceSetup(conn, {
      outboundEndpoint: OUTBOUND_ENDPOINT,
      pollIntervalMs: 5,
    });
    expect(first.componentFailures).toEqual([]);
    for (const sobject of ['Contact', 'Account'])
      expect(sf.org.customFields(sobject).map((f) => f.name)).toEqual(
        expect.arrayContaining(['CLV_Predicted__c', 'CLV_Tier__c', 'CLV_P_Alive__c']),
      );
    const again = await deploySalesforceSetup(conn, {
      outboundEndpoint: OUTBOUND_ENDPOINT,
      pollIntervalMs: 5,
    });
    expect(again.componentFailures).toEqual([]);
  });

  it(
    'backfills 2,000 Orders by SOQL and merges a Contact who also bought in Shopify into one CLV',
    { timeout: 300_000 },
    async () => {
      // One Contact also shops online under the same email: its Shopify order arrives first.
      const contact = sf.org.all('Contact').find((c) => c.Email)!;
      await ingestOrder(
        store,
        tenant,
        {
          source: 'shopify',
          orderId: 'web-1',
          version: '2026-05-20T10:00:00Z',
          placedAt: '2026-05-20T10:00:00Z',
          customer: { shopifyCustomerId: '777', email: String(contact.Email).toUpperCase() },
          value: 250,
          refunded: 0,
          currency: 'USD',
          margin: null,
          cancelled: false,
        },
        async () => {},
        NOW,
      );
      const { conn } = await salesforceConnection(tenant, secrets);
      const report = await backfillSalesforceOrders(store, conn, tenant, { now: NOW });
      const activated = sf.org.all('Order').filter((o) => o.Status === 'Activated');
      const reductions = sf.org.all('Order').filter((o) => o.IsReductionOrder);
      console.log('salesforce backfill', {
        activated: activated.length,
        reductions: reductions.length,
        ...report.progress,
        pages: report.queryPages,
      });
      // Every activated purchase order is recorded once; returns are netted from their original, not counted as orders.
      expect(report.progress.consumed).toBe(activated.length - reductions.length);
      const stored = new Map(
        (await tenantItems(store, tenant.tenantId))
          .filter((i) => i.kind === 'order')
          .map((i) => [String(i.orderId), i]),
      );
      const returned = new Map<string, number>();
      for (const r of reductions)
        returned.set(
          String(r.OriginalOrderId),
          (returned.get(String(r.OriginalOrderId)) ?? 0) - Number(r.TotalAmount),
        );
      expect(returned.size).toBeGreaterThan(0);
      for (const [id, amount] of returned) {
        const original = sf.org.get('Order', id)!;
        const order = stored.get(`Order:${id}`)!;
        expect(order.value as number).toBeCloseTo(Math.max(0, Number(original.TotalAmount) - amount), 2);
      }
      expect(report.progress.consumed).toBeGreaterThan(0);
      expect(report.progress.stored + report.progress.rejected).toBe(report.progress.consumed);
      expect(report.queryPages).toBeGreaterThanOrEqual(Math.ceil(activated.length / 2000));
      const scores = await scoresOf(store, tenant.tenantId);
      const merged = [...scores.values()].filter((s) => s.identities.includes('shopify:777'));
      expect(merged).toHaveLength(1);
      expect(merged[0]!.identities.some((k) => k.startsWith('sfcontact:'))).toBe(true);
      // Its history holds both systems' orders: the web order's day is among the purchase days.
      expect(merged[0]!.history.days).toContain(Math.floor(Date.parse('2026-05-20T10:00:00Z') / 86_400_000));
    },
  );

  it('writes Contact fields in ≤ ceil(n / 200) collection calls; a deleted Contact does not block the others', async () => {
    const pending = await outboxEntries(store, tenant.tenantId, 'salesforce');
    const n = pending.length;
    expect(n).toBeGreaterThan(200);
    // A Contact deleted in the org since: its write fails, the other 199 of its call succeed.
    const doomed = contactOf(pending[5]!)!;
    sf.org.records.get('Contact')!.delete(doomed);
    const before = sf.calls.length;
    await writebackQueue.send({ tenantId: tenant.tenantId, target: 'salesforce' });
    await writebackQueue.drain(writeback());
    expect(writebackQueue.deadLetters).toEqual([]);
    const collectionCalls = sf.calls.slice(before).filter((c) => c.kind === 'collections');
    expect(collectionCalls.length).toBeLessThanOrEqual(Math.ceil(n / 200));
    const left = await outboxEntries(store, tenant.tenantId, 'salesforce');
    expect(left.map((e) => e.customerId)).toEqual([pending[5]!.customerId]);
    for (const e of pending.slice(0, 50)) {
      if (e === pending[5]) continue;
      const id = contactOf(e)!;
      const record = sf.org.get('Contact', id)!;
      expect(record.CLV_Predicted__c).toBe(e.fields.predicted_clv);
      expect(record.CLV_Tier__c).toBe(e.fields.tier);
    }
  });

  it('an outbound message for a new Order updates that Contact and receives the Ack; another org gets 403', async () => {
    const outbound = createSalesforceOutboundHandler({
      store,
      logger,
      enqueue: (m) => scoreQueue.send(m),
      now: () => NOW,
    });
    const contact = sf.org
      .all('Contact')
      .find((c) => c.CLV_Historic__c !== undefined && c.CLV_Historic__c !== null)!;
    const before = Number(contact.CLV_Historic__c);
    const order = sf.org.insert(
      'Order',
      orderBilledTo(contact, {
        TotalAmount: 480,
        EffectiveDate: '2026-05-30',
        Status: 'Activated',
      }),
    );
    const envelope = (orgId: string) =>
      world.outboundEnvelope(
        [
          {
            id: '04l000000000001AAA',
            sObject: 'Order',
            fields: {
              Id: order.Id as string,
              AccountId: (order.AccountId as string | null) ?? null,
              BillToContactId: contact.Id as string,
              TotalAmount: '480.00',
              EffectiveDate: '2026-05-30',
              Status: 'Activated',
              LastModifiedDate: '2026-05-30T09:00:00.000Z',
            },
          },
        ],
        orgId,
      );
    const post = (xml: string, query?: string) => world.deliverOutbound(outbound, xml, query);

    const snapshot = await tenantSnapshot(store, tenant.tenantId);
    const foreign = await post(envelope(to18('00D5g0000009999')));
    expect(foreign.statusCode).toBe(403);
    // The org id alone is no credential: without the workspace's token, or with another, nothing is taken.
    expect((await post(envelope(sf.orgId), '')).statusCode).toBe(401);
    expect((await post(envelope(sf.orgId), `token=${issueOutboundToken().token}`)).statusCode).toBe(403);
    expect(await tenantSnapshot(store, tenant.tenantId)).toBe(snapshot);
    expect(scoreQueue.pending).toEqual([]);

    const res = await post(envelope(sf.orgId));
    expect(res.statusCode).toBe(200);
    expect(isAck(String(res.body))).toBe(true);
    await drainAll(
      [
        scoreQueue,
        createScoreHandler({
          store,
          logger,
          now: () => NOW,
          enqueueWriteback: (m) => writebackQueue.send(m),
        }),
      ],
      [writebackQueue, writeback()],
    );
    expect(Number(sf.org.get('Contact', contact.Id as string)!.CLV_Historic__c)).toBeCloseTo(before + 480, 2);
  });

  it("a new Contact's first Order by outbound message joins the Shopify customer with the Contact's email", async () => {
    // Someone who only bought online so far; the org then gets a Contact for them and an Order.
    const email = `first.order.${Math.random().toString(36).slice(2, 8)}@example.com`;
    await ingestOrder(
      store,
      tenant,
      {
        source: 'shopify',
        orderId: `web-${email}`,
        version: '2026-04-02T10:00:00Z',
        placedAt: '2026-04-02T10:00:00Z',
        customer: { shopifyCustomerId: '880001', email },
        value: 75,
        refunded: 0,
        currency: 'USD',
        margin: null,
        cancelled: false,
      },
      async () => {},
    );
    const [online] = await findCustomers(store, tenant.tenantId, { email });
    const contact = sf.org.insert('Contact', {
      FirstName: 'First',
      LastName: 'Order',
      Email: email.toUpperCase(),
    });
    const order = sf.org.insert('Order', {
      BillToContactId: contact.Id,
      TotalAmount: 120,
      EffectiveDate: '2026-05-30',
      Status: 'Activated',
    });
    const lookups: string[][] = [];
    const outbound = createSalesforceOutboundHandler({
      store,
      logger,
      enqueue: (m) => scoreQueue.send(m),
      now: () => NOW,
      contactEmailsFor: (t) => async (ids) => {
        lookups.push([...ids]);
        return contactEmailsFrom((await salesforceConnection(t, secrets)).conn)(ids);
      },
    });
    const res = await world.deliverOutbound(
      outbound,
      world.outboundEnvelope([
        {
          id: '04l000000000002AAA',
          sObject: 'Order',
          fields: {
            Id: order.Id as string,
            AccountId: null,
            BillToContactId: contact.Id as string,
            TotalAmount: '120.00',
            EffectiveDate: '2026-05-30',
            Status: 'Activated',
            LastModifiedDate: '2026-05-30T09:00:00.000Z',
          },
        },
      ]),
    );
    expect(res.statusCode).toBe(200);
    // One lookup, for the Contact nobody was known by; the order is the online customer's.
    expect(lookups).toEqual([[contact.Id]]);
    expect(
      await findCustomers(store, tenant.tenantId, { salesforceContactId: contact.Id as string }),
    ).toEqual([online]);
    expect(await readIdentities(store, tenant.tenantId, online!)).toEqual(
      expect.arrayContaining([`sfcontact:${String(contact.Id)}`, `email:${email}`, 'shopify:880001']),
    );
    scoreQueue.pending.splice(0);
  });

  it(
    'writes many changed records with one Bulk API 2.0 job, a failed row kept for the next flush',
    { timeout: 300_000 },
    async () => {
      // A month later every customer's values move.
      await createRefitHandler({
        store,
        logger,
        now: () => NOW + 30 * 86_400_000,
        enqueueWriteback: async () => {},
      })({
        tenantId: tenant.tenantId,
      });
      const pending = await outboxEntries(store, tenant.tenantId, 'salesforce');
      expect(pending.length).toBeGreaterThan(200);
      const { conn } = await salesforceConnection(tenant, secrets);
      const before = sf.calls.length;
      const report = await flushSalesforceOutbox(store, conn, tenant, {
        bulkThreshold: 100,
        bulkPollIntervalMs: 5,
      });
      const calls = sf.calls.slice(before);
      expect(report.bulkJobs).toBe(1);
      expect(report.collectionCalls).toBe(0);
      expect(calls.filter((c) => c.kind === 'collections')).toEqual([]);
      // The Contact deleted earlier fails again, inside the job; everyone else is written.
      expect(report.failed).toBe(1);
      expect(report.records).toBe(pending.length - 1);
      for (const e of pending.slice(0, 50)) {
        const id = contactOf(e)!;
        const record = sf.org.get('Contact', id);
        if (!record) continue;
        expect(record.CLV_Predicted__c).toBe(e.fields.predicted_clv);
        expect(record.CLV_Scored_At__c).toBeDefined();
      }
      // The refit replaced its entry (a new score starts the count again): one failed attempt, with the reason.
      const left = (await outboxEntries(store, tenant.tenantId, 'salesforce')) as PendingWrite[];
      expect(left.map((e) => e.attempts)).toEqual([1]);
      expect(left[0]!.lastError).toMatch(/^Bulk API 2\.0: /);
    },
  );

  it('an expired token is refreshed once and the call succeeds', async () => {
    const { conn, stats } = await salesforceConnection(tenant, secrets);
    sf.expireTokens();
    const res = await conn.query('SELECT Id FROM Contact LIMIT 1');
    expect(res.records).toHaveLength(1);
    expect(stats.refreshes).toBe(1);
  });
});
