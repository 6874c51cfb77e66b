/**
 * What an authenticated outbound message must be to be taken: one clv-sync parses as untrusted XML with no
 * DOCTYPE, no entities and bounded shape (400), whose OrganizationId and callback URLs are the workspace's
 * org (403; a callback URL too long to read is 400). The token proves the message is for this workspace; the
 * org it names must be the workspace's too. A refusal is a Rejection (rejection.ts).
 */
import type { TenantSettings } from '../../shared/store/tenants.ts';
import { MAX_CALLBACK_URL_LENGTH, urlOrgIds } from '../../integrations/salesforce/callback-org-ids.ts';
import type { OutboundMessage } from '../../integrations/salesforce/outbound-message.ts';
import {
  OutboundMessageError,
  parseOutboundMessage,
} from '../../integrations/salesforce/outbound-message.ts';
import { sameSalesforceId } from '../../integrations/salesforce/salesforce-ids.ts';
import { BadRequestError, ForbiddenError } from '../../shared/errors.ts';
import { Rejection } from './rejection.ts';

const NOT_ACCEPTED = 'not an outbound message clv-sync accepts';

export function readOutboundMessage(body: Buffer, tenantId: string): OutboundMessage {
  try {
    return parseOutboundMessage(body.toString('utf8'));
  } catch (error) {
    if (!(error instanceof OutboundMessageError)) throw error;
    throw new Rejection(new BadRequestError(`${NOT_ACCEPTED}: ${error.message}`), {
      reason: 'malformed',
      log: { tenantId, reason: error.message },
    });
  }
}

/** `log`: the message's fields on the warn line of a refusal. */
export function assertWorkspaceOrg(
  tenant: TenantSettings,
  message: OutboundMessage,
  log: Record<string, unknown>,
): void {
  const forbidden = (reason: string) =>
    new Rejection(
      new ForbiddenError(
        `organization ${message.organizationId} is not linked to the clv-sync workspace of this endpoint`,
      ),
      { reason: 'unknown-org', log: { ...log, reason } },
    );
  if (!tenant.salesforceOrgId || !sameSalesforceId(tenant.salesforceOrgId, message.organizationId))
    throw forbidden('unknown org');
  const urls = urlOrgIds(message);
  if (urls === 'malformed')
    throw new Rejection(
      new BadRequestError(`${NOT_ACCEPTED}: a callback URL over ${MAX_CALLBACK_URL_LENGTH} characters`),
      {
        reason: 'malformed',
        log: { ...log, reason: 'callback URL too long' },
      },
    );
  const other = urls.find((id) => !sameSalesforceId(id, message.organizationId));
  if (other) throw forbidden(`callback URLs name org ${other}`);
}
