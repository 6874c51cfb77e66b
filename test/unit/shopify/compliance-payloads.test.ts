import { describe, expect, it } from 'vitest';
import {
  ShopifyPayloadError,
  parseCustomerPayload,
  parseCustomersRedact,
  parseDataRequest,
  parseShopRedact,
} from '../../../integrations/shopify/order-from-webhook.ts';
import { parsedDocumentedExample } from '../../helpers/documented-payloads.ts';

const SHOP = 'northfold.myshopify.com';
const documented = (topic: string) => parsedDocumentedExample(topic, { shop: SHOP });

describe('compliance payloads', () => {
  it.each([
    ['customers/redact', parseCustomersRedact, { ordersToRedact: ['299938', '280263', '220458'] }],
    [
      'customers/data_request',
      parseDataRequest,
      { ordersRequested: ['299938', '280263', '220458'], dataRequestId: '9999' },
    ],
  ] as const)('%s: the customer as an identity, and the orders it names', (topic, parse, own) => {
    expect(parse(documented(topic))).toEqual({
      shopId: '954889',
      shopDomain: SHOP,
      customer: { shopifyCustomerId: '191167', email: 'john@example.com' },
      customerPhone: '555-625-1199',
      ...own,
    });
  });

  it('customers/redact with an email only', () => {
    const p = documented('customers/redact');
    p.customer = { email: 'maria.lopez@example.com' };
    p.orders_to_redact = [];
    expect(parseCustomersRedact(p)).toEqual({
      shopId: '954889',
      shopDomain: SHOP,
      customer: { email: 'maria.lopez@example.com' },
      ordersToRedact: [],
    });
  });

  it('shop/redact', () => {
    expect(parseShopRedact(documented('shop/redact'))).toEqual({ shopId: '954889', shopDomain: SHOP });
  });

  it.each([
    [
      'customers/redact',
      () => parseCustomersRedact({ ...documented('customers/redact'), shop_id: 'x' }),
      'shop_id',
    ],
    ['shop/redact', () => parseShopRedact({ shop_id: 1, shop_domain: 'evil.example.com' }), 'shop_domain'],
    [
      'customers/data_request',
      () => parseDataRequest({ ...documented('customers/data_request'), data_request: {} }),
      'data_request.id',
    ],
    [
      'customers/redact',
      () => parseCustomersRedact({ ...documented('customers/redact'), orders_to_redact: [1.5] }),
      'orders_to_redact.0',
    ],
  ])('%s: refuses a malformed payload, naming the field', (_topic, parse, path) => {
    let error: unknown;
    try {
      parse();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ShopifyPayloadError);
    expect(error).toMatchObject({ path });
  });
});

describe('parseCustomerPayload', () => {
  it('customers/update: id (exact, above 2^53) and email', () => {
    expect(parseCustomerPayload(documented('customers/update'))).toEqual({
      id: '706405506930370084',
      email: 'bob@biller.com',
    });
  });

  it('customers/delete: the id only', () => {
    expect(parseCustomerPayload(documented('customers/delete'))).toEqual({ id: '706405506930370084' });
  });

  it('refuses a customer without an id', () => {
    expect(() => parseCustomerPayload({ email: 'a@example.com' })).toThrow(ShopifyPayloadError);
  });
});
