/**
 * Hostile input (issue 8, item 1): 10,000 generated attacks on the public
 * endpoints (POST /shopify/webhooks, POST /salesforce/outbound, the
 * dashboard API), sent to the same handlers Lambda runs (API Gateway v2 events,
 * no HTTP in between, so the count fits CI's time). fast-check generates the
 * bodies, headers and mutations, seeded so a failure replays; each attack
 * kind states the one 4xx it must get. Never a 5xx, never a throw, nothing
 * queued, and the attacked workspaces' items are byte-for-byte the same
 * afterwards (tenantSnapshot). A signed delivery is no attack by itself —
 * only Shopify holds the secret — so signed cases are the malformed ones a
 * buggy or confused sender could produce, each of which must be refused.
 */
import { readFileSync } from 'node:fs';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSalesforceOutboundHandler, MAX_OUTBOUND_BYTES } from '../../functions/salesforce-outbound.ts';
import { MAX_WEBHOOK_BYTES } from '../../functions/shopify-webhooks.ts';
import { issueOutboundToken } from '../../integrations/salesforce/outbound-token.ts';
import { orderFromWebhook } from '../../integrations/shopify/order-from-webhook.ts';
import { SUBSCRIBED_TOPICS } from '../../integrations/shopify/webhook-topics.ts';
import { ingestOrder } from '../../shared/pipeline/ingest.ts';
import type { ScoreMessage } from '../../shared/pipeline/messages.ts';
import { getTenant, putTenant } from '../../shared/store/tenants.ts';
import { apiEvent } from '../helpers/api-event.ts';
import { tenantName, tenantSnapshot, testStore } from '../helpers/dynamo.ts';
import { outboundMessage, to18 } from '../../sandbox/salesforce/index.ts';
import { OAuthServer } from '../../sandbox/shopify/oauth.ts';
import { ACCEPTED_SETTINGS } from '../worlds/dashboard-settings.ts';
import { shopifyWorld, webhookPost } from '../worlds/shopify.ts';
import { quietLogger, recordFigures } from './figures.ts';

const store = testStore();
const logger = quietLogger();
const API_KEY = 'hostile-api-key';
const API_SECRET = 'hostile-api-secret-not-real';
const SEED = 20_261_123;
const NOW = Date.parse('2026-06-01T00:00:00Z');

/** Cases per attack kind: 10,000 in all, the figures docs/reliability.md reports. */
const BUDGET = {
  shopify: {
    forgedHmac: 1500,
    missingHeaders: 700,
    wrongSecret: 600,
    tamperedBody: 600,
    truncatedJson: 500,
    deeplyNestedJson: 60,
    wrongTypes: 700,
    unicodeFields: 500,
    unknownTopic: 400,
    oversizeBody: 10,
    otherShopInBody: 200,
    unknownShop: 200,
  },
  salesforce: {
    noToken: 400,
    wrongToken: 600,
    otherTenantsToken: 300,
    entityDeclarations: 300,
    truncatedXml: 600,
    garbageBody: 500,
    deeplyNestedXml: 60,
    oversizeBody: 10,
    foreignOrg: 200,
    foreignCallbackUrl: 60,
  },
  dashboard: {
    noToken: 100,
    forgedToken: 250,
    expiredToken: 150,
    otherAppToken: 100,
    notInstalledShop: 150,
    settingsTampering: 250,
  },
} as const;

const shopA = `hostile-a-${Math.random().toString(36).slice(2, 8)}.myshopify.com`;
const shopB = `hostile-b-${Math.random().toString(36).slice(2, 8)}.myshopify.com`;
const randomOrgId = (prefix: string) =>
  to18(`00D${prefix}${String(Math.floor(Math.random() * 1e9)).padStart(9, '0')}`);
const orgC = randomOrgId('7h0');
const orgD = randomOrgId('7h1');
const tokenC = issueOutboundToken();
const tokenD = issueOutboundToken();
const tenants = {
  a: tenantName('hostile-a'),
  b: tenantName('hostile-b'),
  c: tenantName('hostile-c'),
  d: tenantName('hostile-d'),
};

