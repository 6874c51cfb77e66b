/**
 * Which Salesforce host each server-to-server OAuth flow may use, by
 * Salesforce's rules:
 *
 * - JWT bearer (Salesforce Help, "OAuth 2.0 JWT Bearer Flow for
 *   Server-to-Server Integration"): the assertion's `aud` is
 *   https://login.salesforce.com for a production org,
 *   https://test.salesforce.com for a sandbox, or an Experience Cloud site
 *   URL; never the org's My Domain URL (Salesforce answers `invalid_grant`,
 *   "audience is invalid"). The assertion itself may be posted to the My
 *   Domain token endpoint.
 * - Client credentials (Salesforce Help, article 000886201 and "OAuth 2.0
 *   Client Credentials Flow for Server-to-Server Integration"): only on the
 *   org's My Domain token endpoint; login.salesforce.com and
 *   test.salesforce.com answer `invalid_grant`, "request not supported on
 *   this domain".
 *
 * A tenant's `loginUrl` is therefore its My Domain URL, where both flows post;
 * whether the org is a sandbox decides the JWT audience.
 */
export const PRODUCTION_LOGIN = 'https://login.salesforce.com';
export const SANDBOX_LOGIN = 'https://test.salesforce.com';

const GENERIC_LOGIN_HOSTS = new Set(['login.salesforce.com', 'test.salesforce.com']);

// A DNS name is at most 253 characters in text form (RFC 1035 §2.3.4: 255 octets on the wire); a longer
// host names no Salesforce org, and is refused before any pattern sees it.
const MAX_HOST_LENGTH = 253;
const MY_DOMAIN_SUFFIX = '.my.salesforce.com';

function hostOf(url: string): string | undefined {
  try {
    const host = new URL(url).hostname.toLowerCase();
    return host.length <= MAX_HOST_LENGTH ? host : undefined;
  } catch {
    return undefined;
  }
}

// `mydomain--sandboxname`: one label with `--` inside it. Checked without `^[^.]+--[^.]+$`, which
// backtracks quadratically on a long run of dashes.
function isLegacySandboxLabel(label: string): boolean {
  return !label.includes('.') && label.slice(1, -1).includes('--');
}

/**
 * Whether a My Domain URL is a sandbox's: enhanced domains put sandboxes and
 * scratch orgs under `.sandbox.my.salesforce.com` / `.scratch.my.salesforce.com`;
 * older sandbox My Domains are `mydomain--sandboxname.my.salesforce.com`
 * (Salesforce Help, "My Domain URL Formats").
 */
export function looksLikeSandbox(url: string): boolean {
  const host = hostOf(url);
  if (!host) return false;
  if (host === 'test.salesforce.com') return true;
  if (/\.(sandbox|scratch)\.my\.salesforce\.com$/.test(host)) return true;
  return host.endsWith(MY_DOMAIN_SUFFIX) && isLegacySandboxLabel(host.slice(0, -MY_DOMAIN_SUFFIX.length));
}

/** The JWT bearer `aud` for an org: never its My Domain URL. */
export function jwtAudience(org: { loginUrl: string; sandbox?: boolean }): string {
  return (org.sandbox ?? looksLikeSandbox(org.loginUrl)) ? SANDBOX_LOGIN : PRODUCTION_LOGIN;
}

/** Why the client credentials flow cannot log in at this URL, or undefined when it can. */
export function clientCredentialsUrlProblem(loginUrl: string): string | undefined {
  const host = hostOf(loginUrl);
  if (!host || !GENERIC_LOGIN_HOSTS.has(host)) return undefined;
  return `the client credentials flow works only on the org's My Domain URL (https://yourorg.my.salesforce.com, or https://yourorg--sandbox.sandbox.my.salesforce.com for a sandbox), not ${host}, where Salesforce refuses it ("request not supported on this domain"): give the My Domain URL from Setup › My Domain as the login URL`;
}
