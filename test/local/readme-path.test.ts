/**
 * The README's main job, as a newcomer does it ("Quick start"): in a fresh copy of the repository, `npm
 * start` (which makes .env from .env.example), then Shopify's documented orders/create example, live and
 * signed with .env's SHOPIFY_API_SECRET, posted to POST /shopify/webhooks for the demo shop. It is stored,
 * scored and written back: the customer's clv metafields appear in the sandbox shop within 30 s, read back
 * over the Admin API as any client reads them. A forged and an unsigned delivery get 401, an outbound
 * message from a foreign Salesforce org 403, and Ctrl-C leaves no process and no port behind.
 *
 * It runs on the README's fixed ports (3000, with serverless-offline's Lambda port 3002, 8000, 9324): no
 * other test uses them (the others take free ports from the OS, which hands out 32768 and above).
 */
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METAFIELDS, NAMESPACE } from '../../integrations/shopify/metafields.ts';
import { SHOPIFY_API_VERSION } from '../../integrations/shopify/shopify-app.ts';
import { getBackfill } from '../../shared/store/backfills.ts';
import { createStore, type Store } from '../../shared/store/store.ts';
import { documentedExample, type Json } from '../../sandbox/shopify/documented-examples.ts';
import { scanAll, scoresOf } from '../helpers/dynamo.ts';
import { isAck, outboundMessage } from '../../sandbox/salesforce/outbound-message.ts';
import { to18 } from '../../sandbox/salesforce/ids.ts';
import { OAuthServer } from '../../sandbox/shopify/oauth.ts';
import { signWebhook } from '../../sandbox/shopify/webhook-sender.ts';
import { freshCopy, npmStart, type RunningStart } from './npm-start.ts';
import { listening } from './ports.ts';
import type { ProcessInfo } from './processes.ts';

const START_TIMEOUT_MS = 600_000; // a fresh copy builds the dashboard and every function bundle first
type JsonObject = { [key: string]: Json };
const README_PORTS = [3000, 3002, 8000, 9324];

/**
 * Shopify's documented orders/create example as a live delivery. The docs show one order for every order
 * topic: a test order (`test: true`, which clv-sync rightly ignores), cancelled and voided. An
 * orders/create for an order a customer just placed is live and not cancelled, so those fields are set so;
 * everything else is the example as documented, its ids exact.
 */
function liveDocumentedOrder(shop: string): { payload: JsonObject; body: string } {
  const payload: JsonObject = {
    ...documentedExample('orders/create', { live: true, shop }).payload,
    cancelled_at: null,
    cancel_reason: null,
    financial_status: 'paid',
  };
  return { payload, body: JSON.stringify(payload) };
}