const queued: ScoreMessage[] = [];
const enqueue = async (m: ScoreMessage) => void queued.push(m);
const refits: unknown[] = [];
const world = shopifyWorld({
  apiKey: API_KEY,
  apiSecret: API_SECRET,
  store,
  logger,
  enqueue,
  webhookNow: () => NOW,
  requestRefit: async (m) => void refits.push(m),
});
const outbound = createSalesforceOutboundHandler({ store, logger, enqueue, now: () => NOW });

/** Status counts per kind, and every case that got something else than its kind's status. */
const tally: Record<string, Record<number, number>> = {};
const misses: string[] = [];

async function attack(
  kind: string,
  expected: number,
  send: () => Promise<APIGatewayProxyStructuredResultV2>,
  describeCase: () => string,
): Promise<void> {
  let status: number;
  try {
    status = (await send()).statusCode ?? 200;
  } catch (error) {
    status = -1; // a throw: what Lambda would turn into a 502
    misses.push(`${kind}: threw ${(error as Error).stack}\n  case: ${describeCase().slice(0, 300)}`);
  }
  const counts = (tally[kind] ??= {});
  counts[status] = (counts[status] ?? 0) + 1;
  if (status !== expected && status !== -1)
    misses.push(`${kind}: ${status} instead of ${expected}\n  case: ${describeCase().slice(0, 300)}`);
}

type Surface = keyof typeof BUDGET;
/** An attack kind by its place in BUDGET: `shopify.forgedHmac`, `dashboard.noToken`, … */
type Kind = { [S in Surface]: `${S}.${Extract<keyof (typeof BUDGET)[S], string>}` }[Surface];

/** One generated case: the one status it must get, how it is sent, and how a miss names it. */
interface AttackCase {
  expected: number;
  send: () => Promise<APIGatewayProxyStructuredResultV2>;
  shown: () => string;
}

/**
 * The kind's budget of generated cases, each sent once through `attack`: fast-check draws the values
 * from `arbitraries` (seeded at SEED + `seed`, so a failure replays) and `caseOf` makes them a case,
 * or passes them over with fc.pre.
 */
async function attackKind<Ts extends [unknown, ...unknown[]]>(
  kind: Kind,
  seed: number,
  arbitraries: { [K in keyof Ts]: fc.Arbitrary<Ts[K]> },
  caseOf: (...values: Ts) => AttackCase,
): Promise<void> {
  const [surface, name] = kind.split('.') as [Surface, string];
  const numRuns = (BUDGET[surface] as Record<string, number>)[name]!;
  const property = fc.asyncProperty<Ts>(...arbitraries, async (...values: Ts) => {
    const { expected, send, shown } = caseOf(...values);
    await attack(kind, expected, send, shown);
  });
  await fc.assert(property, { numRuns, seed: SEED + seed, endOnFailure: true });
}

// ---------------------------------------------------------------- Shopify webhooks

/** A valid order payload for shop A: the base that mutation cases break one field of. */
const validOrder = {
  id: 5820982911946,
  admin_graphql_api_id: 'gid://shopify/Order/5820982911946',
  created_at: '2026-05-20T10:00:00-04:00',
  updated_at: '2026-05-20T10:00:00-04:00',
  processed_at: '2026-05-20T10:00:00-04:00',
  currency: 'EUR',
  email: 'buyer@example.com',
  test: false,
  customer: { id: 7115310627314, email: 'buyer@example.com' },
  current_subtotal_price: '120.00',
  refunds: [],
};
/** Fields with a contract narrower than "any text": ids, dates, money, currency, flags, the customer. */
const STRUCTURED_FIELDS = [
  'id',
  'created_at',
  'updated_at',
  'currency',
  'current_subtotal_price',
  'test',
  'customer',
  'customer.id',
] as const;

function withField(path: string, value: unknown): Record<string, unknown> {
  const copy = structuredClone(validOrder) as Record<string, unknown>;
  const [head, tail] = path.split('.') as [string, string | undefined];
  if (tail) (copy[head] as Record<string, unknown>)[tail] = value;
  else copy[head] = value;
  // The GraphQL id would otherwise disagree with a changed id for a reason other than the one tested.
  if (path === 'id') delete copy.admin_graphql_api_id;
  return copy;
}

