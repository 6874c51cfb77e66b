/**
 * Workflow outbound messages (Salesforce's outbound messaging WSDL,
 * namespace http://soap.sforce.com/2005/09/outbound): a SOAP 1.1 envelope
 * whose body holds `notifications` with OrganizationId, ActionId, SessionId
 * (nillable), EnterpriseUrl, PartnerUrl and 1–100 Notification elements, each
 * an id and an sObject (`xsi:type="sf:Order"`, fields in the enterprise
 * sObject namespace, null fields left out or `xsi:nil`). The listener answers
 * with `notificationsResponse` / `<Ack>true</Ack>`; without it, Salesforce
 * sends the message again, for up to 24 hours.
 *
 * The body is untrusted XML, parsed with fast-xml-parser with no entity
 * processing at all: a DOCTYPE (the vehicle of XXE and of "billion laughs"
 * entity expansion) is refused before parsing, and only XML's five
 * predefined entities and character references are decoded, by hand. Names
 * are matched by namespace, not by prefix. Anything else wrong raises
 * OutboundMessageError; the caller limits the body's size.
 */
import { XMLParser } from 'fast-xml-parser';
import { OutboundMessageError } from './salesforce-errors.ts';
import { isSalesforceId } from './salesforce-ids.ts';

export { OutboundMessageError } from './salesforce-errors.ts';

export const OUTBOUND_NS = 'http://soap.sforce.com/2005/09/outbound';
export const SOAP_ENV_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';
/** The WSDL's `maxOccurs="100"`. */
export const MAX_NOTIFICATIONS = 100;

/**
 * Bounds on the XML's shape, checked before anything is built: the
 * outbound message clv-sync deploys sends 8 fields a notification, and
 * Salesforce declares a handful of namespaces on the envelope plus `xmlns:sf`
 * on each sObject. Room is left for fields an admin adds to the action.
 */
export const MAX_FIELDS_PER_NOTIFICATION = 50;
/** Tags (`<`) in the body: each notification's elements opened and closed, and the envelope's. */
export const MAX_TAGS = 64 + MAX_NOTIFICATIONS * 2 * (MAX_FIELDS_PER_NOTIFICATION + 4);
/** `xmlns` declarations: the envelope's and one per sObject, twice over. */
export const MAX_NAMESPACE_DECLARATIONS = 16 + 2 * MAX_NOTIFICATIONS;
/** Attributes of one element: an sObject has two (`xsi:type`, `xmlns:sf`), the envelope three or four. */
export const MAX_ATTRIBUTES_PER_ELEMENT = 16;
/** Nesting: Envelope › Body › notifications › Notification › sObject › field › a compound field's part. */
export const MAX_DEPTH = 32;

export interface OutboundNotification {
  /** The notification's id (`04l…`): the same on every retry of it, so the dedupe key. */
  id: string;
  /** From the sObject's `xsi:type`: `Order`, `Opportunity`, … */
  sObjectType: string;
  /** The action's fields by API name, as sent; null for `xsi:nil`. */
  fields: Record<string, string | null>;
}

export interface OutboundMessage {
  organizationId: string;
  actionId: string;
  /** Null unless the action is set to send a session id. */
  sessionId: string | null;
  enterpriseUrl: string;
  partnerUrl: string;
  notifications: OutboundNotification[];
}

/** A node of fast-xml-parser's `preserveOrder` output: one tag name → children, attributes under ':@'. */
type OrderedNode = Record<string, unknown>;

interface Element {
  ns: string;
  local: string;
  attrs: Record<string, string>;
  children: Element[];
  text: string;
  /** In-scope namespace bindings, '' for the default namespace. */
  scope: Record<string, string>;
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  // No entity processing at all: no DOCTYPE entities, no expansion. The predefined ones are decoded below.
  processEntities: false,
  htmlEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  cdataPropName: '#cdata',
  ignoreDeclaration: true,
  ignorePiTags: true,
  allowBooleanAttributes: false,
  maxNestedTags: MAX_DEPTH,
});

const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Decodes XML's predefined entities and character references in one pass; any other entity is an error. */
function decodeText(text: string): string {
  return text.replace(/&([^;&\s]{0,12});?/g, (whole, name: string) => {
    if (!whole.endsWith(';'))
      throw new OutboundMessageError('a bare "&" in text: the XML is not well-formed');
    const predefined = PREDEFINED[name];
    if (predefined !== undefined) return predefined;
    const m = /^#(?:x([0-9A-Fa-f]{1,6})|([0-9]{1,7}))$/.exec(name);
    const code = m ? (m[1] !== undefined ? parseInt(m[1], 16) : Number(m[2])) : NaN;
    if (!Number.isInteger(code) || code < 1 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff))
      throw new OutboundMessageError(
        `the entity ${whole} is not defined: outbound messages use only XML's predefined entities`,
      );
    return String.fromCodePoint(code);
  });
}

