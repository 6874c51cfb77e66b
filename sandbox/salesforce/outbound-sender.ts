/**
 * Delivers outbound messages the way Salesforce does: builds the notifications
 * from the org's current records (values written as the enterprise WSDL
 * writes them: `45000.0`, `2024-01-31`, `2024-01-31T09:15:00.000Z`, `true`),
 * POSTs the envelope as `text/xml` with `SOAPAction: ""`, and counts the
 * delivery as done only when the answer is the exact acknowledgement.
 * Otherwise Salesforce queues it again; `maxAttempts` plays that retry.
 */
import type { StoredValue } from './field-values.ts';
import { KEY_PREFIX } from './ids.ts';
import type { OrgState } from './org-state.ts';
import type { OutboundNotification } from './outbound-message.ts';
import { MAX_NOTIFICATIONS, isAck, outboundMessage } from './outbound-message.ts';
import type { FieldDef } from './schema.ts';

export interface OutboundDelivery {
  url: string;
  attempt: number;
  /** HTTP status, or 0 when the listener could not be reached. */
  status: number;
  acked: boolean;
  response: string;
  envelope: string;
  error?: string;
}

export interface OutboundRequest {
  url: string;
  sObject: 'Order' | 'Opportunity';
  recordIds: string[];
  /** The fields the outbound message action selects (Id is always sent). */
  fields: string[];
  /** Send a session id, as an action with "Send Session ID" does. */
  sessionId?: string;
  /** Deliveries to try before giving up (Salesforce keeps trying for 24 hours). */
  maxAttempts?: number;
}

/** A field value as text in an outbound message, or null to leave it out. */
export function outboundText(def: FieldDef, value: StoredValue | undefined): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' && ['currency', 'double', 'percent'].includes(def.type)) {
    return Number.isInteger(value) ? value.toFixed(1) : String(value);
  }
  return String(value);
}

export function notificationsFromOrg(
  org: OrgState,
  sObject: 'Order' | 'Opportunity',
  recordIds: string[],
  fields: string[],
): OutboundNotification[] {
  const object = org.schema.object(sObject)!;
  const names = ['Id', ...fields.filter((f) => f !== 'Id')];
  return recordIds.map((id) => {
    const record = org.get(sObject, id);
    if (!record) throw new Error(`${sObject} ${id} does not exist in the sandbox org`);
    const values: Record<string, string | null> = {};
    for (const name of names) {
      const def = org.schema.field(object, name);
      if (!def) throw new Error(`${sObject} has no field ${name}`);
      values[def.name] = outboundText(def, record[def.name]);
    }
    return { id: org.ids.next(KEY_PREFIX.OutboundNotification), sObject, fields: values };
  });
}

export async function deliverOutboundMessage(
  url: string,
  envelope: string,
  attempt = 1,
): Promise<OutboundDelivery> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'text/xml; charset=utf-8', SOAPAction: '""' },
      body: envelope,
    });
    const response = await res.text();
    return { url, attempt, status: res.status, acked: res.ok && isAck(response), response, envelope };
  } catch (err) {
    return {
      url,
      attempt,
      status: 0,
      acked: false,
      response: '',
      envelope,
      error: err instanceof Error ? err.message : String(err),
    };
  }
}

/** Sends one message per 100 records, each until acknowledged or out of attempts. */
export async function sendOutbound(
  org: OrgState,
  origin: string,
  apiVersion: string,
  actionId: string,
  request: OutboundRequest,
): Promise<OutboundDelivery[]> {
  const deliveries: OutboundDelivery[] = [];
  const org15 = org.orgId.slice(0, 15);
  for (let i = 0; i < request.recordIds.length; i += MAX_NOTIFICATIONS) {
    const envelope = outboundMessage({
      orgId: org.orgId,
      actionId,
      sessionId: request.sessionId,
      enterpriseUrl: `${origin}/services/Soap/c/${apiVersion}/${org15}`,
      partnerUrl: `${origin}/services/Soap/u/${apiVersion}/${org15}`,
      notifications: notificationsFromOrg(
        org,
        request.sObject,
        request.recordIds.slice(i, i + MAX_NOTIFICATIONS),
        request.fields,
      ),
    });
    for (let attempt = 1; attempt <= (request.maxAttempts ?? 1); attempt++) {
      const delivery = await deliverOutboundMessage(request.url, envelope, attempt);
      deliveries.push(delivery);
      if (delivery.acked) break;
    }
  }
  return deliveries;
}