/** A value of a type the field never has (ids, money and dates are numbers or strings; flags booleans). */
const wrongTypeFor = (path: string): fc.Arbitrary<unknown> => {
  const structures = fc.oneof(
    fc.array(fc.anything(), { maxLength: 3 }),
    fc.dictionary(fc.string(), fc.anything(), { maxKeys: 3 }),
  );
  if (path === 'test') return fc.oneof(fc.string({ minLength: 1 }), fc.integer(), structures);
  if (path === 'customer') return fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.array(fc.anything()));
  return fc.oneof(fc.boolean(), structures, path === 'customer.id' ? fc.constant(null) : structures);
};

/** Text with at least one character outside ASCII: no id, amount, date or currency code is that. */
const unicodeText = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 20 })
  .filter((s) => [...s].some((c) => c.codePointAt(0)! > 0x7f));

const post = (headers: Record<string, string>, body: string | Buffer) =>
  world.webhooks(webhookPost(headers, body));

const anyTopic = fc.constantFrom(...SUBSCRIBED_TOPICS);
const anyShop = fc.constantFrom(shopA, shopB);
/** A shop's handle, for the shops that never installed the app. */
const anyShopName = fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,20}$/);
const jsonBody = fc.oneof(
  fc.json(),
  fc.string({ unit: 'grapheme' }),
  fc.constant(JSON.stringify(validOrder)),
);

