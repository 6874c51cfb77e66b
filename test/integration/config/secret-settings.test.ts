// Secrets: the plain variable wins (tests, local stack); else the SSM SecureString parameter its
// <NAME>_PARAMETER names, read with Powertools Parameters and the real SSM client against a loopback server
// speaking SSM's JSON protocol (sandbox/ssm), decrypted and cached.
import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  optionalSecret,
  requiredSecret,
  SecretNotConfiguredError,
  SecretUnreadableError,
} from '../../../shared/config/secret-settings.ts';
import { shopifySettingsFromEnv } from '../../../integrations/shopify/shopify-app.ts';
import { secretsFromEnv } from '../../../integrations/salesforce/secrets.ts';
import { lazy } from '../../../functions/runtime/lazy.ts';
import type { SsmSandbox } from '../../../sandbox/ssm/index.ts';
import { startSsmSandbox } from '../../../sandbox/ssm/index.ts';

let sandbox: SsmSandbox;
let provider: SSMProvider;
const ssm = () => Promise.resolve(provider);

beforeAll(async () => {
  sandbox = await startSsmSandbox();
});
afterAll(() => sandbox.close());
beforeEach(() => {
  sandbox.requests.length = 0;
  sandbox.parameters.clear();
  sandbox.denied.clear();
  // A provider per test: each starts with an empty cache, as a cold function does.
  provider = new SSMProvider({
    clientConfig: {
      endpoint: sandbox.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDSANDBOX', secretAccessKey: 'sandbox' },
    },
  });
});

describe('a secret setting', () => {
  it('is the plain variable when set, without asking SSM even when a parameter is named', async () => {
    sandbox.parameters.set('/clv-sync/t/shopify-api-secret', 'from-ssm');
    const env = {
      SHOPIFY_API_SECRET: 'from-env',
      SHOPIFY_API_SECRET_PARAMETER: '/clv-sync/t/shopify-api-secret',
    };
    expect(await requiredSecret('SHOPIFY_API_SECRET', { env, ssm })).toBe('from-env');
    expect(sandbox.requests).toEqual([]);
  });

  it('is read from the named SecureString parameter, decrypted, and cached across invocations', async () => {
    sandbox.parameters.set('/clv-sync/t/shopify-api-secret', 'shpss_0123456789');
    const env = { SHOPIFY_API_SECRET_PARAMETER: '/clv-sync/t/shopify-api-secret' };
    expect(await requiredSecret('SHOPIFY_API_SECRET', { env, ssm })).toBe('shpss_0123456789');
    expect(await requiredSecret('SHOPIFY_API_SECRET', { env, ssm })).toBe('shpss_0123456789');
    expect(sandbox.requests).toEqual([
      {
        target: 'AmazonSSM.GetParameter',
        name: '/clv-sync/t/shopify-api-secret',
        withDecryption: true,
      },
    ]);
  });

  it('configured nowhere is a SecretNotConfiguredError naming both ways to set it', async () => {
    const error = await requiredSecret('SHOPIFY_API_SECRET', { env: {}, ssm }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SecretNotConfiguredError);
    expect((error as Error).message).toMatch(/SHOPIFY_API_SECRET is not set/);
    expect((error as Error).message).toMatch(/SHOPIFY_API_SECRET_PARAMETER/);
    expect(sandbox.requests).toEqual([]);
  });

  it('naming a parameter that does not exist says how to create it', async () => {
    const env = { SHOPIFY_API_SECRET_PARAMETER: '/clv-sync/t/missing' };
    const error = await requiredSecret('SHOPIFY_API_SECRET', { env, ssm }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SecretNotConfiguredError);
    expect((error as Error).message).toContain(
      'aws ssm put-parameter --type SecureString --name /clv-sync/t/missing',
    );
    expect(await optionalSecret('SHOPIFY_API_SECRET', { env, ssm })).toBeUndefined();
    expect(sandbox.requests.map((r) => r.name)).toEqual(['/clv-sync/t/missing', '/clv-sync/t/missing']);
  });

  it('a parameter the role may not read is a SecretUnreadableError pointing at the grant', async () => {
    sandbox.parameters.set('/clv-sync/t/shopify-api-secret', 'x');
    sandbox.denied.add('/clv-sync/t/shopify-api-secret');
    const env = { SHOPIFY_API_SECRET_PARAMETER: '/clv-sync/t/shopify-api-secret' };
    const error = await requiredSecret('SHOPIFY_API_SECRET', { env, ssm }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SecretUnreadableError);
    expect((error as Error).message).toMatch(/AccessDeniedException/);
    expect((error as Error).message).toMatch(/ssm:GetParameter/);
  });
});

describe('the integrations read their secrets the same way', () => {
  it('the Shopify settings take the app secret from SSM and the public settings from the environment', async () => {
    sandbox.parameters.set('/clv-sync/t/shopify-api-secret', 'shpss_from_ssm');
    const settings = await shopifySettingsFromEnv({
      env: {
        SHOPIFY_API_KEY: 'client-id',
        SHOPIFY_APP_URL: 'https://api.example.com',
        SHOPIFY_API_SECRET_PARAMETER: '/clv-sync/t/shopify-api-secret',
      },
      ssm,
    });
    expect(settings).toEqual({
      apiKey: 'client-id',
      apiSecret: 'shpss_from_ssm',
      appUrl: 'https://api.example.com',
      adminOrigin: undefined,
    });
  });

  it("Salesforce's key comes from SSM with its newlines; a flow's missing secret is left undefined", async () => {
    sandbox.parameters.set(
      '/clv-sync/t/salesforce-private-key',
      '-----BEGIN KEY-----\\nabc\\n-----END KEY-----',
    );
    const source = secretsFromEnv({
      env: {
        SALESFORCE_PRIVATE_KEY_PARAMETER: '/clv-sync/t/salesforce-private-key',
        SALESFORCE_CLIENT_SECRET_PARAMETER: '/clv-sync/t/salesforce-client-secret',
      },
      ssm,
    });
    expect(await source('tenant-a')).toEqual({
      clientSecret: undefined,
      privateKey: '-----BEGIN KEY-----\nabc\n-----END KEY-----',
    });
  });
});

describe('a lazily built handler', () => {
  it('builds again after a failed build, then keeps the built one', async () => {
    let builds = 0;
    const handler = lazy(async () => {
      builds++;
      if (builds === 1) throw new Error('SSM throttled');
      return (n: number) => n * 2;
    });
    await expect(handler(1)).rejects.toThrow('SSM throttled');
    expect(await handler(2)).toBe(4);
    expect(await handler(3)).toBe(6);
    expect(builds).toBe(2);
  });
});
