/**
 * Shopify OAuth sessions in our own table rather than
 * @shopify/shopify-app-session-storage-dynamodb: that package wants a table
 * of its own keyed by session id, outside the tenant; here a session is one
 * more item under `T#tenant`, so deleting a tenant (shop/redact, uninstall)
 * deletes its tokens with everything else, and the tests' DynamoDB Local
 * table covers it. DynamoDB encrypts items at rest; tokens never reach logs.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { Session } from '@shopify/shopify-api';
import { keys } from '../../shared/store/keys.ts';
import type { Store } from '../../shared/store/store.ts';

export const offlineSessionId = (shop: string) => `offline_${shop}`;

export class SessionChangedError extends Error {
  override name = 'SessionChangedError';
}

/**
 * Stores a session. With `replacing`, only if the stored refresh token is
 * still that one: two workers refreshing at once cannot overwrite the newer
 * rotation with an older one.
 */
export async function saveSession(
  store: Store,
  tenantId: string,
  session: Session,
  replacing?: { refreshToken: string | undefined },
): Promise<void> {
  const item = {
    ...keys.shopifySession(tenantId, session.id),
    kind: 'shopify-session',
    shop: session.shop,
    // Dates as ISO strings: Session.fromPropertyArray-style round trip without the library's storage packages.
    session: JSON.parse(JSON.stringify(session.toObject())) as Record<string, unknown>,
    refreshToken: session.refreshToken ?? null,
  };
  try {
    await store.doc.send(
      new PutCommand({
        TableName: store.table,
        Item: item,
        ...(replacing
          ? {
              ConditionExpression: 'refreshToken = :old',
              ExpressionAttributeValues: { ':old': replacing.refreshToken ?? null },
            }
          : {}),
      }),
    );
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException)
      throw new SessionChangedError(`the session of ${session.shop} was refreshed by another worker`);
    throw error;
  }
}

export async function loadSession(
  store: Store,
  tenantId: string,
  sessionId: string,
): Promise<Session | null> {
  const { pk, sk } = keys.shopifySession(tenantId, sessionId);
  const out = await store.doc.send(
    new GetCommand({ TableName: store.table, Key: { pk, sk }, ConsistentRead: true }),
  );
  if (!out.Item) return null;
  const raw = out.Item.session as Record<string, unknown>;
  return new Session({
    ...(raw as unknown as ConstructorParameters<typeof Session>[0]),
    ...(raw.expires ? { expires: new Date(String(raw.expires)) } : {}),
    ...(raw.refreshTokenExpires ? { refreshTokenExpires: new Date(String(raw.refreshTokenExpires)) } : {}),
  });
}

export async function deleteSession(store: Store, tenantId: string, sessionId: string): Promise<void> {
  const { pk, sk } = keys.shopifySession(tenantId, sessionId);
  await store.doc.send(new DeleteCommand({ TableName: store.table, Key: { pk, sk } }));
}