/** Occurrences of `needle` in `text`, counting no further than `limit + 1`. */
function occurrences(text: string, needle: string, limit: number): number {
  let count = 0;
  for (let at = text.indexOf(needle); at !== -1 && count <= limit; at = text.indexOf(needle, at + 1)) count++;
  return count;
}

/**
 * Refuses a body shaped unlike any outbound message before it is parsed: one
 * pass of indexOf per bound, so a body built to be expensive (thousands of
 * namespace declarations over thousands of elements) costs its length once.
 */
function checkShape(xml: string): void {
  const tags = occurrences(xml, '<', MAX_TAGS);
  if (tags > MAX_TAGS)
    throw new OutboundMessageError(
      `the body has over ${MAX_TAGS} tags: an outbound message of ${MAX_NOTIFICATIONS} notifications has far fewer`,
    );
  const declarations = occurrences(xml, 'xmlns', MAX_NAMESPACE_DECLARATIONS);
  if (declarations > MAX_NAMESPACE_DECLARATIONS)
    throw new OutboundMessageError(
      `the body has over ${MAX_NAMESPACE_DECLARATIONS} namespace declarations: an outbound message declares a few`,
    );
}

function toElement(node: OrderedNode, parentScope: Record<string, string>): Element | null {
  const name = Object.keys(node).find((k) => k !== ':@');
  if (name === undefined || name === '#text' || name === '#cdata') return null;
  const rawAttrs = (node[':@'] ?? {}) as Record<string, unknown>;
  const attrs: Record<string, string> = {};
  const entries = Object.entries(rawAttrs);
  if (entries.length > MAX_ATTRIBUTES_PER_ELEMENT)
    throw new OutboundMessageError(
      `<${name}> has ${entries.length} attributes: more than any outbound message`,
    );
  // Shared with the parent unless this element declares a namespace: copying it into every element made a
  // body of many declarations over many elements cost their product.
  let scope = parentScope;
  for (const [k, v] of entries) {
    const value = decodeText(String(v));
    if (k === 'xmlns' || k.startsWith('xmlns:')) {
      if (scope === parentScope)
        scope = Object.assign(Object.create(null) as Record<string, string>, parentScope);
      scope[k === 'xmlns' ? '' : k.slice(6)] = value;
    }
    attrs[k] = value;
  }
  const [prefix, local] = name.includes(':') ? (name.split(':', 2) as [string, string]) : ['', name];
  const ns = scope[prefix];
  if (ns === undefined && prefix !== '')
    throw new OutboundMessageError(`the prefix "${prefix}" of <${name}> is not declared`);
  const children: Element[] = [];
  let text = '';
  for (const child of (node[name] ?? []) as OrderedNode[]) {
    if ('#text' in child) text += decodeText(String(child['#text']));
    else if ('#cdata' in child) {
      for (const part of child['#cdata'] as OrderedNode[]) text += String(part['#text'] ?? '');
    } else {
      const el = toElement(child, scope);
      if (el) children.push(el);
    }
  }
  return { ns: ns ?? '', local, attrs, children, text, scope };
}

/** An attribute by namespace and local name (`xsi:nil`, `xsi:type`). */
function attr(el: Element, ns: string, local: string): string | undefined {
  for (const [k, v] of Object.entries(el.attrs)) {
    if (!k.includes(':') || k.startsWith('xmlns:')) continue;
    const [prefix, name] = k.split(':', 2) as [string, string];
    if (name === local && el.scope[prefix] === ns) return v;
  }
  return undefined;
}

function only(parent: Element, ns: string, local: string, required: true): Element;
function only(parent: Element, ns: string, local: string, required: false): Element | undefined;
function only(parent: Element, ns: string, local: string, required: boolean): Element | undefined {
  const found = parent.children.filter((c) => c.ns === ns && c.local === local);
  if (found.length > 1)
    throw new OutboundMessageError(`<${local}> appears ${found.length} times in <${parent.local}>`);
  if (required && found.length === 0)
    throw new OutboundMessageError(`<${parent.local}> has no <${local}> (in ${ns || 'no namespace'})`);
  return found[0];
}

const isNil = (el: Element) => attr(el, XSI_NS, 'nil') === 'true';

function requiredText(parent: Element, local: string): string {
  const el = only(parent, OUTBOUND_NS, local, true);
  const text = el.text.trim();
  if (isNil(el) || !text) throw new OutboundMessageError(`<${local}> is empty`);
  return text;
}

function salesforceIdText(parent: Element, local: string, prefix: string): string {
  const id = requiredText(parent, local);
  if (!isSalesforceId(id) || !id.startsWith(prefix))
    throw new OutboundMessageError(`<${local}> is "${id}": expected a Salesforce id starting with ${prefix}`);
  return id;
}