async function shopifyAttacks(): Promise<void> {
  const order = JSON.stringify(validOrder);

  await attackKind(
    'shopify.forgedHmac',
    1,
    [anyTopic, anyShop, jsonBody, fc.uint8Array({ minLength: 0, maxLength: 48 })],
    (topic, shop, body, mac) => {
      const { headers } = world.signedWebhook(shop, topic, body);
      headers['X-Shopify-Hmac-Sha256'] = Buffer.from(mac).toString('base64');
      return { expected: 401, send: () => post(headers, body), shown: () => body };
    },
  );

  const required = [
    'X-Shopify-Hmac-Sha256',
    'X-Shopify-Topic',
    'X-Shopify-Shop-Domain',
    'X-Shopify-API-Version',
  ];
  await attackKind(
    'shopify.missingHeaders',
    2,
    [anyTopic, anyShop, fc.subarray(required, { minLength: 1 })],
    (topic, shop, dropped) => {
      const { headers } = world.signedWebhook(shop, topic, order);
      for (const h of dropped) delete headers[h];
      // No signature at all is unauthenticated (401); a signed delivery missing the rest is incomplete (400).
      const expected = dropped.includes('X-Shopify-Hmac-Sha256') ? 401 : 400;
      return { expected, send: () => post(headers, order), shown: () => dropped.join(',') };
    },
  );

  const otherSecret = fc.string({ minLength: 1 }).filter((s) => s !== API_SECRET);
  await attackKind(
    'shopify.wrongSecret',
    3,
    [anyTopic, anyShop, jsonBody, otherSecret],
    (topic, shop, body, secret) => {
      const { headers } = world.signedWebhook(shop, topic, body, { secret });
      return { expected: 401, send: () => post(headers, body), shown: () => secret };
    },
  );

  const flips = fc.integer({ min: 1, max: 255 });
  await attackKind(
    'shopify.tamperedBody',
    4,
    [anyTopic, anyShop, fc.nat(), flips],
    (topic, shop, at, flip) => {
      const { headers } = world.signedWebhook(shop, topic, order);
      const tampered = Buffer.from(order);
      tampered[at % tampered.length] = tampered[at % tampered.length]! ^ flip;
      return { expected: 401, send: () => post(headers, tampered), shown: () => String(at) };
    },
  );

  const jsonTopics = SUBSCRIBED_TOPICS.filter((t) => t !== 'app/uninstalled' && t !== 'customers/delete');
  await attackKind(
    'shopify.truncatedJson',
    5,
    [fc.constantFrom(...jsonTopics), anyShop, fc.nat()],
    (topic, shop, at) => {
      const body = order.slice(0, 1 + (at % (order.length - 1))); // never empty, never whole
      const { headers } = world.signedWebhook(shop, topic, body);
      return { expected: 400, send: () => post(headers, body), shown: () => body };
    },
  );

  await attackKind(
    'shopify.deeplyNestedJson',
    6,
    [
      fc.constantFrom('orders/create', 'orders/updated', 'refunds/create', 'customers/update'),
      anyShop,
      fc.integer({ min: 1_000, max: 200_000 }),
      fc.boolean(),
    ],
    (topic, shop, depth, arrays) => {
      const body = arrays
        ? `${'['.repeat(depth)}${']'.repeat(depth)}`
        : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
      const { headers } = world.signedWebhook(shop, topic, body);
      return { expected: 400, send: () => post(headers, body), shown: () => `depth ${depth}` };
    },
  );

  const orderTopics = fc.constantFrom('orders/create', 'orders/updated', 'orders/paid', 'orders/cancelled');
  const fieldAndWrongType = fc
    .constantFrom(...STRUCTURED_FIELDS)
    .chain((path) => fc.tuple(fc.constant(path), wrongTypeFor(path)));
  await attackKind(
    'shopify.wrongTypes',
    7,
    [orderTopics, anyShop, fieldAndWrongType],
    (topic, shop, [path, value]) => {
      const body = JSON.stringify(withField(path, value));
      const { headers } = world.signedWebhook(shop, topic, body);
      return { expected: 400, send: () => post(headers, body), shown: () => body };
    },
  );

  const textFields = fc.constantFrom(...STRUCTURED_FIELDS.filter((f) => f !== 'customer' && f !== 'test'));
  await attackKind(
    'shopify.unicodeFields',
    8,
    [orderTopics, anyShop, textFields, unicodeText],
    (topic, shop, path, text) => {
      const body = JSON.stringify(withField(path, text));
      const { headers } = world.signedWebhook(shop, topic, body);
      return { expected: 400, send: () => post(headers, body), shown: () => `${path}=${text}` };
    },
  );

  const unknownTopics = fc
    .oneof(
      fc.string({ minLength: 1, unit: 'grapheme' }),
      fc.constantFrom('orders/delete', 'products/create', 'ORDERS-CREATE', 'orders//create'),
    )
    .filter(
      (t) =>
        !SUBSCRIBED_TOPICS.some(
          (s) => s.toUpperCase().replace(/[/ ]/g, '_') === t.toUpperCase().replace(/[/ ]/g, '_'),
        ),
    );
  await attackKind('shopify.unknownTopic', 9, [unknownTopics, anyShop], (topic, shop) => {
    const { headers } = world.signedWebhook(shop, topic, order);
    // Header values must be ByteStrings: a topic outside Latin-1 cannot even be sent. Those are
    // checked as a header the signature was computed over, escaped as a client would.
    headers['X-Shopify-Topic'] = topic.replace(/[^\x20-\x7e]/gu, (c) => encodeURIComponent(c));
    return { expected: 400, send: () => post(headers, order), shown: () => topic };
  });

  for (let i = 0; i < BUDGET.shopify.oversizeBody; i++) {
    const body = `{"pad":"${'x'.repeat(MAX_WEBHOOK_BYTES + i * 1000)}"}`;
    const { headers } = world.signedWebhook(shopA, 'orders/create', body);
    await attack(
      'shopify.oversizeBody',
      413,
      () => post(headers, body),
      () => `${body.length} bytes`,
    );
  }

  // Signed for shop A, naming shop B (its domain) in a compliance request: refused, applied to neither.
  const complianceTopics = fc.constantFrom('customers/redact', 'shop/redact', 'customers/data_request');
  await attackKind('shopify.otherShopInBody', 10, [complianceTopics, fc.boolean()], (topic, aSignsForB) => {
    const [signer, named] = aSignsForB ? [shopA, shopB] : [shopB, shopA];
    const body = JSON.stringify({
      shop_id: 1,
      shop_domain: named,
      customer: { id: 7115310627314, email: 'buyer@example.com', phone: null },
      orders_to_redact: [],
      orders_requested: [],
      data_request: { id: 1 },
    });
    const { headers } = world.signedWebhook(signer, topic, body);
    return { expected: 400, send: () => post(headers, body), shown: () => `${topic} ${signer}` };
  });

  const shopTopics = fc.constantFrom(
    'orders/create',
    'orders/updated',
    'refunds/create',
    'customers/update',
    'app/uninstalled',
  );
  await attackKind('shopify.unknownShop', 11, [shopTopics, anyShopName], (topic, name) => {
    const shop = `${name}-nobody.myshopify.com`;
    const { headers } = world.signedWebhook(shop, topic, order);
    return { expected: 404, send: () => post(headers, order), shown: () => shop };
  });
}

