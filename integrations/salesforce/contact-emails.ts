/**
 * Emails of Contacts we have not met yet, for outbound messages. An outbound message carries the Order's
 * own fields only (BillToContactId, not BillToContact.Email), so a Contact's first order arriving that way
 * would become a customer known by the Contact id alone, apart from the same person's Shopify history and
 * with a CLV of its own written to the same Contact. One SOQL query per message (200 ids a query) asks the
 * org for those Contacts' emails; Contacts already known by id need none.
 */
import type { Connection } from 'jsforce';

/** Contact id (as sent) → its email, for the ids the org has an email for. */
export type ContactEmails = (contactIds: readonly string[]) => Promise<Map<string, string>>;

const SALESFORCE_ID = /^[A-Za-z0-9]{15}([A-Za-z0-9]{3})?$/;
const IDS_PER_QUERY = 200;

/** The query for one batch of well-formed Contact ids (at most IDS_PER_QUERY). */
export function contactEmailsSoql(ids: readonly string[]): string {
  return `SELECT Id, Email FROM Contact WHERE Id IN (${ids.map((id) => `'${id}'`).join(',')})`;
}

export function contactEmailsFrom(conn: Pick<Connection, 'query'>): ContactEmails {
  return async (contactIds) => {
    // Ids go into the SOQL text: anything but a well-formed id is left out, never quoted in.
    const ids = [...new Set(contactIds.filter((id) => SALESFORCE_ID.test(id)))];
    const byPrefix = new Map(ids.map((id) => [id.slice(0, 15), id]));
    const emails = new Map<string, string>();
    for (let i = 0; i < ids.length; i += IDS_PER_QUERY) {
      const result = await conn.query<{ Id: string; Email: string | null }>(
        contactEmailsSoql(ids.slice(i, i + IDS_PER_QUERY)),
      );
      for (const record of result.records) {
        // The org answers with 18-character ids; the message may have sent 15.
        const asSent = byPrefix.get(record.Id.slice(0, 15));
        if (asSent && record.Email?.trim()) emails.set(asSent, record.Email.trim());
      }
    }
    return emails;
  };
}
