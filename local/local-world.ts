/**
 * Everything `npm start` and `npm run demo` run on this machine: the Shopify and Salesforce sandboxes
 * (our stand-ins for the real services, speaking their wire protocols), then the embedded stack pointed at
 * them, then the demo tenant: the shop `demo.myshopify.com` installed through the stack's own install route
 * (a token exchange with the Shopify sandbox), and the Salesforce org linked, with the CLV fields and the
 * outbound-message endpoint deployed by the production setup code.
 *
 * Without sandboxes (CLV_LOCAL_SANDBOXES=false) the tenant is only recorded: webhooks signed with the local
 * SHOPIFY_API_SECRET are accepted and scored, and write-backs fail (then dead-letter) for want of an
 * installed shop, as they would in AWS.
 */
import { deploySalesforceSetup } from '../integrations/salesforce/setup.ts';
import { salesforceConnection } from '../integrations/salesforce/connection.ts';
import { LOOPBACK_LOGIN_SETTING } from '../integrations/salesforce/login-hosts.ts';
import { issueOutboundToken, OUTBOUND_TOKEN_PARAM } from '../integrations/salesforce/outbound-token.ts';
import { storeFromEnv, type Store } from '../shared/store/store.ts';
import { putTenant, type TenantSettings } from '../shared/store/tenants.ts';
import type { SalesforceSandbox } from '../sandbox/salesforce/index.ts';
import { startSalesforceSandbox } from '../sandbox/salesforce/index.ts';
import type { ShopifySandbox } from '../sandbox/shopify/index.ts';
import { startShopifySandbox } from '../sandbox/shopify/index.ts';
import { startLocalStack, type LocalStack, type LocalStackOptions } from './stack.ts';

export class LocalSettingError extends Error {
  override name = 'LocalSettingError';
}

export interface DemoSettings {
  tenantId: string;
  shop: string;
  orgId: string;
  currency: string;
  shopifyApiKey: string;
  shopifyApiSecret: string;
  salesforceClientId: string;
  salesforceClientSecret: string;
  sandboxes: boolean;
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new LocalSettingError(`${name} is not set: copy it from .env.example into .env`);
  return value;
}

export function demoSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): DemoSettings {
  return {
    tenantId: required(env, 'CLV_DEMO_TENANT'),
    shop: required(env, 'CLV_DEMO_SHOP'),
    orgId: required(env, 'CLV_DEMO_SALESFORCE_ORG_ID'),
    currency: env.CLV_DEMO_CURRENCY || 'USD',
    shopifyApiKey: required(env, 'SHOPIFY_API_KEY'),
    shopifyApiSecret: required(env, 'SHOPIFY_API_SECRET'),
    salesforceClientId: env.CLV_DEMO_SALESFORCE_CLIENT_ID || 'clv-sync-local',
    salesforceClientSecret: env.SALESFORCE_CLIENT_SECRET || '',
    sandboxes: env.CLV_LOCAL_SANDBOXES !== 'false',
  };
}

export interface LocalWorld {
  stack: LocalStack;
  store: Store;
  tenant: TenantSettings;
  settings: DemoSettings;
  shopify: ShopifySandbox | null;
  salesforce: SalesforceSandbox | null;
  /** Where the org's outbound messages go, with the workspace's secret token (as `clv salesforce link` prints it). */
  outboundUrl: string;
  stop(): Promise<void>;
}

export interface LocalWorldOptions extends LocalStackOptions {
  /** Fills the sandboxes before the stack starts and the demo tenant installs (the shop's and org's past). */
  seed?: (sandboxes: { shopify: ShopifySandbox; salesforce: SalesforceSandbox }) => void;
}

export async function startLocalWorld(
  settings: DemoSettings,
  options: LocalWorldOptions = {},
): Promise<LocalWorld> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const s of stops.splice(0).reverse()) await s().catch(() => undefined);
  };
  try {
    let shopify: ShopifySandbox | null = null;
    let salesforce: SalesforceSandbox | null = null;
    if (settings.sandboxes) {
      if (!settings.salesforceClientSecret)
        throw new LocalSettingError(
          'SALESFORCE_CLIENT_SECRET is not set: copy it from .env.example into .env',
        );
      shopify = await startShopifySandbox({
        apiKey: settings.shopifyApiKey,
        apiSecret: settings.shopifyApiSecret,
      });
      stops.push(() => shopify!.stop());
      shopify.addShop(settings.shop, { currencyCode: settings.currency, name: 'Demo shop' });
      salesforce = await startSalesforceSandbox({
        orgId: settings.orgId,
        clientId: settings.salesforceClientId,
        clientSecret: settings.salesforceClientSecret,
      });
      stops.push(() => salesforce!.stop());
      // Its login URL is http://127.0.0.1:PORT: allowed for this stack's functions and commands only.
      process.env[LOOPBACK_LOGIN_SETTING] = 'true';
      options.seed?.({ shopify, salesforce });
      // The functions reach the sandboxes instead of https://{shop} (integrations/shopify/transport.ts).
      process.env.SHOPIFY_ADMIN_ORIGIN = shopify.origin;
    }
    // The functions (serverless-offline passes this environment on) sign and log in with these.
    process.env.SHOPIFY_API_KEY = settings.shopifyApiKey;
    process.env.SHOPIFY_API_SECRET = settings.shopifyApiSecret;
    if (settings.salesforceClientSecret)
      process.env.SALESFORCE_CLIENT_SECRET = settings.salesforceClientSecret;
    process.env.SHOPIFY_APP_URL ||= `http://localhost:${options.httpPort ?? process.env.CLV_LOCAL_HTTP_PORT ?? 3000}`;

    const stack = await startLocalStack({ ...options, log });
    stops.push(() => stack.stop());
    const store = storeFromEnv();
    // A fresh outbound token each start, as `clv salesforce link` issues one: only its hash is stored.
    const outbound = issueOutboundToken();
    const outboundUrl = `${stack.url}/salesforce/outbound?${OUTBOUND_TOKEN_PARAM}=${outbound.token}`;
    const tenant = await putTenant(store, {
      salesforceOutboundTokenHash: outbound.hash,
      tenantId: settings.tenantId,
      shopifyShop: settings.shop,
      salesforceOrgId: settings.orgId,
      currency: settings.currency,
      ...(salesforce
        ? {
            salesforce: {
              loginUrl: salesforce.loginUrl,
              clientId: settings.salesforceClientId,
              flow: 'client-credentials' as const,
              apiVersion: salesforce.apiVersion,
            },
          }
        : {}),
    });

    if (shopify) {
      // The install an admin makes when opening the app: a session token exchanged for an offline token.
      const response = await fetch(`${stack.url}/shopify/install`, {
        method: 'POST',
        headers: { authorization: `Bearer ${shopify.sessionToken(settings.shop)}` },
      });
      const answer = await response.text();
      // A function that throws answers 500 here as in AWS (local/offline-function-errors.ts).
      if (!response.ok)
        throw new LocalSettingError(`installing ${settings.shop} failed: ${response.status} ${answer}`);
      log(`installed: ${answer}`);
    }
    if (salesforce) {
      const { conn } = await salesforceConnection(tenant, async () => ({
        clientSecret: settings.salesforceClientSecret,
      }));
      const deployed = await deploySalesforceSetup(conn, {
        outboundEndpoint: outboundUrl,
        pollIntervalMs: 20,
      });
      if (deployed.componentFailures.length)
        throw new LocalSettingError(`Salesforce setup failed: ${JSON.stringify(deployed.componentFailures)}`);
    }
    return { stack, store, tenant, settings, shopify, salesforce, outboundUrl, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
