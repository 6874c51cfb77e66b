/**
 * Outbound message bodies at the edges, for the tests and bench/outbound-refusal.ts: the body issue 15
 * (item 7) measured at 5 s and 470 MB when parsed unauthenticated, and the largest message the action
 * `clv salesforce setup` deploys can send. Both are built on the sandbox's envelope
 * (sandbox/salesforce/outbound-message.ts), which follows the WSDL Salesforce sends by.
 */
import { to18 } from '../../sandbox/salesforce/ids.ts';
import { outboundMessage } from '../../sandbox/salesforce/outbound-message.ts';

/** A well-formed 18-character id: the prefix, then `n` in the 12 characters left. */
const idOf = (prefix: string, n: number) => to18(`${prefix}${String(n).padStart(12, '0')}`);
/** Unique per call, so each message's notifications and records are new. */
const fresh = () => Math.floor(Math.random() * 1e8) * 1000;

/**
 * 1,000 `xmlns:` declarations on the envelope over 20,000 empty elements in its body: about 95 KB. A
 * parser that copies the in-scope namespaces into every element does 20 million copies for it.
 */
export function namespaceFloodBody(orgId: string, declarations = 1000, elements = 20_000): string {
  const envelope = outboundMessage({
    orgId,
    actionId: idOf('04k', 1),
    enterpriseUrl: `https://acme.my.salesforce.com/services/Soap/c/62.0/${orgId.slice(0, 15)}`,
    partnerUrl: `https://acme.my.salesforce.com/services/Soap/u/62.0/${orgId.slice(0, 15)}`,
    notifications: [{ id: idOf('04l', 1), sObject: 'Order', fields: { Id: idOf('801', 1) } }],
  });
  const xmlns = Array.from({ length: declarations }, (_, i) => ` xmlns:n${i}="u"`).join('');
  return envelope
    .replace('<soapenv:Envelope', `<soapenv:Envelope${xmlns}`)
    .replace('<soapenv:Body>', `<soapenv:Body>${'<a/>'.repeat(elements)}`);
}

/**
 * 100 notifications of the deployed action's 8 fields at their longest: 18-character ids, a Status of
 * 255 characters (a picklist value's limit) that are all `&` when `escaped` (each sent as `&amp;`), a
 * 16-character amount, a session id and a sandbox My Domain's callback URLs.
 */
export function largestOutboundMessage(
  orgId: string,
  options: { escaped?: boolean; contactIds?: readonly string[] } = {},
): string {
  const host = `https://${'a'.repeat(40)}--${'b'.repeat(10)}.sandbox.my.salesforce.com`;
  const contacts = options.contactIds ?? [idOf('003', 1)];
  const base = fresh();
  return outboundMessage({
    orgId,
    actionId: idOf('04k', 2),
    sessionId: 'x'.repeat(112),
    enterpriseUrl: `${host}/services/Soap/c/62.0/${orgId.slice(0, 15)}`,
    partnerUrl: `${host}/services/Soap/u/62.0/${orgId.slice(0, 15)}`,
    notifications: Array.from({ length: 100 }, (_, i) => ({
      id: idOf('04l', base + i),
      sObject: 'Order' as const,
      fields: {
        Id: idOf('801', base + i),
        AccountId: idOf('001', i),
        BillToContactId: contacts[i % contacts.length]!,
        EffectiveDate: '2024-05-01',
        LastModifiedDate: '2024-05-01T10:00:00.000Z',
        Status: (options.escaped ? '&' : 'S').repeat(255),
        StatusCode: 'Activated',
        // Salesforce's currency fields hold 18 digits, but past 2^53 the store cannot keep the amount as a number
        // (a defect apart from this one), so the amount here is the largest it can.
        TotalAmount: '9999999999999.99',
      },
    })),
  });
}
