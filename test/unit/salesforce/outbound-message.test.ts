import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { catchError } from '../../helpers/catch-error.ts';
import {
  MAX_NOTIFICATIONS,
  OutboundMessageError,
  ackEnvelope,
  parseOutboundMessage,
  soapFault,
} from '../../../integrations/salesforce/outbound-message.ts';
import type { OutboundNotification } from '../../../sandbox/salesforce/index.ts';
import { OUTBOUND_ACK, isAck, outboundMessage, to18 } from '../../../sandbox/salesforce/index.ts';

const fixture = (name: string) =>
  readFileSync(new URL(`../../fixtures/salesforce/${name}`, import.meta.url), 'utf8');

const ORG = to18('00D5g000004XyZa');
const ACTION = to18('04k5g000000PqRs');
const notificationId = (i: number) => to18(`04l5g0000${String(i).padStart(6, '0')}`);
const orderId = (i: number) => to18(`8015g0000${String(i).padStart(6, '0')}`);

function notifications(n: number): OutboundNotification[] {
  return Array.from({ length: n }, (_, i) => ({
    id: notificationId(i),
    sObject: 'Order' as const,
    fields: { Id: orderId(i), TotalAmount: `${i}.5`, Status: 'Activated', Description: null },
  }));
}

const envelope = (n: number, sessionId?: string) =>
  outboundMessage({
    orgId: ORG,
    actionId: ACTION,
    ...(sessionId ? { sessionId } : {}),
    enterpriseUrl: 'https://x.my.salesforce.com/services/Soap/c/62.0/00D5g000004XyZa',
    partnerUrl: 'https://x.my.salesforce.com/services/Soap/u/62.0/00D5g000004XyZa',
    notifications: notifications(n),
  });

const errorOf = (fn: () => unknown) => catchError(fn) as Error;

