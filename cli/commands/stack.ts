/**
 * What the operations commands (backfill, refit, report, customer) share: the settings of a running
 * stack (CLV_TABLE, CLV_DYNAMODB_ENDPOINT, the queue URLs) from the environment or `.env`, the
 * store, and the tenant a command names. Missing settings and unknown tenants are the operator's to
 * fix, so they are UsageErrors (exit 2) with one line saying what to do.
 */
import { existsSync } from 'node:fs';
import { applyEnvFile } from '../../shared/config/env-file.ts';
import type { Store } from '../../shared/store/store.ts';
import { storeFromEnv } from '../../shared/store/store.ts';
import type { TenantSettings } from '../../shared/store/tenants.ts';
import { getTenant, TenantNotFoundError } from '../../shared/store/tenants.ts';
import type { Values } from '../options.ts';
import { stringOption } from '../options.ts';
import { UsageError } from '../usage-error.ts';

/** What a test (or the local stack) hands the commands instead of the process's own. */
export interface OperationsDeps {
  env?: NodeJS.ProcessEnv;
  /** Sends a backfill request; SQS on CLV_BACKFILL_QUEUE_URL when absent. */
  sendBackfill?: (message: { tenantId: string; source: 'shopify' | 'salesforce' }) => Promise<void>;
  /** Sends a write-back flush request; SQS on CLV_WRITEBACK_QUEUE_URL when absent. */
  sendWriteback?: (message: { tenantId: string; target: 'shopify' | 'salesforce' }) => Promise<void>;
  now?: () => number;
}

export class MissingSettingError extends UsageError {
  override name = 'MissingSettingError';
}

export class UnknownRecordError extends UsageError {
  override name = 'UnknownRecordError';
}

/**
 * `.env` in the working directory, when there is one, under the variables already set (a shell's
 * `CLV_TABLE=… clv report` wins over the file); an empty value means unset, as for `npm start`.
 */
export function loadDotEnv(file = '.env'): void {
  if (existsSync(file)) applyEnvFile(file);
}

export function requireSetting(env: NodeJS.ProcessEnv, name: string, what: string): string {
  const value = env[name];
  if (!value)
    throw new MissingSettingError(`${name} is not set: set it to ${what} (in the environment or .env)`);
  return value;
}

export function stackStore(env: NodeJS.ProcessEnv): Store {
  requireSetting(
    env,
    'CLV_TABLE',
    "the stack's DynamoDB table (with CLV_DYNAMODB_ENDPOINT for DynamoDB Local)",
  );
  return storeFromEnv(env);
}

export function requiredOption(values: Values, name: string, command: string, example: string): string {
  const value = stringOption(values, name);
  if (!value) throw new UsageError(`${command} needs --${name} ${example}`);
  return value;
}

export async function namedTenant(store: Store, tenantId: string): Promise<TenantSettings> {
  try {
    return await getTenant(store, tenantId);
  } catch (error) {
    if (error instanceof TenantNotFoundError)
      throw new UnknownRecordError(
        `no workspace "${tenantId}" in table ${store.table}: check --tenant (shops' workspaces are named shopify-<shop>)`,
      );
    throw error;
  }
}
