/**
 * Logs name customers by a keyed id (issue 15, item 17). Our customer ids are
 * SHA-256 of `shopify:<id>` or `email:<address>`, so a log line holding one
 * names the person to anyone with a candidate email. Through the real webhook
 * and scoring handlers, with a capturing logger: no line holds a raw customer
 * id, a SHA-256 of any of the buyer's identities, or an email, even when
 * identity resolution gives up (the IdentityConflictError's message reaches
 * the log); the same customer has one log id within a deployment, and
 * another under another key.
 */
import { createHash } from 'node:crypto';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadLogKey, logIdsWith } from '../../shared/log-ids.ts';
import { customerIdFor } from '../../shared/store/identities.ts';
import type { Store } from '../../shared/store/store.ts';
import { tenantName } from '../helpers/dynamo.ts';
import { interceptedStore } from '../helpers/intercepted-store.ts';
import { buyerOrder } from '../worlds/shopify-payloads.ts';
import { shopifyWorld } from '../worlds/shopify.ts';
import { capturingLogger, recordFigures } from './figures.ts';

const LOG_KEY = 'log-ids-test-key-not-real';
const NOW = Date.parse('2026-06-01T00:00:00Z');
const { logger, lines } = capturingLogger();
const world = shopifyWorld({
  apiSecret: 'log-ids-api-secret-not-real',
  logger,
  webhookNow: () => NOW,
  now: () => NOW,
});
const suffix = Math.random().toString(36).slice(2, 8);
const shop = `log-ids-${suffix}.myshopify.com`;
const tenantId = tenantName('log-ids');
const buyers = Array.from({ length: 3 }, (_, i) => ({
  id: 887_000 + i,
  email: `Log.Buyer${i}.${suffix}@Example.com`,
}));

/**
 * The table as DynamoDB answers when another writer always claims the identities first: every claim's
 * transaction is cancelled with ConditionalCheckFailed (the shape AWS documents for TransactWriteItems).
 */
const contestedStore = (base: Store): Store =>
  interceptedStore(base, (command) => {
    const items = command instanceof TransactWriteCommand ? command.input.TransactItems : undefined;
    if (items?.some((i) => i.Put?.Item?.kind === 'identity'))
      throw new TransactionCanceledException({
        $metadata: {},
        message:
          'Transaction cancelled, please refer cancellation reasons for specific reasons [ConditionalCheckFailed]',
        CancellationReasons: items.map(() => ({ Code: 'ConditionalCheckFailed' })),
      });
  });

const deliver = async (webhooks: typeof world.webhooks, topic: string, payload: unknown) =>
  (await world.deliverWebhook(shop, topic, payload, webhooks)).status;

const order = (n: number, buyer: (typeof buyers)[number]) => buyerOrder(7_700_000, n, buyer);

/** Everything that would name the buyer to someone holding the log and a guess: ids, their hashes, emails. */
function guessable(buyer: (typeof buyers)[number]): string[] {
  const identities = [`shopify:${buyer.id}`, `email:${buyer.email.toLowerCase()}`];
  return [
    buyer.email.toLowerCase(),
    ...identities,
    ...identities.map(customerIdFor),
    ...identities.map((k) => createHash('sha256').update(k).digest('hex').slice(0, 24)),
  ];
}

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/;

describe('customer ids in logs', () => {
  beforeAll(async () => {
    // The deployment's key, as a function's cold start reads it (the setting, here a plain variable).
    await loadLogKey({ env: { CLV_LOG_KEY: LOG_KEY } });
    await world.addTenant(tenantId, shop);
    const { webhooks } = world;
    let n = 0;
    for (const buyer of buyers) {
      for (let k = 0; k < 2; k++)
        expect(await deliver(webhooks, 'orders/create', order(n++, buyer))).toBe(200);
      expect(await deliver(webhooks, 'customers/update', { id: buyer.id, email: buyer.email })).toBe(200);
    }
    await world.drainAll();
    expect(world.queue.deadLetters).toEqual([]);
    // Resolution that never settles: the IdentityConflictError fails the invocation (Shopify retries), and
    // the Lambda runtime logs an uncaught error's type, message and stack, as it is kept here.
    const contested = world.webhooksOn(contestedStore(world.store));
    const newcomer = { id: 887_999, email: `New.Comer.${suffix}@Example.com` };
    buyers.push(newcomer);
    const failure = await deliver(contested, 'orders/create', order(n, newcomer)).catch((e: Error) => e);
    expect(failure).toBeInstanceOf(Error);
    lines.push(
      JSON.stringify({
        errorType: (failure as Error).name,
        errorMessage: (failure as Error).message,
        stack: (failure as Error).stack,
      }),
    );
  }, 120_000);

  it('no line holds a raw customer id, a hash of an identity, or an email', () => {
    expect(lines.some((l) => l.includes('IdentityConflictError'))).toBe(true);
    for (const buyer of buyers)
      expect(
        lines.filter((l) => guessable(buyer).some((g) => l.toLowerCase().includes(g.toLowerCase()))),
      ).toEqual([]);
    expect(lines.filter((l) => EMAIL.test(l))).toEqual([]);
  });

  it('one customer has one log id within a deployment, and another under another key', () => {
    const customerId = customerIdFor(`shopify:${buyers[0]!.id}`);
    const logId = logIdsWith(LOG_KEY).customer(customerId);
    // Its two orders, its identity update and its scoring each name it, always by the same log id.
    expect(lines.filter((l) => l.includes(logId)).length).toBeGreaterThanOrEqual(4);
    expect(logIdsWith('another-deployment').customer(customerId)).not.toBe(logId);
    expect(logIdsWith(LOG_KEY).customer(customerIdFor(`shopify:${buyers[1]!.id}`))).not.toBe(logId);
    recordFigures('log-ids', { logLines: lines.length, linesNamingCustomerGuessably: 0 });
  });
});
