import { afterEach, describe, expect, it, vi } from 'vitest';
import { identityFromValue, referrerFrom, refParameter } from '../../../integrations/shopify/referral.ts';

// The longest email (RFC 5321 §4.5.3.1.3: a 256-octet path, less its angle brackets).
const MAX_REFERRAL_VALUE_LENGTH = 254;

const none = { discountCodes: [], attributes: [] };

describe('referrerFrom', () => {
  it.each([
    ['REF-7021', { shopifyCustomerId: '7021' }],
    ['REF7021', { shopifyCustomerId: '7021' }],
    ['ref-7021', { shopifyCustomerId: '7021' }],
    [' Ref7021 ', { shopifyCustomerId: '7021' }],
  ])('reads the discount code %j', (code, expected) => {
    expect(referrerFrom({ ...none, discountCodes: ['SUMMER10', code] })).toEqual(expected);
  });

  it.each(['SUMMER10', 'REF-', 'REF-ana', 'REFERRAL2026X', 'PREF-7021', 'REF-0'])(
    'passes over the code %j',
    (code) => {
      expect(referrerFrom({ ...none, discountCodes: [code] })).toBeUndefined();
    },
  );

  it.each([
    [{ name: 'referred_by', value: 'Ana.Silva@Example.com' }, { email: 'ana.silva@example.com' }],
    [{ name: 'Referrer', value: '7021' }, { shopifyCustomerId: '7021' }],
    [{ key: 'ref', value: 'REF-7021' }, { shopifyCustomerId: '7021' }],
    [{ key: 'ref', value: 'gid://shopify/Customer/7021' }, { shopifyCustomerId: '7021' }],
  ])('reads the attribute %j', (attribute, expected) => {
    expect(referrerFrom({ ...none, attributes: [{ name: 'gift_wrap', value: 'yes' }, attribute] })).toEqual(
      expected,
    );
  });

  it.each([
    { name: 'referred_by', value: 'my friend Ana' },
    { name: 'referred_by', value: '' },
    { name: 'referred_by', value: null },
    { name: 'source', value: '7021' },
  ])('passes over the attribute %j', (attribute) => {
    expect(referrerFrom({ ...none, attributes: [attribute] })).toBeUndefined();
  });

  it.each([
    ['https://shop.example/?ref=7021', { shopifyCustomerId: '7021' }],
    ['/products/mug?utm_source=ig&ref=ana%40example.com', { email: 'ana@example.com' }],
    ['/collections/all?ref=REF-7021#top', { shopifyCustomerId: '7021' }],
    ['/?ref=', undefined],
    ['/?referral=7021', undefined],
    ['http://[not a url', undefined],
    [null, undefined],
  ])('reads the landing page %j', (landingUrl, expected) => {
    expect(referrerFrom({ ...none, landingUrl })).toEqual(expected);
  });

  it('takes the first match: code, then attribute, then landing page', () => {
    const all = {
      discountCodes: ['REF-1'],
      attributes: [{ name: 'ref', value: '2' }],
      landingUrl: '/?ref=3',
    };
    expect(referrerFrom(all)).toEqual({ shopifyCustomerId: '1' });
    expect(referrerFrom({ ...all, discountCodes: [] })).toEqual({ shopifyCustomerId: '2' });
    expect(referrerFrom({ ...all, discountCodes: [], attributes: [] })).toEqual({ shopifyCustomerId: '3' });
  });

  it('skips a self-referral and keeps looking', () => {
    const signals = {
      discountCodes: ['REF-1'],
      attributes: [{ name: 'referred_by', value: 'Me+shop@gmail.com' }],
      landingUrl: '/?ref=friend@example.com',
    };
    expect(referrerFrom({ ...signals, self: { shopifyCustomerId: '1', email: 'me@gmail.com' } })).toEqual({
      email: 'friend@example.com',
    });
    expect(
      referrerFrom({ ...signals, landingUrl: null, self: { shopifyCustomerId: '1', email: 'me@gmail.com' } }),
    ).toBeUndefined();
  });
});

describe('helpers', () => {
  it('identityFromValue', () => {
    expect(identityFromValue(' 00123 ')).toEqual({ shopifyCustomerId: '123' });
    expect(identityFromValue('a b@c.d')).toBeUndefined();
  });

  it('refParameter', () => {
    expect(refParameter('https://shop.example/x?ref=a&ref=b')).toBe('a');
    expect(refParameter('')).toBeUndefined();
  });
});

describe('shopper-typed values are bounded before any pattern sees them', () => {
  afterEach(() => void vi.restoreAllMocks());

  // Every RegExp method (test, replace, match) runs through exec, so this sees every pattern's input.
  const longestMatched = (run: () => unknown): number => {
    let longest = 0;
    const exec = RegExp.prototype.exec;
    vi.spyOn(RegExp.prototype, 'exec').mockImplementation(function (this: RegExp, text: string) {
      longest = Math.max(longest, String(text).length);
      return exec.call(this, text);
    });
    run();
    return longest;
  };
  // The shape that made `^[^\s@]+@[^\s@]+\.[^\s@]+$` backtrack quadratically: a long run of dots.
  const hostile = `a@${'.'.repeat(20_000)}@`;

  it('an over-long attribute, ?ref= value or code is passed over without matching it', () => {
    const longest = longestMatched(() =>
      referrerFrom({
        discountCodes: [`REF-${'.'.repeat(20_000)}`],
        attributes: [{ name: 'referred_by', value: hostile }],
        landingUrl: `/?ref=${encodeURIComponent(hostile)}`,
      }),
    );
    expect(longest).toBeLessThanOrEqual(MAX_REFERRAL_VALUE_LENGTH);
    expect(identityFromValue(`ana@${'x'.repeat(MAX_REFERRAL_VALUE_LENGTH)}.com`)).toBeUndefined();
  });

  it('values up to the longest email still count', () => {
    const email = `${'a'.repeat(64)}@${'b'.repeat(MAX_REFERRAL_VALUE_LENGTH - 69)}.com`;
    expect(email).toHaveLength(MAX_REFERRAL_VALUE_LENGTH);
    expect(identityFromValue(email)).toEqual({ email });
    expect(identityFromValue('a@.b.c')).toEqual({ email: 'a@.b.c' });
    expect(identityFromValue('a@b.')).toBeUndefined();
    expect(identityFromValue('a@.b')).toBeUndefined();
    expect(identityFromValue('a@b@c.d')).toBeUndefined();
  });
});
