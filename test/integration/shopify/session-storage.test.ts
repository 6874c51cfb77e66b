/**
 * Shopify sessions at rest (issue 15, item 12): the access and refresh tokens are sealed with the AWS
 * Encryption SDK (raw AES keyring, as on the embedded stack), so no item and no index entry holds them in
 * the clear; a sealed session opens only for the tenant, shop and session it was sealed for; a session an
 * earlier version stored in the clear is sealed on first read; and no token reaches the logs on the install
 * and refresh paths. DynamoDB Local and the Shopify sandbox; production code unchanged.
 */
import { randomBytes } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { Session } from '@shopify/shopify-api';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createShopifyAuthHandler } from '../../../functions/shopify-auth.ts';
import { adminClient } from '../../../integrations/shopify/admin-client.ts';
import { SHOP_INFO } from '../../../integrations/shopify/operations.ts';
import { offlineSession, REFRESH_BEFORE_EXPIRY_MS } from '../../../integrations/shopify/access-token.ts';
import {
  deleteSession,
  loadSession,
  offlineSessionId,
  saveSession,
  SessionChangedError,
} from '../../../integrations/shopify/session-storage.ts';
import { createShopifyApp } from '../../../integrations/shopify/shopify-app.ts';
import {
  createTokenEnvelope,
  EnvelopeContextError,
  TokenKeyNotConfiguredError,
} from '../../../shared/crypto/token-envelope.ts';
import { deleteTenant } from '../../../shared/store/deletion.ts';
import { queryAll } from '../../../shared/store/query.ts';
import { installRequest } from '../../worlds/shopify.ts';
import { scanAll, tenantName, testStore } from '../../helpers/dynamo.ts';
import type { ShopifySandbox } from '../../../sandbox/shopify/index.ts';
import { startShopifySandbox } from '../../../sandbox/shopify/index.ts';

const store = testStore();

/** Every string an item holds, binary attributes read as bytes: where a token in the clear would show. */
const itemText = (item: unknown): string =>
  JSON.stringify(item, (_key, value: unknown) => {
    if (value instanceof Uint8Array) return Buffer.from(value).toString('latin1');
    if (value instanceof Set) return [...(value as Set<unknown>)];
    return value;
  });

const tokens = () => ({
  accessToken: `shpat_${randomBytes(16).toString('hex')}`,
  refreshToken: `shprt_${randomBytes(16).toString('hex')}`,
});

function sessionOf(shop: string, t = tokens()): Session {
  return new Session({
    id: offlineSessionId(shop),
    shop,
    state: '',
    isOnline: false,
    scope: 'read_orders,read_customers',
    expires: new Date(Date.now() + 3_600_000),
    refreshTokenExpires: new Date(Date.now() + 30 * 86_400_000),
    ...t,
  });
}

describe('Shopify sessions at rest', () => {
  it('stores no token in the clear anywhere in the table, and none in the gsi1 index', async () => {
    const tenantId = tenantName('sealed');
    const shop = `${tenantId}.myshopify.com`;
    const t = tokens();
    const session = sessionOf(shop, t);
    await saveSession(store, tenantId, session);

    const everything = (await scanAll(store)).map(itemText).join('\n');
    expect(everything).not.toContain(t.accessToken);
    expect(everything).not.toContain(t.refreshToken);
    const indexed = await queryAll(store, {
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :t',
      ExpressionAttributeValues: { ':t': `T#${tenantId}` },
    });
    expect(indexed.filter((i) => i.kind === 'shopify-session')).toEqual([]);

    const loaded = await loadSession(store, tenantId, offlineSessionId(shop));
    expect(loaded).toMatchObject({ shop, ...t });
    expect(loaded?.expires?.toISOString()).toBe(session.expires?.toISOString());
  });

  it("refuses a sealed session moved into another tenant's item, and one sealed under another key", async () => {
    const victim = tenantName('victim');
    const thief = tenantName('thief');
    const shop = `${victim}.myshopify.com`;
    await saveSession(store, victim, sessionOf(shop));
    const key = (tenantId: string) => ({
      pk: `T#${tenantId}#SHOPIFY`,
      sk: `SESSION#${offlineSessionId(shop)}`,
    });
    const { Item } = await store.doc.send(new GetCommand({ TableName: store.table, Key: key(victim) }));
    await store.doc.send(new PutCommand({ TableName: store.table, Item: { ...Item, ...key(thief) } }));

    await expect(loadSession(store, thief, offlineSessionId(shop))).rejects.toThrow(EnvelopeContextError);
    // The rightful owner still opens it; another wrapping key opens nothing.
    expect(await loadSession(store, victim, offlineSessionId(shop))).not.toBeNull();
    const otherKey = createTokenEnvelope({ aesKeyBase64: randomBytes(32).toString('base64') });
    await expect(
      loadSession(store, victim, offlineSessionId(shop), { envelope: otherKey }),
    ).rejects.toThrow();
  });

  it('refuses to seal without a key, naming the setting; a short key is refused too', () => {
    expect(() => createTokenEnvelope({})).toThrow(TokenKeyNotConfiguredError);
    expect(() => createTokenEnvelope({})).toThrow(/CLV_TOKEN_AES_KEY/);
    expect(() => createTokenEnvelope({ aesKeyBase64: randomBytes(16).toString('base64') })).toThrow(
      /32 random bytes/,
    );
  });

  it('seals a session stored in the clear by an earlier version on first read, dropping its index copy', async () => {
    const tenantId = tenantName('legacy');
    const shop = `${tenantId}.myshopify.com`;
    const t = tokens();
    const session = sessionOf(shop, t);
    // The item as main stored it before sealing: the session object in the clear, keyed into gsi1.
    await store.doc.send(
      new PutCommand({
        TableName: store.table,
        Item: {
          pk: `T#${tenantId}#SHOPIFY`,
          sk: `SESSION#${session.id}`,
          gsi1pk: `T#${tenantId}`,
          gsi1sk: `SHOPIFY#SESSION#${session.id}`,
          kind: 'shopify-session',
          shop,
          session: JSON.parse(JSON.stringify(session.toObject())) as Record<string, unknown>,
          refreshToken: t.refreshToken,
        },
      }),
    );

    expect(await loadSession(store, tenantId, session.id)).toMatchObject(t);
    const everything = (await scanAll(store)).map(itemText).join('\n');
    expect(everything).not.toContain(t.accessToken);
    expect(everything).not.toContain(t.refreshToken);
    const { Item } = await store.doc.send(
      new GetCommand({
        TableName: store.table,
        Key: { pk: `T#${tenantId}#SHOPIFY`, sk: `SESSION#${session.id}` },
      }),
    );
    expect(Item?.gsi1pk).toBeUndefined();
    expect(await loadSession(store, tenantId, session.id)).toMatchObject(t);
  });

  it('replaces a session only while the stored refresh token is the one replaced', async () => {
    const tenantId = tenantName('rotate');
    const shop = `${tenantId}.myshopify.com`;
    const first = tokens();
    await saveSession(store, tenantId, sessionOf(shop, first));
    const second = tokens();
    await saveSession(store, tenantId, sessionOf(shop, second), { refreshToken: first.refreshToken });
    await expect(
      saveSession(store, tenantId, sessionOf(shop), { refreshToken: first.refreshToken }),
    ).rejects.toThrow(SessionChangedError);
    expect(await loadSession(store, tenantId, offlineSessionId(shop))).toMatchObject(second);
  });

  it('deletes the sessions with the tenant, and on uninstall', async () => {
    const tenantId = tenantName('gone');
    const shop = `${tenantId}.myshopify.com`;
    await saveSession(store, tenantId, sessionOf(shop));
    await deleteTenant(store, tenantId);
    expect(await loadSession(store, tenantId, offlineSessionId(shop))).toBeNull();
    await saveSession(store, tenantId, sessionOf(shop));
    await deleteSession(store, tenantId, offlineSessionId(shop));
    expect(await loadSession(store, tenantId, offlineSessionId(shop))).toBeNull();
  });
});

