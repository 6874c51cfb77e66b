/**
 * Workflow outbound messages: the SOAP envelope Salesforce POSTs to a listener
 * when an Order or Opportunity changes, and the acknowledgement it expects
 * back. The envelope follows what orgs send (namespace
 * http://soap.sforce.com/2005/09/outbound; OrganizationId, ActionId,
 * SessionId — `xsi:nil` unless the action sends a session — EnterpriseUrl,
 * PartnerUrl; then up to 100 Notification elements, each an `04l…` id and an
 * `sObject xsi:type="sf:Order"` in the enterprise sObject namespace with the
 * action's fields as `sf:Field` elements, Id first). A field whose value is
 * null is left out, as Salesforce leaves it out. Without the exact ack,
 * Salesforce treats the delivery as failed and sends it again.
 */
import { parseXml, escapeXml } from './xml.ts';
import type { XmlNode, XmlValue } from './xml.ts';

export const OUTBOUND_NS = 'http://soap.sforce.com/2005/09/outbound';
export const SOAP_ENV_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
export const ENTERPRISE_SOBJECT_NS = 'urn:sobject.enterprise.soap.sforce.com';
/** Salesforce puts at most 100 notifications in one message. */
export const MAX_NOTIFICATIONS = 100;

export interface OutboundNotification {
  /** The notification id, `04l…` (not the record id). */
  id: string;
  sObject: 'Order' | 'Opportunity';
  /** The action's selected fields, as text; must include Id. */
  fields: Record<string, string | null>;
}

export interface OutboundMessageInput {
  orgId: string;
  sessionId?: string;
  /** The workflow outbound message action, `04k…`. */
  actionId: string;
  notifications: OutboundNotification[];
  enterpriseUrl: string;
  partnerUrl: string;
}

export function outboundMessage(input: OutboundMessageInput): string {
  const { notifications } = input;
  if (notifications.length === 0 || notifications.length > MAX_NOTIFICATIONS) {
    throw new RangeError(
      `An outbound message carries 1–${MAX_NOTIFICATIONS} notifications, not ${notifications.length}`,
    );
  }
  const el = (indent: number, name: string, value: string) =>
    `${' '.repeat(indent)}<${name}>${escapeXml(value)}</${name}>`;
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<soapenv:Envelope xmlns:soapenv="${SOAP_ENV_NS}" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">`,
    ' <soapenv:Body>',
    `  <notifications xmlns="${OUTBOUND_NS}">`,
    el(3, 'OrganizationId', input.orgId),
    el(3, 'ActionId', input.actionId),
    input.sessionId ? el(3, 'SessionId', input.sessionId) : '   <SessionId xsi:nil="true"/>',
    el(3, 'EnterpriseUrl', input.enterpriseUrl),
    el(3, 'PartnerUrl', input.partnerUrl),
  ];
  for (const n of notifications) {
    if (!n.fields.Id) throw new Error(`Notification ${n.id} has no Id field`);
    const names = Object.keys(n.fields)
      .filter((k) => k !== 'Id')
      .sort();
    lines.push('   <Notification>', el(4, 'Id', n.id));
    lines.push(`    <sObject xsi:type="sf:${n.sObject}" xmlns:sf="${ENTERPRISE_SOBJECT_NS}">`);
    for (const name of ['Id', ...names]) {
      const value = n.fields[name];
      if (value !== null && value !== undefined) lines.push(el(5, `sf:${name}`, value));
    }
    lines.push('    </sObject>', '   </Notification>');
  }
  lines.push('  </notifications>', ' </soapenv:Body>', '</soapenv:Envelope>', '');
  return lines.join('\n');
}

/** The acknowledgement a listener must answer with. */
export const OUTBOUND_ACK = [
  '<?xml version="1.0" encoding="UTF-8"?>',
  `<soapenv:Envelope xmlns:soapenv="${SOAP_ENV_NS}">`,
  ' <soapenv:Body>',
  `  <notificationsResponse xmlns="${OUTBOUND_NS}">`,
  '   <Ack>true</Ack>',
  '  </notificationsResponse>',
  ' </soapenv:Body>',
  '</soapenv:Envelope>',
  '',
].join('\n');

/**
 * Whether a listener's answer is an acknowledgement Salesforce accepts: a SOAP
 * 1.1 envelope whose body holds `notificationsResponse` in the outbound
 * namespace with `<Ack>true</Ack>`, whatever prefixes it uses.
 */
export function isAck(xml: string): boolean {
  let doc: XmlNode;
  try {
    doc = parseRaw(xml);
  } catch {
    return false;
  }
  const env = child(doc, 'Envelope', SOAP_ENV_NS, {});
  if (!env) return false;
  const body = child(env.node, 'Body', SOAP_ENV_NS, env.scope);
  const response = body && child(body.node, 'notificationsResponse', OUTBOUND_NS, body.scope);
  const ack = response && child(response.node, 'Ack', OUTBOUND_NS, response.scope);
  if (!ack) return false;
  const value = typeof ack.raw === 'string' ? ack.raw : (ack.node['#text'] as string | undefined);
  return value?.trim() === 'true';
}

/** Keeps prefixes: the check is about namespaces, so they are resolved here, not by the parser. */
function parseRaw(xml: string): XmlNode {
  return parseXml(xml, new Set(), { keepPrefixes: true });
}

type Scope = Record<string, string>;

/** Finds a child element by local name and resolved namespace. */
function child(
  parent: XmlNode,
  local: string,
  ns: string,
  scope: Scope,
): { node: XmlNode; raw: XmlValue; scope: Scope } | undefined {
  for (const [key, raw] of Object.entries(parent)) {
    if (key.startsWith('@') || key === '#text') continue;
    const [prefix, name] = key.includes(':') ? key.split(':', 2) : ['', key];
    if (name !== local) continue;
    const node = (typeof raw === 'object' && !Array.isArray(raw) ? raw : {}) as XmlNode;
    const inner: Scope = { ...scope };
    for (const [attr, value] of Object.entries(node)) {
      if (attr === '@xmlns') inner[''] = String(value);
      else if (attr.startsWith('@xmlns:')) inner[attr.slice(7)] = String(value);
    }
    if (inner[prefix ?? ''] === ns) return { node, raw, scope: inner };
  }
  return undefined;
}
