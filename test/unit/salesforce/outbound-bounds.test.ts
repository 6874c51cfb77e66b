/**
 * The outbound message parser's bounds (issue 15, item 7) and the callback-URL org check (item 8): shapes
 * no outbound message has are refused before anything is built, and the URL check's work is bounded by a
 * length cap. No timing here: bench/outbound-refusal.ts measures it.
 */
import { describe, expect, it } from 'vitest';
import { MAX_CALLBACK_URL_LENGTH, urlOrgIds } from '../../../functions/salesforce-outbound.ts';
import {
  MAX_ATTRIBUTES_PER_ELEMENT,
  MAX_NAMESPACE_DECLARATIONS,
  MAX_TAGS,
  OutboundMessageError,
  parseOutboundMessage,
} from '../../../integrations/salesforce/outbound-message.ts';
import { largestOutboundMessage, namespaceFloodBody } from '../../helpers/outbound-bodies.ts';
import { outboundMessage, to18 } from '../../../sandbox/salesforce/index.ts';

const ORG = to18('00D5g000004XyZa');
const good = outboundMessage({
  orgId: ORG,
  actionId: to18('04k5g000000PqRs'),
  enterpriseUrl: 'https://x.my.salesforce.com/services/Soap/c/62.0/00D5g000004XyZa',
  partnerUrl: 'https://x.my.salesforce.com/services/Soap/u/62.0/00D5g000004XyZa',
  notifications: [
    {
      id: to18('04l5g0000000001'),
      sObject: 'Order',
      fields: { Id: to18('8015g0000000001'), Status: 'Activated' },
    },
  ],
});

function refusal(xml: string): string {
  try {
    parseOutboundMessage(xml);
  } catch (error) {
    expect(error).toBeInstanceOf(OutboundMessageError);
    return (error as Error).message;
  }
  throw new Error('parsed');
}

describe('outbound message bounds', () => {
  it('reads the largest message the deployed action sends, escaped or not', () => {
    for (const escaped of [false, true]) {
      const message = parseOutboundMessage(largestOutboundMessage(ORG, { escaped }));
      expect(message.notifications).toHaveLength(100);
      expect(message.notifications[0]!.fields.Status).toBe((escaped ? '&' : 'S').repeat(255));
    }
  });

  it(`refuses more than ${MAX_NAMESPACE_DECLARATIONS} namespace declarations, on an otherwise valid envelope`, () => {
    const many = Array.from({ length: MAX_NAMESPACE_DECLARATIONS + 1 }, (_, i) => ` xmlns:n${i}="u"`).join(
      '',
    );
    expect(refusal(good.replace('<soapenv:Envelope', `<soapenv:Envelope${many}`))).toMatch(
      /namespace declarations/,
    );
    // The issue's body: 1,000 declarations over 20,000 elements.
    expect(refusal(namespaceFloodBody(ORG))).toMatch(/over \d+ (tags|namespace declarations)/);
  });

  it(`refuses more than ${MAX_TAGS} tags`, () => {
    const body = good.replace('<soapenv:Body>', `<soapenv:Body>${'<a/>'.repeat(MAX_TAGS)}`);
    expect(refusal(body)).toMatch(new RegExp(`over ${MAX_TAGS} tags`));
  });

  it(`refuses an element with more than ${MAX_ATTRIBUTES_PER_ELEMENT} attributes`, () => {
    const attrs = Array.from({ length: MAX_ATTRIBUTES_PER_ELEMENT + 1 }, (_, i) => ` a${i}="v"`).join('');
    expect(refusal(good.replace('<soapenv:Body>', `<soapenv:Body${attrs}>`))).toMatch(/17 attributes/);
  });

  it("keeps each element's namespace declarations to its own subtree", () => {
    // A declaration on one sObject does not reach the next element: its prefix is undeclared there.
    const body = good.replace('</soapenv:Body>', '<p:x xmlns:p="urn:p"/><p:y/></soapenv:Body>');
    expect(refusal(body)).toMatch(/the prefix "p" of <p:y> is not declared/);
    // A prefix spelled like a property of every object is not declared either.
    expect(refusal(good.replace('</soapenv:Body>', '<constructor:x/></soapenv:Body>'))).toMatch(
      /the prefix "constructor" of <constructor:x> is not declared/,
    );
  });
});

describe('urlOrgIds: the org ids of the callback URLs', () => {
  const org15 = ORG.slice(0, 15);
  const of = (url: string) => urlOrgIds({ enterpriseUrl: url, partnerUrl: url });

  it('reads the id ending the path, with or without a slash, query or fragment', () => {
    for (const url of [
      `https://x.my.salesforce.com/services/Soap/c/62.0/${org15}`,
      `https://x.my.salesforce.com/services/Soap/u/62.0/${ORG}/`,
      `https://x.my.salesforce.com/services/Soap/c/62.0/${org15}?a=b#c`,
    ])
      expect(of(url)).toEqual([url.includes(ORG) ? ORG : org15, url.includes(ORG) ? ORG : org15]);
    expect(of('https://x.my.salesforce.com/services/Soap/c/62.0/')).toEqual([]);
    expect(of('not a url')).toEqual([]);
  });

  it(`takes a URL up to ${MAX_CALLBACK_URL_LENGTH} characters and calls a longer one malformed`, () => {
    const path = (n: number) => `https://x.my.salesforce.com${'/00D'.repeat(n)}/${org15}`;
    const fits = path(Math.floor((MAX_CALLBACK_URL_LENGTH - 50) / 4));
    expect(fits.length).toBeLessThanOrEqual(MAX_CALLBACK_URL_LENGTH);
    expect(of(fits)).toEqual([org15, org15]);
    // The shape that made the old pattern backtrack: many "/00D…?" starts, and a newline before the end.
    const hostile = `https://x.my.salesforce.com${`/${org15}?`.repeat(20_000)}\nx`;
    expect(of(hostile)).toBe('malformed');
    expect(of(`${fits}${'a'.repeat(MAX_CALLBACK_URL_LENGTH)}`)).toBe('malformed');
  });
});
