/**
 * `clv salesforce link`: connects a clv-sync workspace (tenant) to a
 * Salesforce org, so outbound messages from that org are accepted and
 * write-back knows how to log in. Writes the tenant item in the table named
 * by CLV_TABLE (AWS credentials from the usual chain; CLV_DYNAMODB_ENDPOINT
 * for DynamoDB Local). Secrets stay out of the table: they come from the
 * environment or SSM at run time. The first link (or --new-outbound-token)
 * issues the token outbound messages must carry: shown once, stored hashed.
 */
import { sqsSender } from '../../shared/queue/sqs-sender.ts';
import {
  clientCredentialsUrlProblem,
  jwtAudience,
  loginUrlProblem,
  looksLikeSandbox,
} from '../../integrations/salesforce/login-hosts.ts';
import { issueOutboundToken, OUTBOUND_TOKEN_PARAM } from '../../integrations/salesforce/outbound-token.ts';
import { storeFromEnv } from '../../shared/store/store.ts';
import type { TenantFields, TenantSettings } from '../../shared/store/tenants.ts';
import {
  dropOutboundTokenRoute,
  getTenant,
  putTenant,
  TenantNotFoundError,
} from '../../shared/store/tenants.ts';
import type { Values } from '../options.ts';
import { stringOption } from '../options.ts';
import { UsageError } from '../usage-error.ts';

function required(values: Values, name: string): string {
  const value = stringOption(values, name);
  if (!value) throw new UsageError(`salesforce link needs --${name}`);
  return value;
}

export async function salesforceLink(values: Values): Promise<string> {
  const tenantId = required(values, 'tenant');
  const flow = stringOption(values, 'flow') ?? 'client-credentials';
  if (flow !== 'client-credentials' && flow !== 'jwt-bearer')
    throw new UsageError(`--flow must be client-credentials or jwt-bearer, got "${flow}"`);
  const username = stringOption(values, 'username');
  if (flow === 'jwt-bearer' && !username) throw new UsageError('--flow jwt-bearer needs --username');
  const loginUrl = required(values, 'login-url');
  try {
    new URL(loginUrl);
  } catch {
    throw new UsageError(`--login-url must be a URL (the org's My Domain URL), got "${loginUrl}"`);
  }
  const hostProblem = loginUrlProblem(loginUrl);
  if (hostProblem) throw new UsageError(`--login-url: ${hostProblem}`);
  const problem = flow === 'client-credentials' ? clientCredentialsUrlProblem(loginUrl) : undefined;
  if (problem) throw new UsageError(`--login-url: ${problem}`);
  // A sandbox's JWT audience is test.salesforce.com; its My Domain URL usually says it is one.
  const sandbox = values.sandbox === true || looksLikeSandbox(loginUrl);
  const grain = stringOption(values, 'grain') ?? 'contact';
  if (grain !== 'contact' && grain !== 'account')
    throw new UsageError(`--grain must be contact or account, got "${grain}"`);
  const store = storeFromEnv();
  let existing: TenantSettings | null = null;
  try {
    existing = await getTenant(store, tenantId);
  } catch (error) {
    if (!(error instanceof TenantNotFoundError)) throw error;
  }
  const currency = stringOption(values, 'currency') ?? existing?.currency;
  if (!currency) throw new UsageError(`workspace ${tenantId} is new: give its --currency`);
  // A workspace keeps its token across relinks (its deployed endpoint keeps working) unless a new one is asked for.
  const rotate = values['new-outbound-token'] === true;
  const fresh = !existing?.salesforceOutboundTokenHash || rotate ? issueOutboundToken() : null;
  // Only the link's own fields are written (merged into an existing workspace), so a settings save or
  // a shop install meanwhile is kept. A first token is written only where none is stored by then.
  const keepExisting: (keyof TenantFields)[] = [
    ...(stringOption(values, 'currency') ? [] : (['currency'] as const)),
    ...(rotate ? [] : (['salesforceOutboundTokenHash'] as const)),
  ];
  const tenant = await putTenant(
    store,
    {
      ...(fresh ? { salesforceOutboundTokenHash: fresh.hash } : {}),
      tenantId,
      currency,
      salesforceOrgId: required(values, 'org-id'),
      salesforceGrain: grain,
      salesforce: {
        loginUrl,
        clientId: required(values, 'client-id'),
        flow,
        ...(username ? { username } : {}),
        sandbox,
      },
    },
    { keepExisting },
  );
  // Another link issued the first token meanwhile: this one was not stored, so it is not shown.
  const issued = fresh && tenant.salesforceOutboundTokenHash === fresh.hash ? fresh : null;
  // The revoked token's route goes too (the tenant's new hash already refuses it; this keeps the table tidy).
  const revoked = issued && existing?.salesforceOutboundTokenHash;
  if (revoked) await dropOutboundTokenRoute(store, revoked, tenantId);
  // The history import runs in AWS: ask for it on the deployed backfill queue when one is named.
  const queueUrl = process.env.CLV_BACKFILL_QUEUE_URL;
  if (queueUrl) await sqsSender(queueUrl, 'CLV_BACKFILL_QUEUE_URL')({ tenantId, source: 'salesforce' });
  return [
    `Workspace ${tenant.tenantId} ${existing ? 'now linked' : 'created and linked'} to org ${tenant.salesforceOrgId} (${tenant.salesforceGrain} grain, ${flow}, ${sandbox ? 'sandbox' : 'production'} org).`,
    ...(flow === 'jwt-bearer'
      ? [`The JWT is posted to ${loginUrl} with the audience ${jwtAudience({ loginUrl, sandbox })}.`]
      : []),
    `Set ${flow === 'jwt-bearer' ? 'SALESFORCE_PRIVATE_KEY' : 'SALESFORCE_CLIENT_SECRET'} where the functions run.`,
    issued
      ? `Outbound messages must carry this workspace's token (shown only now; only its hash is stored): deploy with\n` +
        `  clv salesforce setup --endpoint 'https://YOUR_API/salesforce/outbound?${OUTBOUND_TOKEN_PARAM}=${issued.token}'`
      : 'The outbound token is unchanged (--new-outbound-token issues a new one; then deploy setup again).',
    queueUrl
      ? 'The order history import is queued.'
      : 'Set CLV_BACKFILL_QUEUE_URL to the deployed backfill queue and run this again to import the order history.',
  ].join('\n');
}
