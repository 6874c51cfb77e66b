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

/**
 * The org's My Domain login host, by Salesforce Help ("My Domain URL
 * Formats", "Partitioned Domains") and the OrgDomainLog object's
 * DomainPartition values (Tooling API): `MyDomainName.my.salesforce.com` for
 * production (Government Cloud orgs too), and, with partitioned domains, a
 * word for the org type before `.my.salesforce.com`:
 * `MyDomainName--SandboxName.sandbox.my.salesforce.com`,
 * `MyDomainName-dev-ed.develop.my.salesforce.com`, `….scratch.`, `….demo.`,
 * `….patch.`, `….trailblaze.` (Trailhead playgrounds), `….free.`. Sandboxes
 * without enhanced domains are `MyDomainName--SandboxName.my.salesforce.com`.
 * Labels are DNS labels (letters, digits, hyphens; 63 at most).
 */
const MY_DOMAIN_HOST =
  /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.(?:sandbox|develop|scratch|demo|patch|trailblaze|free))?\.my\.salesforce\.com$/;

/** Hosts a login URL on this machine may name when the loopback allowance is on: the sandbox listens there. */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * The setting that lets a login URL be http:// on this machine's loopback
 * address, where the local stack's and the tests' Salesforce sandbox listens
 * (sandbox/salesforce). serverless.yml passes it to the local stage only
 * (every AWS stage gets it empty), and even set it reaches nothing but the
 * machine itself.
 */
export const LOOPBACK_LOGIN_SETTING = 'CLV_SALESFORCE_LOOPBACK_LOGIN';

/**
 * Why a login URL may not be used, or undefined when it may: both flows post
 * the one client secret or private key's assertion to it, so it must be https
 * on a host Salesforce serves logins from (login.salesforce.com,
 * test.salesforce.com or a My Domain), on the default port, with no
 * credentials, query or path beyond "/".
 */
export function loginUrlProblem(
  loginUrl: string,
  env: Record<string, string | undefined> = process.env,
): string | undefined {
  let url: URL;
  try {
    url = new URL(loginUrl);
  } catch {
    return `"${loginUrl}" is not a URL: give the org's My Domain URL (https://yourorg.my.salesforce.com)`;
  }
  const host = url.hostname.toLowerCase();
  if (env[LOOPBACK_LOGIN_SETTING] === 'true' && LOOPBACK_HOSTS.has(host) && url.protocol === 'http:')
    return url.username || url.password || url.search || url.hash || url.pathname !== '/'
      ? 'a sandbox login URL is its origin only (http://127.0.0.1:PORT)'
      : undefined;
  if (url.protocol !== 'https:')
    return `the login URL must be https (the client secret or signed assertion is posted to it), not ${url.protocol.replace(':', '')}`;
  if (url.username || url.password || url.port || url.search || url.hash || url.pathname !== '/')
    return 'the login URL is an origin only (https://yourorg.my.salesforce.com): no port, user, path or query';
  if (!GENERIC_LOGIN_HOSTS.has(host) && !MY_DOMAIN_HOST.test(host))
    return `${host} is not a Salesforce login host: give the org's My Domain URL from Setup › My Domain (https://yourorg.my.salesforce.com, https://yourorg--uat.sandbox.my.salesforce.com, …) or login.salesforce.com / test.salesforce.com`;
  return undefined;
}
