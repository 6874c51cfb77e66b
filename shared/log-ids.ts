/**
 * How logs name a customer. Our customer ids are SHA-256 of an identity
 * (`email:ana@example.com`, identities.ts), so anyone holding a log line and a
 * candidate email could tell whether that person is in it, long after a
 * redaction deleted them. Logs therefore carry an HMAC-SHA256 of the id under
 * a per-deployment secret key (`CLV_LOG_KEY`, read like the other secrets:
 * the variable, or the SSM parameter `CLV_LOG_KEY_PARAMETER` names). Within a
 * deployment one customer always gets the same log id, so lines can still be
 * followed; without the key no one can get from an email to a log id. Rotating
 * the key (or deleting it) makes every earlier log id unlinkable.
 *
 * Where no key is configured (tests, a local .env made before this setting),
 * a random key per process is used: ids stay unlinkable, only consistent
 * within that process.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { SecretSettingsOptions } from './config/secret-settings.ts';
import { requiredSecret } from './config/secret-settings.ts';

export const LOG_KEY_SETTING = 'CLV_LOG_KEY';

export interface LogIds {
  /** A customer id (`c…`) as logs name it. */
  customer(customerId: string): string;
  /** An identity key (`email:…`, `shopify:…`) as logs name it: its kind, and a keyed id of the rest. */
  identity(identityKey: string): string;
}

/** Log ids under `key`: 16 bytes of HMAC-SHA256, hex, prefixed `l`. */
export function logIdsWith(key: string | Buffer): LogIds {
  const mac = (domain: string, value: string) =>
    `l${createHmac('sha256', key).update(`${domain}\u0000${value}`).digest('hex').slice(0, 32)}`;
  return {
    customer: (customerId) => mac('customer', customerId),
    identity: (identityKey) => {
      const kind = identityKey.slice(0, Math.max(0, identityKey.indexOf(':'))) || 'identity';
      return `${kind} ${mac('identity', identityKey)}`;
    },
  };
}

let active: LogIds | undefined;

/** The deployment's log ids: those loadLogKey set up, else a random key's (see above). */
export function logIds(): LogIds {
  return (active ??= logIdsWith(process.env[LOG_KEY_SETTING] || randomBytes(32)));
}

/** A customer id as logs name it. */
export const logCustomerId = (customerId: string): string => logIds().customer(customerId);

/**
 * Reads the deployment's key, once per cold start (a handler's lazy build): a configured parameter that
 * cannot be read fails the build, as other secrets do; none configured keeps the random key.
 */
export async function loadLogKey(options: SecretSettingsOptions = {}): Promise<LogIds> {
  const env = options.env ?? process.env;
  const configured = env[LOG_KEY_SETTING] || env[`${LOG_KEY_SETTING}_PARAMETER`];
  const key = configured ? await requiredSecret(LOG_KEY_SETTING, options) : undefined;
  active = key ? logIdsWith(key) : logIds();
  return active;
}
