/**
 * Secrets we must keep (a shop's OAuth tokens), sealed with the AWS Encryption SDK before they reach the
 * table, and opened only under the encryption context they were sealed with.
 *
 * - In AWS the keyring is a KMS keyring on the stack's customer-managed key (`CLV_TOKEN_KMS_KEY_ARN`): the
 *   key policy lets only the roles that read or write tokens use it, so a table read, an index read or a
 *   point-in-time backup holds ciphertext that nothing else can open.
 * - On the embedded stack there is no KMS: a raw AES-256 keyring takes its wrapping key from
 *   `CLV_TOKEN_AES_KEY` (.env).
 *
 * The encryption context is authenticated but not secret: it names what a ciphertext belongs to (tenant,
 * shop). The SDK does not compare it with anything on decrypt ("Encryption context", AWS Encryption SDK
 * Developer Guide, concepts): we do, so a ciphertext copied into another shop's item does not open there.
 *
 * The SDK (with the KMS client) is imported on first use: only the functions that touch tokens load it.
 */
import { BadRequestError, TransientError } from '../errors.ts';

export type EncryptionContext = Record<string, string>;

export interface TokenEnvelope {
  seal(plaintext: string, context: EncryptionContext): Promise<Uint8Array>;
  /** @throws EnvelopeContextError when the ciphertext was sealed for another context. */
  open(ciphertext: Uint8Array, context: EncryptionContext): Promise<string>;
}

/** Neither keyring is configured: the deployment (or .env) is incomplete. Retried, then dead-lettered. */
export class TokenKeyNotConfiguredError extends TransientError {}

/** A ciphertext sealed for another tenant or shop: moved between items, never usable here. */
export class EnvelopeContextError extends BadRequestError {}

/** A session is well under 2 KB; a larger body is not ours and is not decrypted. */
const MAX_PLAINTEXT_BYTES = 64 * 1024;

/** The wrapping key's AES-256 length, in bytes. */
export const AES_KEY_BYTES = 32;

// Names recorded in each raw-AES message's encrypted data key: decrypt finds its key by them.
const RAW_KEY_NAMESPACE = 'clv-sync';
const RAW_KEY_NAME = 'token-key';

export interface TokenEnvelopeSettings {
  kmsKeyArn?: string;
  aesKeyBase64?: string;
}

export function tokenEnvelopeSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): TokenEnvelopeSettings {
  return {
    ...(env.CLV_TOKEN_KMS_KEY_ARN ? { kmsKeyArn: env.CLV_TOKEN_KMS_KEY_ARN } : {}),
    ...(env.CLV_TOKEN_AES_KEY ? { aesKeyBase64: env.CLV_TOKEN_AES_KEY } : {}),
  };
}

function aesKey(base64: string): Uint8Array {
  const key = Buffer.from(base64, 'base64');
  if (key.length !== AES_KEY_BYTES || key.toString('base64') !== base64.trim())
    throw new TokenKeyNotConfiguredError(
      `CLV_TOKEN_AES_KEY must be ${AES_KEY_BYTES} random bytes in base64 (got ${key.length} bytes): ` +
        "generate one with `node -e \"console.log(require('crypto').randomBytes(32).toString('base64'))\"`",
    );
  return new Uint8Array(key);
}

export function createTokenEnvelope(settings: TokenEnvelopeSettings): TokenEnvelope {
  if (!settings.kmsKeyArn && !settings.aesKeyBase64)
    throw new TokenKeyNotConfiguredError(
      'no key for Shopify tokens: in AWS, serverless.yml sets CLV_TOKEN_KMS_KEY_ARN; locally set ' +
        'CLV_TOKEN_AES_KEY in .env (see .env.example)',
    );
  const rawKey = settings.kmsKeyArn ? undefined : aesKey(settings.aesKeyBase64!);
  const sdk = import('@aws-crypto/client-node').then((namespace) => {
    // A CommonJS package: in an ESM bundle esbuild gives its exports as `default` only (as Node does for
    // names its lexer cannot see), so the named exports are read from there when present.
    const m = ((namespace as { default?: unknown }).default ?? namespace) as typeof namespace;
    const keyring = settings.kmsKeyArn
      ? new m.KmsKeyringNode({ generatorKeyId: settings.kmsKeyArn })
      : new m.RawAesKeyringNode({
          keyNamespace: RAW_KEY_NAMESPACE,
          keyName: RAW_KEY_NAME,
          unencryptedMasterKey: rawKey!,
          wrappingSuite: m.RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
        });
    // One keyring, so one encrypted data key per message: refusing more bounds the work a planted
    // ciphertext can cause ("Limiting encrypted data keys", AWS Encryption SDK Developer Guide).
    const client = m.buildClient({
      commitmentPolicy: m.CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT,
      maxEncryptedDataKeys: 1,
    });
    return { m, keyring, client };
  });
  // A failed import is retried on the next call rather than cached for the life of the process.
  void sdk.catch(() => undefined);

  return {
    async seal(plaintext, context) {
      const { m, keyring, client } = await sdk;
      // Unsigned committing suite: the same roles seal and open, so a signature would add an ECDSA key to
      // every message without keeping anyone out.
      const { result } = await client.encrypt(keyring, plaintext, {
        encryptionContext: context,
        suiteId: m.AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY,
      });
      return new Uint8Array(result);
    },
    async open(ciphertext, context) {
      const { keyring, client } = await sdk;
      const { plaintext, messageHeader } = await client.decrypt(keyring, Buffer.from(ciphertext), {
        maxBodySize: MAX_PLAINTEXT_BYTES,
      });
      const sealedFor = messageHeader.encryptionContext;
      const mismatched = Object.keys({ ...sealedFor, ...context }).filter(
        (name) => sealedFor[name] !== context[name],
      );
      if (mismatched.length)
        throw new EnvelopeContextError(
          `a stored token was sealed for another ${mismatched.join(', ')}: it is not used; reinstall the app from the Shopify admin`,
        );
      return plaintext.toString('utf8');
    },
  };
}

let fromEnv: { key: string; envelope: TokenEnvelope } | undefined;

/** The process's envelope, built once from the environment (a changed setting builds a new one). */
export function tokenEnvelope(env: NodeJS.ProcessEnv = process.env): TokenEnvelope {
  const settings = tokenEnvelopeSettingsFromEnv(env);
  const key = `${settings.kmsKeyArn ?? ''}|${settings.aesKeyBase64 ?? ''}`;
  if (fromEnv?.key !== key) fromEnv = { key, envelope: createTokenEnvelope(settings) };
  return fromEnv.envelope;
}