describe('the README path: a fresh copy, npm start, and Shopify’s documented order', () => {
  const copy = freshCopy();
  let start: RunningStart;
  let settings: Record<string, string>;
  let store: Store;
  let tenantId: string;
  let shop: string;
  /** The live processes of `npm start` while it runs, for the Ctrl-C check. */
  let running: ProcessInfo[] = [];

  /** A client's Admin API token: a session token from the admin (signed with the app secret), exchanged. */
  async function adminToken(): Promise<string> {
    const sessionToken = new OAuthServer({
      apiKey: settings.SHOPIFY_API_KEY!,
      apiSecret: settings.SHOPIFY_API_SECRET!,
      now: Date.now,
    }).sessionToken(shop);
    const response = await fetch(`${start.shopifyOrigin}/admin/oauth/access_token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-host': shop },
      body: JSON.stringify({
        client_id: settings.SHOPIFY_API_KEY,
        client_secret: settings.SHOPIFY_API_SECRET,
        grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
        subject_token: sessionToken,
        subject_token_type: 'urn:ietf:params:oauth:token-type:id_token',
        requested_token_type: 'urn:shopify:params:oauth:token-type:online-access-token',
      }),
    });
    const answer = (await response.json()) as { access_token?: string };
    expect(response.status, JSON.stringify(answer)).toBe(200);
    return answer.access_token!;
  }

  async function customerMetafields(token: string, customerGid: string): Promise<Map<string, string>> {
    const response = await fetch(`${start.shopifyOrigin}/admin/api/${SHOPIFY_API_VERSION}/graphql.json`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-forwarded-host': shop,
        'x-shopify-access-token': token,
      },
      body: JSON.stringify({
        query: `query CustomerClv($id: ID!, $namespace: String!) {
          customer(id: $id) { id metafields(first: 50, namespace: $namespace) { nodes { key value } } }
        }`,
        variables: { id: customerGid, namespace: NAMESPACE },
      }),
    });
    const answer = (await response.json()) as {
      data?: { customer: { metafields: { nodes: { key: string; value: string }[] } } | null };
      errors?: unknown;
    };
    expect(answer.errors, JSON.stringify(answer.errors)).toBeUndefined();
    expect(answer.data?.customer, `the shop has no customer ${customerGid}`).not.toBeNull();
    return new Map(answer.data!.customer!.metafields.nodes.map((m) => [m.key, m.value]));
  }

  /** Waits for the install's Shopify backfill to finish (it rescores the tenant when it does). */
  async function settled(): Promise<void> {
    const began = Date.now();
    for (;;) {
      const backfill = await getBackfill(store, tenantId, 'shopify');
      if (backfill?.status === 'done') return;
      expect(backfill?.status, JSON.stringify(backfill)).not.toBe('failed');
      if (Date.now() - began > 60_000)
        throw new Error(`backfill not done in 60 s: ${JSON.stringify(backfill)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  const postWebhook = (headers: Record<string, string>, body: string) =>
    fetch(`${start.url}/shopify/webhooks`, { method: 'POST', headers, body });

  beforeAll(async () => {
    const began = Date.now();
    start = await npmStart(copy.dir, { timeoutMs: START_TIMEOUT_MS - 30_000 });
    console.log(`npm start up in ${((Date.now() - began) / 1000).toFixed(1)} s`);
    running = start.processes();
    settings = parseEnv(readFileSync(join(copy.dir, '.env'), 'utf8')) as Record<string, string>;
    tenantId = settings.CLV_DEMO_TENANT!;
    shop = settings.CLV_DEMO_SHOP!;
    // The stack's own table, read as the `clv` commands read it with this .env.
    store = createStore({ tableName: settings.CLV_TABLE!, endpoint: settings.CLV_DYNAMODB_ENDPOINT! });
  }, START_TIMEOUT_MS);

  afterAll(async () => {
    if (start) {
      start.kill();
      await Promise.race([start.exited, new Promise((r) => setTimeout(r, 10_000))]);
    }
    copy.remove();
  }, 60_000);

  it('made .env from .env.example and serves the README’s URL', () => {
    expect(existsSync(join(copy.dir, '.env'))).toBe(true);
    expect(readFileSync(join(copy.dir, '.env'), 'utf8')).toBe(
      readFileSync(join(copy.dir, '.env.example'), 'utf8'),
    );
    expect(start.output()).toContain('created .env from .env.example');
    expect(start.url).toBe('http://localhost:3000');
    expect(start.shopifyOrigin).not.toBeNull();
  });

  it(
    'Shopify’s documented orders/create, live and signed with .env’s secret, answers 200, and the customer’s clv metafields reach the shop within 30 s',
    { timeout: 120_000 },
    async () => {
      const { payload, body } = liveDocumentedOrder(shop);
      const customer = payload.customer as JsonObject;
      const customerGid = customer.admin_graphql_api_id as string;
      const customerId = customerGid.split('/').pop()!;
      expect(body).toContain(`"id":${customerId}`); // exact, not the package's rounded 115310627314723950

      // The shop has the customer, as a real shop has whoever placed the order (the sandbox's test control).
      const seeded = await fetch(`${start.shopifyOrigin}/sandbox/customers`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-host': shop },
        body: JSON.stringify(customer),
      });
      expect(seeded.status, await seeded.text()).toBe(201);
      const token = await adminToken();
      expect([...(await customerMetafields(token, customerGid)).keys()]).toEqual([]);
      // The install's backfill (of an empty shop) settles first, so what follows is the webhook's doing.
      await settled();

      const signed = signWebhook({
        secret: settings.SHOPIFY_API_SECRET!,
        topic: 'orders/create',
        shop,
        body,
        apiVersion: SHOPIFY_API_VERSION,
      });
      const response = await postWebhook(signed.headers, signed.body);
      const answer = await response.text();
      expect(response.status, answer).toBe(200);
      const accepted = Date.now();

      // Written back: the shop shows the score the stack stored for that customer.
      const storedScore = async () =>
        [...(await scoresOf(store, tenantId)).values()].find((s) =>
          s.identities.includes(`shopify:${customerId}`),
        );
      let metafields = new Map<string, string>();
      let score = await storedScore();
      const inShop = () =>
        score !== undefined &&
        metafields.get('predicted_clv') === String(score.fields.predicted_clv) &&
        metafields.get('tier') === score.fields.tier;
      while (!inShop() && Date.now() - accepted < 30_000) {
        await new Promise((r) => setTimeout(r, 500));
        [metafields, score] = await Promise.all([customerMetafields(token, customerGid), storedScore()]);
      }
      const detail = `metafields ${JSON.stringify([...metafields])}, score ${JSON.stringify(score?.fields)}`;
      expect(inShop(), `not written back within 30 s: ${detail}\n${start.output()}`).toBe(true);
      console.log(
        `clv metafields in the shop ${((Date.now() - accepted) / 1000).toFixed(1)} s after the 200`,
      );
      for (const key of metafields.keys()) expect(Object.keys(METAFIELDS)).toContain(key);
    },
  );

  it('a forged and an unsigned delivery answer 401 and store nothing', async () => {
    // Another order of the same example (the next id): accepted, it would add an order to the tenant.
    const { body } = liveDocumentedOrder(shop);
    const other = body.replaceAll('820982911946154508', '820982911946154509');
    expect(other).not.toBe(body);
    const forged = signWebhook({
      secret: `${settings.SHOPIFY_API_SECRET}-not`,
      topic: 'orders/create',
      shop,
      body: other,
      apiVersion: SHOPIFY_API_VERSION,
    });
    const unsigned = { ...forged.headers };
    delete unsigned['X-Shopify-Hmac-Sha256'];
    const events = async () => (await scanAll(store)).filter((i) => i.kind === 'event').length;
    const eventsBefore = await events();

    const forgedAnswer = await postWebhook(forged.headers, other);
    expect(forgedAnswer.status, await forgedAnswer.text()).toBe(401);
    const unsignedAnswer = await postWebhook(unsigned, other);
    expect(unsignedAnswer.status, await unsignedAnswer.text()).toBe(401);
    // An accepted delivery is stored and recorded before it is answered.
    expect(JSON.stringify(await scanAll(store))).not.toContain('820982911946154509');
    expect(await events()).toBe(eventsBefore);
  });

  it('an outbound message from a foreign Salesforce org answers 403', async () => {
    const foreignOrg = to18('00D000000FRGN01');
    expect(foreignOrg).not.toBe(settings.CLV_DEMO_SALESFORCE_ORG_ID);
    const message = outboundMessage({
      orgId: foreignOrg,
      actionId: to18('04k000000000001'),
      enterpriseUrl: `https://foreign.my.salesforce.com/services/Soap/c/62.0/${foreignOrg.slice(0, 15)}`,
      partnerUrl: `https://foreign.my.salesforce.com/services/Soap/u/62.0/${foreignOrg.slice(0, 15)}`,
      notifications: [
        {
          id: to18('04l000000000001'),
          sObject: 'Order',
          fields: {
            Id: to18('801000000000001'),
            TotalAmount: '10.0',
            EffectiveDate: '2026-11-01',
            Status: 'Activated',
            LastModifiedDate: '2026-11-01T10:00:00.000Z',
          },
        },
      ],
    });
    // The demo org's own URL and token, as npm start printed them: only the org is wrong.
    const response = await fetch(start.outboundUrl, {
      method: 'POST',
      headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: '""' },
      body: message,
    });
    const answer = await response.text();
    expect(response.status, answer).toBe(403);
    expect(isAck(answer)).toBe(false);
    expect(answer).toContain(`organization ${foreignOrg} is not linked`);
    const stored = JSON.stringify(await scanAll(store));
    expect(stored).not.toContain(foreignOrg.slice(0, 15));
    expect(stored).not.toContain(to18('801000000000001').slice(0, 15));
  });

  it(
    'Ctrl-C (SIGINT) stops every process npm start started and closes every port',
    { timeout: 90_000 },
    async () => {
      const sandboxPort = Number(new URL(start.shopifyOrigin!).port);
      const names = running.map((p) => p.cmdline).join('\n');
      expect(names).toMatch(/local\/start\.ts/);
      expect(names).toMatch(/DynamoDBLocal/);
      expect(names).toMatch(/serverless(\.js)? offline start/);
      for (const port of [...README_PORTS, sandboxPort])
        expect(await listening(port), `port ${port}`).toBe(true);

      start.interrupt();
      const code = await Promise.race([
        start.exited,
        new Promise((r) => setTimeout(() => r('still running after 60 s'), 60_000)),
      ]);
      expect(code).not.toBe('still running after 60 s');
      expect(start.output()).toContain('SIGINT: stopping');

      const left = start.processes();
      expect(left, JSON.stringify(left, null, 2)).toEqual([]);
      for (const port of [...README_PORTS, sandboxPort])
        expect(await listening(port), `port ${port}`).toBe(false);
    },
  );
});