describe('Shopify tokens never reach the logs', () => {
  const API_KEY = 'sessions-api-key';
  const API_SECRET = 'sessions-api-secret-not-a-real-one';
  const shop = `logs-${Math.random().toString(36).slice(2, 8)}.myshopify.com`;
  let sandbox: ShopifySandbox;
  const output: string[] = [];

  beforeAll(async () => {
    sandbox = await startShopifySandbox({ apiKey: API_KEY, apiSecret: API_SECRET });
    sandbox.addShop(shop, { currencyCode: 'USD' });
  });
  afterAll(() => sandbox?.stop());
  afterEach(() => vi.restoreAllMocks());

  it('installs, refreshes and fails a refresh at DEBUG with no access or refresh token in any log line', async () => {
    const capture = (chunk: unknown) => {
      output.push(String(chunk));
      return true;
    };
    vi.spyOn(process.stdout, 'write').mockImplementation(capture);
    vi.spyOn(process.stderr, 'write').mockImplementation(capture);
    const logger = new Logger({ serviceName: 'clv-test', logLevel: 'DEBUG' });
    const shopify = createShopifyApp({
      apiKey: API_KEY,
      apiSecret: API_SECRET,
      appUrl: 'https://app.clv-sync.test',
      adminOrigin: sandbox.origin,
    });
    const auth = createShopifyAuthHandler({ shopify, store, logger, requestBackfill: async () => undefined });
    const res = await auth(installRequest(sandbox.sessionToken(shop)));
    expect(res.statusCode).toBe(200);
    const { tenantId } = JSON.parse(String(res.body)) as { tenantId: string };
    const first = await offlineSession(shopify, store, tenantId, shop);
    const nearExpiry = first.expires!.getTime() - REFRESH_BEFORE_EXPIRY_MS + 1000;
    const fresh = await offlineSession(shopify, store, tenantId, shop, nearExpiry);
    // A spent refresh token (spent once the new access token is used): the refresh fails, and its error
    // names no token either.
    await adminClient(shopify, fresh).request(SHOP_INFO);
    await saveSession(store, tenantId, first);
    const failure = await offlineSession(shopify, store, tenantId, shop, nearExpiry).catch((e: Error) => e);
    expect(failure).toBeInstanceOf(Error);
    output.push(String((failure as Error).message));
    logger.error('refresh failed', failure as Error);
    vi.restoreAllMocks();

    const secrets = [first.accessToken, first.refreshToken, fresh.accessToken, fresh.refreshToken];
    expect(secrets.every((s) => typeof s === 'string' && s.length > 8)).toBe(true);
    const logs = output.join('');
    expect(logs.length).toBeGreaterThan(0);
    for (const secret of secrets) expect(logs).not.toContain(secret);
    const stored = (await scanAll(store)).map(itemText).join('\n');
    for (const secret of secrets) expect(stored).not.toContain(secret);
  });
});
