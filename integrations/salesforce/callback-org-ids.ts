/**
 * The org ids an outbound message names besides OrganizationId: its callback URLs end with the org's
 * 15-character id (`…/services/Soap/u/62.0/00D…`). Read with the URL parser and one anchored test of the
 * last path segment, so the work is linear in the URL; a URL over MAX_CALLBACK_URL_LENGTH makes the message
 * malformed.
 */
import type { OutboundMessage } from './outbound-message.ts';

/** Longer callback URLs are refused: Salesforce's are an instance host and `/services/Soap/c/62.0/00D…`. */
export const MAX_CALLBACK_URL_LENGTH = 2048;

const ORG_ID_SEGMENT = /^00D[0-9A-Za-z]{12}(?:[0-9A-Za-z]{3})?$/;

export function urlOrgIds(
  message: Pick<OutboundMessage, 'enterpriseUrl' | 'partnerUrl'>,
): string[] | 'malformed' {
  const ids: string[] = [];
  for (const url of [message.enterpriseUrl, message.partnerUrl]) {
    if (url.length > MAX_CALLBACK_URL_LENGTH) return 'malformed';
    let path: string;
    try {
      path = new URL(url).pathname;
    } catch {
      continue; // not a URL: it names no org
    }
    const last = path.split('/').findLast((segment) => segment !== '');
    if (last && ORG_ID_SEGMENT.test(last)) ids.push(last);
  }
  return ids;
}
