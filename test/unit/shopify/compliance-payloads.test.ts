import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  ShopifyPayloadError,
  parseCustomerPayload,
  parseCustomersRedact,
  parseDataRequest,
  parseShopRedact,
} from '../../../integrations/shopify/order-from-webhook.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const fixture = (name: string): Json =>
  JSON.parse(readFileSync(new URL(`../../fixtures/shopify/${name}`, import.meta.url), 'utf8')) as Json;

describe('compliance payloads', () => {
  it('customers/redact: the customer as an identity, and the orders to redact', () => {
    expect(parseCustomersRedact(fixture('customers-redact.json'))).toEqual({
      shopId: '61234567890',
      shopDomain: 'northfold.myshopify.com',
      customer: { shopifyCustomerId: '7021876543210', email: 'maria.lopez@example.com' },
      customerPhone: '+14165550142',
      ordersToRedact: ['5678901234567', '5678901234600'],
    });
  });

  it('customers/redact with an email only', () => {
    const p = fixture('customers-redact.json');
    p.customer = { email: 'maria.lopez@example.com' };
    p.orders_to_redact = [];
    expect(parseCustomersRedact(p)).toEqual({
      shopId: '61234567890',
      shopDomain: 'northfold.myshopify.com',
      customer: { email: 'maria.lopez@example.com' },
      ordersToRedact: [],
    });
  });

  it('shop/redact', () => {
    expect(parseShopRedact(fixture('shop-redact.json'))).toEqual({
      shopId: '61234567890',
      shopDomain: 'northfold.myshopify.com',
    });
  });

  it('customers/data_request', () => {
    expect(parseDataRequest(fixture('customers-data-request.json'))).toEqual({
      shopId: '61234567890',
      shopDomain: 'northfold.myshopify.com',
      customer: { shopifyCustomerId: '7021876543210', email: 'maria.lopez@example.com' },
      customerPhone: '+14165550142',
      ordersRequested: ['5678901234567'],
      dataRequestId: '9912',
    });
  });

  it.each([
    [
      'customers/redact',
      () => parseCustomersRedact({ ...fixture('customers-redact.json'), shop_id: 'x' }),
      'shop_id',
    ],
    ['shop/redact', () => parseShopRedact({ shop_id: 1, shop_domain: 'evil.example.com' }), 'shop_domain'],
    [
      'customers/data_request',
      () => parseDataRequest({ ...fixture('customers-data-request.json'), data_request: {} }),
      'data_request.id',
    ],
    [
      'customers/redact',
      () => parseCustomersRedact({ ...fixture('customers-redact.json'), orders_to_redact: [1.5] }),
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
  it('customers/update: id and email', () => {
    expect(parseCustomerPayload(fixture('customers-update.json'))).toEqual({
      id: '7021876543210',
      email: 'maria.lopez@example.com',
    });
  });

  it('customers/delete: the id only', () => {
    expect(parseCustomerPayload(fixture('customers-delete.json'))).toEqual({ id: '7021876543299' });
  });

  it('refuses a customer without an id', () => {
    expect(() => parseCustomerPayload({ email: 'a@example.com' })).toThrow(ShopifyPayloadError);
  });
});