describe('parseOutboundMessage', () => {
  it('reads the envelope the sandbox org sends, every value as text', () => {
    const message = parseOutboundMessage(envelope(3));
    expect(message).toEqual({
      organizationId: ORG,
      actionId: ACTION,
      sessionId: null,
      enterpriseUrl: 'https://x.my.salesforce.com/services/Soap/c/62.0/00D5g000004XyZa',
      partnerUrl: 'https://x.my.salesforce.com/services/Soap/u/62.0/00D5g000004XyZa',
      notifications: [0, 1, 2].map((i) => ({
        id: notificationId(i),
        sObjectType: 'Order',
        // Description was null: Salesforce leaves it out, so it is absent, not ''
        fields: { Id: orderId(i), Status: 'Activated', TotalAmount: `${i}.5` },
      })),
    });
    expect(parseOutboundMessage(envelope(1, 'SESSION!abc')).sessionId).toBe('SESSION!abc');
  });

  it('reads a message with other prefixes, a session id, a nil field, an exponent and escaped text', () => {
    const message = parseOutboundMessage(fixture('opportunity-notification.xml'));
    expect(message.organizationId).toBe('00D5g000004XyZaEAK');
    expect(message.sessionId).toBe('00D5g000004XyZa!AQ0AQFakeSessionForTests');
    expect(message.notifications).toEqual([
      {
        id: '04l5g00000AbCdEAAV',
        sObjectType: 'Opportunity',
        fields: {
          Id: '0065g00000Lm3NpAAJ',
          AccountId: '0015g00000Qw7ErAAJ',
          Amount: '1.5E7',
          CloseDate: '2024-03-15',
          ContactId: '0035g00000Zx9KtAAJ',
          Description: null,
          IsWon: 'true',
          LastModifiedDate: '2024-03-15T16:04:05.000Z',
          Name: 'Acme & Sons <renewal> – FY24',
          StageName: 'Closed Won',
        },
      },
    ]);
  });

  it('refuses XXE: the DOCTYPE is rejected before anything is resolved', () => {
    const error = errorOf(() => parseOutboundMessage(fixture('xxe.xml')));
    expect(error).toBeInstanceOf(OutboundMessageError);
    expect(error.name).toBe('OutboundMessageError');
    expect(error.message).toMatch(/DOCTYPE/);
    expect(error.message).not.toMatch(/root:/);
  });

  it('refuses billion laughs at once, without expanding anything', () => {
    const started = performance.now();
    const error = errorOf(() => parseOutboundMessage(fixture('billion-laughs.xml')));
    expect(error).toBeInstanceOf(OutboundMessageError);
    expect(error.message).toMatch(/DOCTYPE/);
    expect(performance.now() - started).toBeLessThan(100);
    // Hidden in a lower-case or oddly spaced declaration, still refused.
    const lower = fixture('billion-laughs.xml').replace('<!DOCTYPE', '<!doctype');
    expect(errorOf(() => parseOutboundMessage(lower))).toBeInstanceOf(OutboundMessageError);
  });

  it('decodes only the predefined entities: an undefined one is an error, not a lookup', () => {
    const xml = envelope(1).replace('<sf:Status>Activated</sf:Status>', '<sf:Status>&xxe;</sf:Status>');
    expect(errorOf(() => parseOutboundMessage(xml)).message).toMatch(/entity &xxe; is not defined/);
    const bare = envelope(1).replace('<sf:Status>Activated</sf:Status>', '<sf:Status>A & B</sf:Status>');
    expect(errorOf(() => parseOutboundMessage(bare))).toBeInstanceOf(OutboundMessageError);
    const refs = envelope(1).replace(
      '<sf:Status>Activated</sf:Status>',
      '<sf:Status>&#65;&#x63;tivated &amp;lt;</sf:Status>',
    );
    expect(parseOutboundMessage(refs).notifications[0]!.fields.Status).toBe('Activated &lt;');
  });

  it('takes 100 notifications and refuses 101', () => {
    expect(parseOutboundMessage(envelope(MAX_NOTIFICATIONS)).notifications).toHaveLength(100);
    // The sandbox will not build 101 (nor would Salesforce): one more Notification is spliced in.
    const xml = envelope(MAX_NOTIFICATIONS);
    const extra = outboundMessage({
      orgId: ORG,
      actionId: ACTION,
      enterpriseUrl: 'u',
      partnerUrl: 'u',
      notifications: [{ ...notifications(1)[0]!, id: notificationId(100) }],
    });
    const one = extra.slice(extra.indexOf('   <Notification>'), extra.indexOf('  </notifications>'));
    const tooMany = xml.replace('  </notifications>', `${one}  </notifications>`);
    const error = errorOf(() => parseOutboundMessage(tooMany));
    expect(error).toBeInstanceOf(OutboundMessageError);
    expect(error.message).toMatch(/101 notifications; Salesforce sends at most 100/);
  });

  it('refuses what is not an outbound message, naming what is wrong', () => {
    const good = envelope(2);
    const cases: [string, RegExp][] = [
      ['', /not well-formed/],
      ['not xml at all', /not well-formed/],
      [good.slice(0, -40), /not well-formed/],
      ['<a/><b/>', /one root element/],
      [
        good.replace('http://schemas.xmlsoap.org/soap/envelope/', 'http://www.w3.org/2003/05/soap-envelope'),
        /SOAP 1.1/,
      ],
      // Prefixes are names only: another prefix bound to SOAP 1.1 is the same envelope (checked below).
      [good.replace('http://soap.sforce.com/2005/09/outbound', 'urn:other'), /no <notifications>/],
      [
        good
          .replace('<OrganizationId>', '<OrganizationID>')
          .replace('</OrganizationId>', '</OrganizationID>'),
        /no <OrganizationId>/,
      ],
      [good.replace(ORG, '00D5g000004XyZaAAA'), /OrganizationId.*expected a Salesforce id starting with 00D/],
      [good.replace(ORG, ACTION), /OrganizationId.*starting with 00D/],
      [good.replace(/<sObject xsi:type="sf:Order"/g, '<sObject'), /no xsi:type/],
      [good.replace(`<Id>${notificationId(1)}</Id>`, `<Id>${notificationId(0)}</Id>`), /appears twice/],
      [good.replace(/<sf:Id>[^<]+<\/sf:Id>/, ''), /has no Id field/],
      [good.replace(/<Notification>[\s\S]*<\/Notification>\n/, ''), /no Notification/],
      [good.replace('<sf:Status>', '<zz:Status>').replace('</sf:Status>', '</zz:Status>'), /prefix "zz"/],
    ];
    for (const [xml, message] of cases) {
      let error: unknown = null;
      try {
        parseOutboundMessage(xml);
      } catch (e) {
        error = e;
      }
      if (!error) throw new Error(`accepted: ${message} ${xml.slice(0, 200)}`);
      expect(error, xml.slice(0, 80)).toBeInstanceOf(OutboundMessageError);
      expect((error as Error).message, xml.slice(0, 80)).toMatch(message);
    }
  });

  it('matches names by namespace, not by prefix', () => {
    const renamed = envelope(2)
      .replace(/soapenv:/g, 's:')
      .replace('xmlns:soapenv', 'xmlns:s');
    expect(parseOutboundMessage(renamed).notifications).toHaveLength(2);
  });

  it('refuses deep nesting before walking it', () => {
    const deep = envelope(1).replace(
      '<sf:Status>Activated</sf:Status>',
      `${'<x>'.repeat(200)}${'</x>'.repeat(200)}`,
    );
    expect(errorOf(() => parseOutboundMessage(deep))).toBeInstanceOf(OutboundMessageError);
  });
});

describe('ackEnvelope', () => {
  it('is exactly the acknowledgement Salesforce expects', () => {
    expect(ackEnvelope(true)).toBe(OUTBOUND_ACK);
    expect(isAck(ackEnvelope(true))).toBe(true);
    expect(isAck(ackEnvelope(false))).toBe(false);
    expect(ackEnvelope(false)).toContain('<Ack>false</Ack>');
  });

  it('a fault is a SOAP fault with its string escaped, and no ack', () => {
    const fault = soapFault('bad <input> & more');
    expect(fault).toContain('<faultcode>soapenv:Client</faultcode>');
    expect(fault).toContain('<faultstring>bad &lt;input&gt; &amp; more</faultstring>');
    expect(isAck(fault)).toBe(false);
  });
});
