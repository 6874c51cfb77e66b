import { describe, expect, it } from 'vitest';
import { InvalidShopifyIdError, customerGid, numericId } from '../../../integrations/shopify/shopify-ids.ts';
import { ShopifyPayloadError } from '../../../integrations/shopify/payload-errors.ts';

/** A Shopify id above 2^53 as JSON.parse reads it: rounded. */
const bigId = (digits: string) => JSON.parse(digits) as number;

describe('shopify ids', () => {
  it('numericId reads a gid, of a given type when asked', () => {
    expect(numericId('gid://shopify/Order/123')).toBe('123');
    expect(numericId('gid://shopify/Customer/820982911946154508', 'Customer')).toBe('820982911946154508');
    expect(numericId('gid://shopify/LineItem/9?index=1', 'LineItem')).toBe('9');
  });

  it.each([
    ['123', undefined],
    ['gid://shopify/Order/', undefined],
    ['gid://shopify/Order/12a', undefined],
    ['gid://shopify/Order/123', 'Customer'],
  ])('numericId refuses %j (type %j)', (gid, type) => {
    expect(() => numericId(gid, type)).toThrow(InvalidShopifyIdError);
  });

  it('customerGid writes the id back as a gid', () => {
    expect(customerGid('7021876543210')).toBe('gid://shopify/Customer/7021876543210');
    expect(customerGid(7021)).toBe('gid://shopify/Customer/7021');
    expect(customerGid('gid://shopify/Customer/7021')).toBe('gid://shopify/Customer/7021');
  });

  it.each(['', 'abc', '-1', '1.5', 'gid://shopify/Order/1'])('customerGid refuses %j', (id) => {
    expect(() => customerGid(id)).toThrow(ShopifyPayloadError);
  });

  it('customerGid refuses a number JSON.parse has rounded', () => {
    expect(() => customerGid(bigId('820982911946154508'))).toThrow(InvalidShopifyIdError);
  });
});