/** Parses an outbound message; anything that is not one raises OutboundMessageError. */
export function parseOutboundMessage(xml: string): OutboundMessage {
  // XXE and entity expansion both need a document type declaration; a SOAP message never has one.
  if (/<!DOCTYPE/i.test(xml) || /<!ENTITY/i.test(xml))
    throw new OutboundMessageError('the message has a DOCTYPE: refused (SOAP messages have none)');
  checkShape(xml);
  let nodes: OrderedNode[];
  try {
    nodes = parser.parse(xml, true) as OrderedNode[];
  } catch (error) {
    throw new OutboundMessageError(`the body is not well-formed XML: ${(error as Error).message}`, {
      cause: error,
    });
  }
  // No prototype: a prefix named "constructor" is undeclared, not Object's.
  const noBindings = Object.create(null) as Record<string, string>;
  const roots = nodes.map((n) => toElement(n, noBindings)).filter((e): e is Element => e !== null);
  if (roots.length !== 1) throw new OutboundMessageError(`expected one root element, found ${roots.length}`);
  const envelope = roots[0]!;
  if (envelope.ns !== SOAP_ENV_NS || envelope.local !== 'Envelope')
    throw new OutboundMessageError(`the root is <${envelope.local}>, not a SOAP 1.1 Envelope`);
  const body = only(envelope, SOAP_ENV_NS, 'Body', true);
  const n = only(body, OUTBOUND_NS, 'notifications', true);

  const sessionEl = only(n, OUTBOUND_NS, 'SessionId', false);
  const sessionId = sessionEl && !isNil(sessionEl) && sessionEl.text.trim() ? sessionEl.text.trim() : null;
  const notificationEls = n.children.filter((c) => c.ns === OUTBOUND_NS && c.local === 'Notification');
  if (notificationEls.length === 0) throw new OutboundMessageError('the message has no Notification');
  if (notificationEls.length > MAX_NOTIFICATIONS)
    throw new OutboundMessageError(
      `the message has ${notificationEls.length} notifications; Salesforce sends at most ${MAX_NOTIFICATIONS}`,
    );

  const seen = new Set<string>();
  const notifications = notificationEls.map((el) => {
    const id = salesforceIdText(el, 'Id', '04l');
    if (seen.has(id)) throw new OutboundMessageError(`notification ${id} appears twice`);
    seen.add(id);
    const sObject = only(el, OUTBOUND_NS, 'sObject', true);
    const type = attr(sObject, XSI_NS, 'type');
    const sObjectType = type?.includes(':') ? type.split(':', 2)[1] : type;
    if (!sObjectType || !/^[A-Za-z][A-Za-z0-9_]*$/.test(sObjectType))
      throw new OutboundMessageError(`notification ${id}: its sObject has no xsi:type naming the object`);
    const fields: Record<string, string | null> = {};
    for (const field of sObject.children) {
      // Compound values (an address) have children: clv-sync reads none of them.
      if (field.children.length > 0) continue;
      if (Object.hasOwn(fields, field.local))
        throw new OutboundMessageError(`notification ${id}: field ${field.local} appears twice`);
      fields[field.local] = isNil(field) ? null : field.text.trim();
    }
    if (!fields.Id) throw new OutboundMessageError(`notification ${id}: its ${sObjectType} has no Id field`);
    return { id, sObjectType, fields };
  });

  return {
    organizationId: salesforceIdText(n, 'OrganizationId', '00D'),
    actionId: salesforceIdText(n, 'ActionId', '04k'),
    sessionId,
    enterpriseUrl: requiredText(n, 'EnterpriseUrl'),
    partnerUrl: requiredText(n, 'PartnerUrl'),
    notifications,
  };
}

/**
 * The answer to an outbound message: `<Ack>true</Ack>` tells Salesforce the
 * whole message is handled; `false` (or anything else) makes it send the
 * message again later.
 */
export function ackEnvelope(ack: boolean): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<soapenv:Envelope xmlns:soapenv="${SOAP_ENV_NS}">`,
    ' <soapenv:Body>',
    `  <notificationsResponse xmlns="${OUTBOUND_NS}">`,
    `   <Ack>${ack}</Ack>`,
    '  </notificationsResponse>',
    ' </soapenv:Body>',
    '</soapenv:Envelope>',
    '',
  ].join('\n');
}

const escapeXml = (s: string) =>
  s.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!,
  );

/** A SOAP 1.1 fault: `Client` for a message we refuse (Salesforce shows the string in its delivery log). */
export function soapFault(faultString: string, faultCode: 'Client' | 'Server' = 'Client'): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<soapenv:Envelope xmlns:soapenv="${SOAP_ENV_NS}">`,
    ' <soapenv:Body>',
    '  <soapenv:Fault>',
    `   <faultcode>soapenv:${faultCode}</faultcode>`,
    `   <faultstring>${escapeXml(faultString)}</faultstring>`,
    '  </soapenv:Fault>',
    ' </soapenv:Body>',
    '</soapenv:Envelope>',
    '',
  ].join('\n');
}
