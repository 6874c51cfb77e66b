/**
 * Warms the embedded stack before it says it is ready, so the first minute of real traffic is not served
 * by a cold Java and cold handlers.
 *
 * Why (docs/local-stack-load.md, "Warm-up"): with bench/stack-load.ts at 50 webhooks a second, the handler
 * median was 200–575 ms in the first ten seconds against 22–44 ms from the fifteenth on, and nearly every
 * 503 of a run fell in those first ten seconds. DynamoDB Local is a JVM: its request path (Jetty, the JSON
 * codec, SQLite through sqlite4java) runs interpreted until the JIT has seen it thousands of times. So here
 * the table's own operations (the ones the webhook and score paths send: conditional transactions, puts,
 * updates, consistent reads, batch reads, key and index queries, deletes) run a few thousand times on
 * items of a partition no tenant can own, every item deleted again; and the webhook function gets signed
 * deliveries of a shop no tenant holds, which run its HMAC check, body read and tenant lookup and are
 * answered 404 without storing anything.
 *
 * Lambda has no such phase (each instance's cold start is its own, and DynamoDB is not a JVM on the same
 * two cores): this is the local stack's alone, and `CLV_LOCAL_WARM_UP_SECONDS=0` turns it off.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { SHOPIFY_API_VERSION } from '../integrations/shopify/shopify-app.ts';
import { localClientConfig } from './dynamodb-local.ts';

/** No tenant's partition can be this: every tenant partition starts `T#` (shared/store/keys.ts). */
const WARM_UP_PARTITION = 'LOCAL-WARM-UP#';
/** A shop no tenant holds: `.myshopify.com`, so it passes the shop-domain check and reaches the tenant read. */
export const WARM_UP_SHOP = 'clv-local-warm-up.myshopify.com';

export interface WarmUpOptions {
  /** Stop starting new rounds after this long (the rounds in flight finish). */
  seconds: number;
  /** Rounds at once, as many as the HTTP functions run at once. */
  concurrency: number;
}

/** Runs `round` on `concurrency` workers until the deadline, or until one returns false; the rounds run. */
async function untilDeadline(
  { seconds, concurrency }: WarmUpOptions,
  round: (i: number) => Promise<boolean | void>,
): Promise<number> {
  const deadline = Date.now() + seconds * 1000;
  let next = 0;
  let stopped = false;
  const worker = async () => {
    while (!stopped && Date.now() < deadline) if ((await round(next++)) === false) stopped = true;
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return next;
}

/** The table's operations, round after round, on items deleted again; returns the rounds run. */
export async function warmDynamoDb(endpoint: string, table: string, options: WarmUpOptions): Promise<number> {
  const sdk = await import('@aws-sdk/client-dynamodb');
  const client = new sdk.DynamoDBClient(localClientConfig(endpoint));
  const key = (i: number, sk: string) => ({ pk: { S: `${WARM_UP_PARTITION}${i}` }, sk: { S: sk } });
  try {
    return await untilDeadline(options, async (i) => {
      const order = key(i, 'ORDER#1');
      const customer = key(i, 'CUSTOMER#1');
      await client.send(
        new sdk.TransactWriteItemsCommand({
          TransactItems: [
            {
              Put: {
                TableName: table,
                Item: { ...order, gsi1pk: { S: `${WARM_UP_PARTITION}index` }, gsi1sk: { S: String(i) } },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Update: {
                TableName: table,
                Key: customer,
                UpdateExpression: 'ADD orders :one',
                ExpressionAttributeValues: { ':one': { N: '1' } },
              },
            },
          ],
        }),
      );
      await client.send(new sdk.PutItemCommand({ TableName: table, Item: key(i, 'EVENT#1') }));
      await client.send(new sdk.GetItemCommand({ TableName: table, Key: customer, ConsistentRead: true }));
      await client.send(
        new sdk.BatchGetItemCommand({
          RequestItems: { [table]: { Keys: [order, customer], ConsistentRead: true } },
        }),
      );
      await client.send(
        new sdk.QueryCommand({
          TableName: table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)',
          ExpressionAttributeValues: { ':pk': order.pk, ':sk': { S: 'ORDER#' } },
          ConsistentRead: true,
        }),
      );
      await client.send(
        new sdk.QueryCommand({
          TableName: table,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :pk',
          ExpressionAttributeValues: { ':pk': { S: `${WARM_UP_PARTITION}index` } },
          Limit: 10,
        }),
      );
      await client.send(
        new sdk.BatchWriteItemCommand({
          RequestItems: {
            [table]: [order, customer, key(i, 'EVENT#1')].map((Key) => ({ DeleteRequest: { Key } })),
          },
        }),
      );
    });
  } finally {
    client.destroy();
  }
}

/**
 * Signed `orders/create` deliveries of WARM_UP_SHOP, signed as Shopify signs them (HMAC-SHA256 of the raw
 * body with the app's secret, "Verify webhooks"), to the webhook route. Each should be answered 404 (an
 * unknown shop) or 503 (the admission gate: the warm-up is the load it is for); any other answer stops the
 * warm-up and is reported, for the stack to say (a function that fails shows on its first real request too).
 */
export async function warmWebhooks(
  url: string,
  secret: string,
  options: WarmUpOptions,
): Promise<{ answered: number; unexpected: number | null }> {
  let answered = 0;
  let unexpected: number | null = null;
  await untilDeadline(options, async (i) => {
    const body = JSON.stringify({ id: i + 1, admin_graphql_api_id: `gid://shopify/Order/${i + 1}` });
    const response = await fetch(`${url}/shopify/webhooks`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'X-Shopify-Hmac-Sha256': createHmac('sha256', secret).update(body).digest('base64'),
        'X-Shopify-Topic': 'orders/create',
        'X-Shopify-Shop-Domain': WARM_UP_SHOP,
        'X-Shopify-Webhook-Id': randomUUID(),
        'X-Shopify-Event-Id': randomUUID(),
        'X-Shopify-Triggered-At': new Date().toISOString(),
        'X-Shopify-API-Version': SHOPIFY_API_VERSION,
      },
      body,
    });
    await response.arrayBuffer();
    if (response.status === 404) answered++;
    else if (response.status !== 503) {
      unexpected = response.status;
      return false;
    }
  });
  return { answered, unexpected };
}