// ---------------------------------------------------------------- Salesforce outbound messages

const notification = (orgId: string) => ({
  id: '04l000000000001AAA',
  sObject: 'Order' as const,
  fields: {
    Id: '801000000000001AAA',
    AccountId: null,
    BillToContactId: '003000000000001AAA',
    TotalAmount: '480.00',
    EffectiveDate: '2026-05-30',
    Status: 'Activated',
    LastModifiedDate: '2026-05-30T09:00:00.000Z',
  },
  orgId,
});

function envelope(orgId: string, callbackOrg = orgId): string {
  const n = notification(orgId);
  return outboundMessage({
    orgId,
    actionId: '04k000000000001AAA',
    enterpriseUrl: `https://example.my.salesforce.com/services/Soap/c/62.0/${callbackOrg.slice(0, 15)}`,
    partnerUrl: `https://example.my.salesforce.com/services/Soap/u/62.0/${callbackOrg.slice(0, 15)}`,
    notifications: [{ id: n.id, sObject: n.sObject, fields: n.fields }],
  });
}

const postXml = (body: string | Buffer, query: string) =>
  outbound(
    apiEvent({
      method: 'POST',
      path: '/salesforce/outbound',
      query,
      headers: { 'content-type': 'text/xml; charset=utf-8' },
      body,
    }),
  );

const withToken = (token: string) => `token=${encodeURIComponent(token)}`;
const FIXTURES = new URL('../fixtures/salesforce/', import.meta.url);

