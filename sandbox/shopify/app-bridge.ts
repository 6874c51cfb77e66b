/**
 * Shopify's side of an embedded app page, for browser tests without internet: a stand-in for the App
 * Bridge script the page loads from https://cdn.shopify.com/shopifycloud/app-bridge.js, and the admin
 * that mints session tokens for it.
 *
 * As the real script does, it reads the API key from `<meta name="shopify-api-key">` (and fails
 * loudly without one) and exposes the `shopify` global. The real `shopify.idToken()` asks the parent
 * admin frame by postMessage; the page under test is not framed, so the stand-in asks the "admin" at
 * SANDBOX_ADMIN_TOKEN_URL instead, which the test answers with `SandboxAdmin.tokenResponse`: an HS256
 * token signed with the app secret for the shop the admin is logged in to, exactly the claims
 * Shopify's admin puts in one (see oauth.ts `sessionToken`).
 */
import { OAuthServer } from './oauth.ts';

export const APP_BRIDGE_CDN_URL = 'https://cdn.shopify.com/shopifycloud/app-bridge.js';
export const SANDBOX_ADMIN_TOKEN_URL = 'https://admin.shopify.test/app-bridge/session-token';

/** The script served in place of Shopify's CDN copy. */
export function appBridgeScript(): string {
  return `(() => {
  const meta = document.querySelector('meta[name="shopify-api-key"]');
  if (!meta || !meta.content) throw new Error('App Bridge: missing <meta name="shopify-api-key">');
  if (document.currentScript && (document.currentScript.async || document.currentScript.defer || document.currentScript.type === 'module'))
    throw new Error('App Bridge must be loaded synchronously, as the first script');
  const params = new URLSearchParams(location.search);
  const config = { apiKey: meta.content, shop: params.get('shop'), host: params.get('host') };
  const idToken = async () => {
    const url = ${JSON.stringify(SANDBOX_ADMIN_TOKEN_URL)} + '?apiKey=' + encodeURIComponent(config.apiKey);
    const response = await fetch(url);
    if (!response.ok) throw new Error('App Bridge: the admin gave no session token (' + response.status + ')');
    return (await response.json()).token;
  };
  window.shopify = Object.freeze({ config, idToken, toast: { show() {} } });
})();
`;
}

export class SandboxAdmin {
  /** The shop the admin is logged in to: whose tokens the page gets. */
  shop: string;
  /** Tokens minted, so a test can see that the page asked for them. */
  minted = 0;
  private readonly apiKey: string;
  private readonly tokens: OAuthServer;

  constructor(options: { apiKey: string; apiSecret: string; shop: string; now?: () => number }) {
    this.apiKey = options.apiKey;
    this.shop = options.shop;
    this.tokens = new OAuthServer({
      apiKey: options.apiKey,
      apiSecret: options.apiSecret,
      now: options.now ?? Date.now,
    });
  }

  /** The admin's answer to the page's token request: 403 when the page names another app. */
  tokenResponse(requestUrl: string): { status: number; body: string } {
    const apiKey = new URL(requestUrl).searchParams.get('apiKey');
    if (apiKey !== this.apiKey)
      return {
        status: 403,
        body: JSON.stringify({ error: `app ${apiKey} is not installed on ${this.shop}` }),
      };
    this.minted++;
    return { status: 200, body: JSON.stringify({ token: this.tokens.sessionToken(this.shop) }) };
  }
}
