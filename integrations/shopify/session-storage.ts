/**
 * Shopify OAuth sessions in our own table rather than
 * @shopify/shopify-app-session-storage-dynamodb: that package wants a table
 * of its own keyed by session id, outside the tenant; here a session is one
 * more item under `T#tenant`, deleted with the tenant (shop/redact,
 * uninstall), and the tests' DynamoDB Local table covers it.
 *
 * The session (access and refresh tokens) is stored sealed
 * (shared/crypto/token-envelope.ts) under an encryption context naming the
 * tenant, the shop and the session, and its item has no gsi1 keys, so the
 * index (which projects every attribute) holds no copy. A session stored in
 * the clear by an earlier version is sealed again the first time it is read.
 */
import { TransientError } from '../../shared/errors.ts';
import { createHash } from 'node:crypto';
import { Session } from '@shopify/shopify-api';
import type { EncryptionContext, TokenEnvelope } from '../../shared/crypto/token-envelope.ts';
import { tokenEnvelope } from '../../shared/crypto/token-envelope.ts';
import type { SessionCondition } from '../../shared/store/sessions.ts';
import type { Store } from '../../shared/store/store.ts';
import { tenantStore } from '../../shared/store/tenant-store.ts';

export { deleteSession, offlineSessionId } from './session-ids.ts';

export class SessionChangedError extends TransientError {
  override name = 'SessionChangedError';
}

/** The item's format: `sealed` holds the session, encrypted. Items without it are the old plaintext ones. */
const SEALED_FORMAT = 'sealed-v1';

export interface SessionStorageOptions {
  /** By default the process's envelope, from CLV_TOKEN_KMS_KEY_ARN or CLV_TOKEN_AES_KEY. */
  envelope?: TokenEnvelope;
}

const sessionContext = (tenantId: string, shop: string, sessionId: string): EncryptionContext => ({
  purpose: 'shopify-session',
  tenant: tenantId,
  shop,
  session: sessionId,
});

/**
 * What the refresh condition compares: a digest, so the refresh token is not stored in the clear beside its
 * ciphertext. Shopify's refresh tokens are random and long, so a plain SHA-256 cannot be reversed by guessing.
 */
const refreshTokenDigest = (refreshToken: string | undefined) =>
  refreshToken ? createHash('sha256').update(refreshToken).digest('base64url') : null;

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
  options: SessionStorageOptions = {},
): Promise<void> {
  const envelope = options.envelope ?? tokenEnvelope();
  await putSealed(
    store,
    tenantId,
    session,
    envelope,
    replacing
      ? {
          ConditionExpression: 'refreshTokenDigest = :old',
          ExpressionAttributeValues: { ':old': refreshTokenDigest(replacing.refreshToken) },
        }
      : {},
  );
}

async function putSealed(
  store: Store,
  tenantId: string,
  session: Session,
  envelope: TokenEnvelope,
  condition: SessionCondition,
): Promise<void> {
  // Dates as ISO strings: Session.fromPropertyArray-style round trip without the library's storage packages.
  const plaintext = JSON.stringify(session.toObject());
  const item = {
    kind: 'shopify-session',
    format: SEALED_FORMAT,
    shop: session.shop,
    sealed: await envelope.seal(plaintext, sessionContext(tenantId, session.shop, session.id)),
    refreshTokenDigest: refreshTokenDigest(session.refreshToken),
  };
  if (!(await tenantStore(store, tenantId).sessions.put(session.id, item, condition)))
    throw new SessionChangedError(`the session of ${session.shop} was refreshed by another worker`);
}

function sessionFrom(raw: Record<string, unknown>): Session {
  return new Session({
    ...(raw as unknown as ConstructorParameters<typeof Session>[0]),
    ...(raw.expires ? { expires: new Date(String(raw.expires)) } : {}),
    ...(raw.refreshTokenExpires ? { refreshTokenExpires: new Date(String(raw.refreshTokenExpires)) } : {}),
  });
}

export async function loadSession(
  store: Store,
  tenantId: string,
  sessionId: string,
  { envelope = tokenEnvelope() }: SessionStorageOptions = {},
): Promise<Session | null> {
  const stored = await tenantStore(store, tenantId).sessions.get(sessionId);
  if (!stored) return null;
  if (stored.format === SEALED_FORMAT) {
    const plaintext = await envelope.open(
      stored.sealed as Uint8Array,
      sessionContext(tenantId, String(stored.shop), sessionId),
    );
    return sessionFrom(JSON.parse(plaintext) as Record<string, unknown>);
  }
  // Stored in the clear (and copied into gsi1) before tokens were sealed: seal it now. The put replaces the
  // whole item, which drops the plaintext and, with the gsi1 keys, the index copy. Unless a concurrent
  // reader or a refresh got there first: then theirs is the session.
  const session = sessionFrom(stored.session as Record<string, unknown>);
  try {
    await putSealed(store, tenantId, session, envelope, {
      ConditionExpression: 'attribute_not_exists(sealed)',
    });
  } catch (error) {
    if (error instanceof SessionChangedError) return loadSession(store, tenantId, sessionId, { envelope });
    throw error;
  }
  return session;
}