async function salesforceAttacks(): Promise<void> {
  const good = envelope(orgC);
  const asC = withToken(tokenC.token);

  const noTokens = fc.constantFrom('', 'token=', 'tok=abc', 'Token=x', 'token', '&&', 'token=&token=');
  await attackKind('salesforce.noToken', 21, [noTokens], (query) => ({
    expected: 401,
    send: () => postXml(good, query),
    shown: () => query,
  }));

  const wrongTokens = fc.oneof(
    fc.string({ minLength: 1, unit: 'grapheme' }),
    fc.base64String({ minLength: 4 }),
    fc.constant(tokenC.hash), // the stored hash is not the token
    fc.constant(`${tokenC.token} `),
    fc.constant(tokenC.token.slice(1)),
  );
  await attackKind('salesforce.wrongToken', 22, [wrongTokens], (token) => {
    fc.pre(token !== tokenC.token && token.trim() !== '');
    return { expected: 403, send: () => postXml(good, withToken(token)), shown: () => token };
  });

  await attackKind('salesforce.otherTenantsToken', 23, [fc.boolean()], (cUsesD) => {
    // Each workspace's token opens only its own org's endpoint.
    const [body, token] = cUsesD ? [good, tokenD.token] : [envelope(orgD), tokenC.token];
    return { expected: 403, send: () => postXml(body, withToken(token)), shown: () => String(cUsesD) };
  });

  const xxe = readFileSync(new URL('xxe.xml', FIXTURES), 'utf8');
  const laughs = readFileSync(new URL('billion-laughs.xml', FIXTURES), 'utf8');
  const declared = fc
    .tuple(
      fc.constantFrom(
        'SYSTEM "file:///etc/passwd"',
        'SYSTEM "http://169.254.169.254/latest/meta-data/"',
        '"&lol;&lol;"',
        'PUBLIC "x" "http://evil.test/x.dtd"',
      ),
      fc.stringMatching(/^[a-z]{1,8}$/),
    )
    .map(([decl, name]) =>
      good
        .replace(
          '<soapenv:Envelope',
          `<!DOCTYPE soapenv:Envelope [<!ENTITY ${name} ${decl}>]>\n<soapenv:Envelope`,
        )
        .replace('480.00', `&${name};`),
    );
  await attackKind(
    'salesforce.entityDeclarations',
    24,
    [fc.oneof(fc.constantFrom(xxe, laughs), declared)],
    (body) => ({
      expected: 400,
      send: () => postXml(body, asC),
      shown: () => body,
    }),
  );

  await attackKind('salesforce.truncatedXml', 25, [fc.nat()], (at) => {
    const body = good.slice(0, at % good.trimEnd().lastIndexOf('>')); // cut before the root closes
    return { expected: 400, send: () => postXml(body, asC), shown: () => body };
  });

  const garbage = fc.oneof(
    fc.string({ unit: 'grapheme' }),
    fc.json(),
    fc.uint8Array({ maxLength: 512 }).map((u) => Buffer.from(u)),
    fc.string({ unit: 'grapheme' }).map((s) => `<?xml version="1.0"?><${s}>`),
  );
  await attackKind('salesforce.garbageBody', 26, [garbage], (body) => ({
    expected: 400,
    send: () => postXml(body, asC),
    shown: () => String(body),
  }));

  // As deep as a body under the size limit can nest (a deeper one is refused by its size, 413).
  const depths = fc.integer({ min: 40, max: Math.floor((MAX_OUTBOUND_BYTES - good.length) / 7) - 1 });
  await attackKind('salesforce.deeplyNestedXml', 27, [depths], (depth) => {
    const nest = `${'<a>'.repeat(depth)}x${'</a>'.repeat(depth)}`;
    const body = good.replace(
      '<sf:TotalAmount>480.00</sf:TotalAmount>',
      `<sf:TotalAmount>${nest}</sf:TotalAmount>`,
    );
    expect(body).not.toBe(good);
    return { expected: 400, send: () => postXml(body, asC), shown: () => `depth ${depth}` };
  });

  for (let i = 0; i < BUDGET.salesforce.oversizeBody; i++) {
    const padding = `<!--${'x'.repeat(MAX_OUTBOUND_BYTES + i * 1000)}-->`;
    const body = good.replace('<soapenv:Body>', `${padding}<soapenv:Body>`);
    await attack(
      'salesforce.oversizeBody',
      413,
      () => postXml(body, asC),
      () => `${body.length} bytes`,
    );
  }

  await attackKind('salesforce.foreignOrg', 28, [fc.stringMatching(/^[0-9A-Za-z]{12}$/)], (tail) => {
    const other = to18(`00D${tail}`);
    fc.pre(other.slice(0, 15) !== orgC.slice(0, 15) && other.slice(0, 15) !== orgD.slice(0, 15));
    // The right workspace token, but another org's message: not this workspace's to take.
    return { expected: 403, send: () => postXml(envelope(other), asC), shown: () => other };
  });

  const otherOrgs = fc.constantFrom(orgD, randomOrgId('9x9'));
  await attackKind('salesforce.foreignCallbackUrl', 29, [otherOrgs], (other) => ({
    expected: 403,
    send: () => postXml(envelope(orgC, other), asC),
    shown: () => other,
  }));
}

// ---------------------------------------------------------------- Dashboard API

/** Session tokens as App Bridge mints them: for this app, for another app, and by someone guessing the secret. */
const minter = new OAuthServer({ apiKey: API_KEY, apiSecret: API_SECRET, now: Date.now });
const otherApp = new OAuthServer({ apiKey: 'another-app', apiSecret: 'another-app-secret', now: Date.now });
const forger = new OAuthServer({ apiKey: API_KEY, apiSecret: 'a-guessed-secret', now: Date.now });
const ROUTES = [
  ['GET', '/api/dashboard'],
  ['GET', '/api/settings'],
  ['PUT', '/api/settings'],
] as const;
const anyRoute = fc.constantFrom(...ROUTES);

const callApi = (route: readonly [string, string], headers: Record<string, string>, body?: string) =>
  world.dashboard(
    apiEvent({ method: route[0], path: route[1], headers, ...(body === undefined ? {} : { body }) }),
  );

/** Settings the dashboard accepts: each tampering case breaks them in one way. */
const validSettings = ACCEPTED_SETTINGS;

