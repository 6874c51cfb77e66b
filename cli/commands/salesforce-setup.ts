/**
 * `clv salesforce setup`: deploys the CLV fields, permission sets, outbound
 * message and flow to a Salesforce org (integrations/salesforce/setup.ts) and
 * prints what was deployed. Secrets come from the environment, not the command
 * line, where other users of the machine can read them.
 */
import type { Connection } from 'jsforce';
import type { SalesforceSetupResult } from '../../integrations/salesforce/setup.ts';
import type { Values } from '../options.ts';
import { stringOption } from '../options.ts';
import { UsageError } from '../usage-error.ts';
import { clientCredentialsUrlProblem, loginUrlProblem } from '../../integrations/salesforce/login-hosts.ts';
import { OUTBOUND_TOKEN_PARAM } from '../../integrations/salesforce/outbound-token.ts';

export const SALESFORCE_SETUP_HELP = `clv salesforce setup --endpoint URL [--integration-user USERNAME] [--json]
        (--instance-url URL, token in SALESFORCE_ACCESS_TOKEN or --access-token T
         | --login-url MY_DOMAIN_URL --client-id ID, secret in SALESFORCE_CLIENT_SECRET)`;

// Here rather than in salesforce-link.ts, whose store and SQS imports the help must not load.
export const SALESFORCE_LINK_HELP = `clv salesforce link --tenant ID --org-id 00D… --login-url MY_DOMAIN_URL --client-id KEY
        [--flow client-credentials|jwt-bearer] [--username INTEGRATION_USER] [--sandbox (a sandbox org)] [--grain contact|account]
        [--currency USD (for a new workspace)] [--new-outbound-token]`;

function urlOption(values: Values, name: string): string | undefined {
  const text = stringOption(values, name);
  if (text === undefined) return undefined;
  try {
    new URL(text);
  } catch {
    throw new UsageError(`--${name} must be a URL, got "${text}"`);
  }
  return text;
}

async function connect(values: Values, version: string): Promise<Connection> {
  const instanceUrl = urlOption(values, 'instance-url');
  const loginUrl = urlOption(values, 'login-url');
  if (instanceUrl && loginUrl) {
    throw new UsageError(
      'give --instance-url (with an access token) or --login-url (client credentials), not both',
    );
  }
  if (!instanceUrl && !loginUrl) {
    throw new UsageError(
      'salesforce setup needs --instance-url URL with SALESFORCE_ACCESS_TOKEN, or --login-url URL --client-id ID with SALESFORCE_CLIENT_SECRET',
    );
  }
  // jsforce takes half a second to load: only this command pays for it.
  const { default: jsforce } = await import('jsforce');
  if (instanceUrl) {
    const accessToken = stringOption(values, 'access-token') ?? process.env.SALESFORCE_ACCESS_TOKEN;
    if (!accessToken) throw new UsageError('--instance-url needs an access token in SALESFORCE_ACCESS_TOKEN');
    return new jsforce.Connection({ instanceUrl, accessToken, version });
  }
  const clientId = stringOption(values, 'client-id');
  const clientSecret = process.env.SALESFORCE_CLIENT_SECRET;
  if (!clientId) throw new UsageError('--login-url needs --client-id (the connected app consumer key)');
  if (!clientSecret)
    throw new UsageError('--login-url needs the consumer secret in SALESFORCE_CLIENT_SECRET');
  const hostProblem = loginUrlProblem(loginUrl!);
  if (hostProblem) throw new UsageError(`--login-url: ${hostProblem}`);
  const problem = clientCredentialsUrlProblem(loginUrl!);
  if (problem) throw new UsageError(`--login-url: ${problem}`);
  const conn = new jsforce.Connection({ oauth2: { loginUrl, clientId, clientSecret }, version });
  await conn.authorize({ grant_type: 'client_credentials' });
  return conn;
}

/** Rows as indented, left-aligned columns. */
function columns(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => r[i]!.length))) ?? [];
  return rows.map((r) => `  ${r.map((c, i) => (i < r.length - 1 ? c.padEnd(widths[i]!) : c)).join('  ')}`);
}

function describe(result: SalesforceSetupResult): string {
  const changed = result.components.filter((c) => c.created || c.changed).length;
  return [
    `Deployed ${result.id} (${result.status}): ${result.componentSuccesses} components, ${changed} created or changed`,
    ...columns(
      result.components.map((c) => [
        c.created ? 'created' : c.changed ? 'changed' : 'unchanged',
        c.type,
        c.fullName,
      ]),
    ),
    ...(result.outboundEndpoint
      ? [`Activated Orders are sent to ${result.outboundEndpoint} as ${result.integrationUser}.`]
      : []),
    'Assign the permission set CLV_Read to the people who should see the fields, and CLV_Sync_Integration to the user clv-sync writes as.',
    ...(result.notDeployed.length
      ? [`Not deployed: ${result.notDeployed.join(', ')} (see integrations/salesforce/metadata/README.md).`]
      : []),
  ].join('\n');
}

export async function salesforceCommand(values: Values, args: readonly string[]): Promise<string> {
  if (args.length === 0)
    throw new UsageError('salesforce needs a subcommand: salesforce setup or salesforce link');
  if (args[0] === 'link' && args.length === 1)
    return (await import('./salesforce-link.ts')).salesforceLink(values);
  if (args[0] !== 'setup' || args.length > 1) {
    throw new UsageError(
      `unknown salesforce command "${args.join(' ')}"; use salesforce setup or salesforce link`,
    );
  }
  const endpoint = stringOption(values, 'endpoint');
  if (!endpoint) throw new UsageError('salesforce setup needs --endpoint URL (where outbound messages go)');
  const { SALESFORCE_API_VERSION, deploySalesforceSetup, outboundEndpointProblem } =
    await import('../../integrations/salesforce/setup.ts');
  const problem = outboundEndpointProblem(endpoint);
  if (problem) throw new UsageError(`--endpoint: ${problem}`);
  if (!new URL(endpoint).searchParams.get(OUTBOUND_TOKEN_PARAM))
    process.stderr.write(
      `clv: warning: --endpoint carries no ${OUTBOUND_TOKEN_PARAM}=…, so clv-sync will refuse the outbound messages (401): use the endpoint clv salesforce link showed\n`,
    );
  const conn = await connect(values, SALESFORCE_API_VERSION);
  const result = await deploySalesforceSetup(conn, {
    outboundEndpoint: endpoint,
    integrationUser: stringOption(values, 'integration-user'),
  });
  for (const warning of result.warnings) process.stderr.write(`clv: warning: ${warning}\n`);
  return values.json ? JSON.stringify(result) : describe(result);
}