/** Fields of the workspace the dashboard may not change, with values that would hijack or break it. */
const FOREIGN_FIELDS: fc.Arbitrary<[string, unknown]> = fc.oneof(
  fc.constant<[string, unknown]>(['shopifyShop', shopB]),
  fc.constant<[string, unknown]>(['tenantId', tenants.b]),
  fc.constant<[string, unknown]>(['salesforceOrgId', orgC]),
  fc.constant<[string, unknown]>(['salesforceOutboundTokenHash', tokenC.hash]),
  fc.constant<[string, unknown]>(['currency', 'USD']),
  fc.tuple(fc.string({ minLength: 1 }), fc.anything()).filter(([k]) => !(k in validSettings)),
);

async function dashboardAttacks(): Promise<void> {
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  const noTokens = fc.constantFrom<Record<string, string>>(
    {},
    { authorization: '' },
    { authorization: 'Bearer' },
    { authorization: 'Bearer ' },
    { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` },
    { cookie: `session=${minter.sessionToken(shopA)}` },
  );
  await attackKind('dashboard.noToken', 31, [anyRoute, noTokens], (route, headers) => ({
    expected: 401,
    send: () => callApi(route, headers),
    shown: () => JSON.stringify(headers),
  }));

  const forgedTokens = fc.oneof(
    fc.string({ minLength: 1 }),
    fc.tuple(fc.base64String(), fc.base64String(), fc.base64String()).map((p) => p.join('.')),
    anyShop.map((shop) => forger.sessionToken(shop)),
    // alg "none", claims for shop A: an unsigned token is no token.
    fc.constant(
      `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(
        JSON.stringify({ dest: `https://${shopA}`, aud: API_KEY, exp: 9_999_999_999 }),
      ).toString('base64url')}.`,
    ),
    // A genuine token with one character of its signature changed.
    anyShop.map((shop) => {
      const t = minter.sessionToken(shop);
      return `${t.slice(0, -2)}${t.at(-2) === 'A' ? 'B' : 'A'}${t.at(-1)}`;
    }),
  );
  await attackKind('dashboard.forgedToken', 32, [anyRoute, forgedTokens], (route, token) => {
    fc.pre(!/[^\x20-\x7e]/.test(token));
    return { expected: 401, send: () => callApi(route, bearer(token)), shown: () => token };
  });

  const ages = fc.integer({ min: 120, max: 10_000_000 });
  await attackKind('dashboard.expiredToken', 33, [anyRoute, anyShop, ages], (route, shop, age) => {
    const token = minter.sessionToken(shop, { expiresInSeconds: -age });
    return { expected: 401, send: () => callApi(route, bearer(token)), shown: () => `${age} s old` };
  });

  await attackKind('dashboard.otherAppToken', 34, [anyRoute, anyShop], (route, shop) => {
    const token = otherApp.sessionToken(shop);
    return { expected: 401, send: () => callApi(route, bearer(token)), shown: () => shop };
  });

  await attackKind('dashboard.notInstalledShop', 35, [anyRoute, anyShopName], (route, name) => {
    // A genuine token of a shop that never installed the app: no workspace to show or change.
    const token = minter.sessionToken(`${name}-nobody.myshopify.com`);
    return { expected: 403, send: () => callApi(route, bearer(token)), shown: () => name };
  });

  const tampered = fc.oneof(
    // Valid settings plus a field that is not the dashboard's to set.
    FOREIGN_FIELDS.map(([k, v]) => JSON.stringify({ ...validSettings, [k]: v })),
    // A setting of the wrong type or out of range.
    fc
      .tuple(
        fc.constantFrom(...(Object.keys(validSettings) as (keyof typeof validSettings)[])),
        fc.oneof(
          fc.string(),
          fc.constant(-1),
          fc.constant(2.5),
          fc.constant(1e9),
          fc.array(fc.integer()),
          fc.constant(null),
        ),
      )
      .map(([k, v]) => JSON.stringify({ ...validSettings, [k]: v })),
    // Tiers out of order, a missing setting, or no JSON object at all.
    fc.constant(
      JSON.stringify({ ...validSettings, tierThresholds: { platinum: 0.5, gold: 0.2, silver: 0.1 } }),
    ),
    fc
      .constantFrom(...Object.keys(validSettings))
      .map((k) => JSON.stringify({ ...validSettings, [k]: undefined })),
    fc.string().filter((t) => {
      try {
        const v: unknown = JSON.parse(t);
        return v === null || typeof v !== 'object';
      } catch {
        return true;
      }
    }),
  );
  await attackKind('dashboard.settingsTampering', 36, [anyShop, tampered], (shop, body) => ({
    expected: 400,
    send: () => callApi(['PUT', '/api/settings'], bearer(minter.sessionToken(shop)), body),
    shown: () => body,
  }));
}

describe('hostile input: 10,000 attacks, each refused with its 4xx; nothing stored changes', () => {
  const before: Record<string, string> = {};

  beforeAll(async () => {
    await putTenant(store, { tenantId: tenants.a, shopifyShop: shopA, currency: 'EUR' });
    await putTenant(store, { tenantId: tenants.b, shopifyShop: shopB, currency: 'EUR' });
    await putTenant(store, {
      tenantId: tenants.c,
      salesforceOrgId: orgC,
      salesforceOutboundTokenHash: tokenC.hash,
      currency: 'USD',
    });
    await putTenant(store, {
      tenantId: tenants.d,
      salesforceOrgId: orgD,
      salesforceOutboundTokenHash: tokenD.hash,
      currency: 'USD',
    });
    // Something to protect in each: the same buyer's order, as both shops and both orgs might hold it.
    const parsed = orderFromWebhook(validOrder, 'EUR')!;
    expect(parsed.orderId).toBe('5820982911946'); // the mutation cases start from a valid order
    for (const [tenantId, currency] of [
      [tenants.a, 'EUR'],
      [tenants.b, 'EUR'],
      [tenants.c, 'USD'],
      [tenants.d, 'USD'],
    ] as const) {
      await ingestOrder(
        store,
        await getTenant(store, tenantId),
        { ...parsed, currency },
        async () => {},
        NOW,
      );
    }
    for (const id of Object.values(tenants)) before[id] = await tenantSnapshot(store, id);
    queued.length = 0;
  });

  afterAll(() => {
    const byKind = Object.fromEntries(
      Object.entries(tally).map(([kind, counts]) => [kind, Object.values(counts).reduce((a, b) => a + b, 0)]),
    );
    recordFigures('hostile-input', {
      cases: Object.values(byKind).reduce((a, b) => a + b, 0),
      byKind,
      statuses: tally,
    });
  });

  it.each([
    {
      surface: 'Shopify webhooks: forged, incomplete, malformed, mistyped, foreign and oversized deliveries',
      attacks: shopifyAttacks,
      kind: 'shopify.',
    },
    {
      surface:
        'Salesforce outbound messages: no or wrong token, entities, truncated, garbage, foreign orgs, oversized',
      attacks: salesforceAttacks,
      kind: 'salesforce.',
    },
    {
      surface:
        'dashboard API: no, forged, expired or foreign session tokens; shops not installed; settings tampering',
      attacks: dashboardAttacks,
      kind: 'dashboard.',
    },
  ])('$surface', { timeout: 300_000 }, async ({ attacks, kind }) => {
    await attacks();
    expect(misses.filter((m) => m.startsWith(kind)).slice(0, 10)).toEqual([]);
  });

  it('tried 10,000 cases; nothing was queued and every attacked workspace is unchanged', async () => {
    const total = Object.values(tally)
      .flatMap((counts) => Object.values(counts))
      .reduce((a, b) => a + b, 0);
    const budget = [
      ...Object.values(BUDGET.shopify),
      ...Object.values(BUDGET.salesforce),
      ...Object.values(BUDGET.dashboard),
    ].reduce((a, b) => a + b, 0);
    expect(budget).toBe(10_000);
    // fast-check counts only runs past their preconditions: each sent exactly one case.
    expect(total).toBe(budget);
    for (const counts of Object.values(tally))
      for (const status of Object.keys(counts).map(Number)) {
        expect(status).toBeGreaterThanOrEqual(400);
        expect(status).toBeLessThan(500);
      }
    expect(queued).toEqual([]);
    expect(refits).toEqual([]);
    for (const id of Object.values(tenants)) expect(await tenantSnapshot(store, id), id).toBe(before[id]);
  });
});
