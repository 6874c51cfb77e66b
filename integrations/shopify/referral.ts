/**
 * Who referred an order's customer, read from what a Shopify order carries.
 * These conventions are the merchant's instructions (docs/shopify.md, "Referrals"):
 *
 * 1. **Discount code** `REF-<customer id>` or `REF<customer id>`, any case
 *    (`REF-7021`, `ref7021`): the referrer is the Shopify customer with that
 *    id. Create one code per advocate in Discounts; it can be a 0 % code if
 *    the referral earns no discount.
 * 2. **Order attribute** (a cart attribute, which becomes a note attribute on
 *    the order, or a custom attribute on orders made in the admin or by API)
 *    named `referred_by`, `referrer` or `ref` (any case), whose value is the
 *    referrer's email (`ana@example.com`) or Shopify customer id (`7021`,
 *    `REF-7021` or `gid://shopify/Customer/7021`).
 * 3. **Landing page** with a `ref` query parameter of the same forms:
 *    `https://shop.example/?ref=7021`, `/products/mug?ref=ana%40example.com`.
 *    Shopify records the first page of the visit that led to the order
 *    (REST `landing_site`, GraphQL `customerJourneySummary.firstVisit.landingPage`),
 *    absolute or as a path; both are read.
 *
 * The first match in that order wins: a code typed at checkout says more than
 * a link followed weeks ago. Values that name no one we could recognise (a
 * name, a free-text note) are passed over, not errors: referral data is
 * written by people.
 *
 * Self-referral: a candidate naming the order's own customer (same Shopify
 * customer id, or the same email once normalised) is skipped here and the
 * next one considered, so a customer who types their own code still counts
 * as referred by the friend whose link brought them. The segments layer drops
 * self-referrals again after identities are merged (an email referrer that
 * turns out to be the customer's own account), so nothing self-referred is
 * ever credited.
 */
import type { CustomerIdentity } from '../../shared/store/order.ts';
import { normaliseEmail } from '../../shared/store/order.ts';

export interface ReferralAttribute {
  /** REST note attributes say `name`; GraphQL custom attributes say `key`. */
  name?: string | null;
  key?: string | null;
  value?: string | null;
}

export interface ReferralSignals {
  discountCodes: readonly string[];
  attributes: readonly ReferralAttribute[];
  /** The landing page, absolute (`https://shop.example/?ref=1`) or a path (`/?ref=1`). */
  landingUrl?: string | null;
  /** The order's own customer: a referrer equal to it is skipped. */
  self?: CustomerIdentity;
}

export const REFERRAL_ATTRIBUTE_NAMES = ['referred_by', 'referrer', 'ref'] as const;
export const REFERRAL_QUERY_PARAMETER = 'ref';

const CODE = /^REF-?(\d+)$/i;
const CUSTOMER_GID = /^gid:\/\/shopify\/Customer\/(\d+)$/;
const DIGITS = /^\d+$/;
// One @ with something either side and no spaces; the domain's dot is checked without a pattern
// (see isEmail), since `[^\s@]+\.[^\s@]+` backtracks quadratically on a long run of dots.
const ONE_AT = /^[^\s@]+@([^\s@]+)$/;

/**
 * The longest value that can name anyone. An email is at most 254 characters: RFC 5321 §4.5.3.1.3
 * limits a path to 256 octets including its angle brackets (RFC 3696, erratum 1003); ids, codes and
 * gids are far shorter. Attributes and `?ref=` values are typed by shoppers, so anything longer is
 * passed over before any pattern sees it.
 */
export const MAX_REFERRAL_VALUE_LENGTH = 254;

const bounded = (text: string): string | undefined =>
  text.length <= MAX_REFERRAL_VALUE_LENGTH ? text : undefined;

// Deliberately loose: one @, something either side, a dot inside the domain (not first or last), no spaces.
function isEmail(value: string): boolean {
  const domain = ONE_AT.exec(value)?.[1];
  return domain !== undefined && domain.slice(1, -1).includes('.');
}

/** A referral code's customer id, or undefined: `REF-7021` → `'7021'`. */
export function customerIdFromCode(code: string): string | undefined {
  const text = bounded(code.trim());
  return text === undefined ? undefined : CODE.exec(text)?.[1];
}

/** An attribute or `ref` parameter value as an identity: an email, a customer id, a REF code or a customer gid. */
export function identityFromValue(raw: string | null | undefined): CustomerIdentity | undefined {
  const value = bounded((raw ?? '').trim());
  if (!value) return undefined;
  if (isEmail(value)) return { email: value.toLowerCase() };
  const id = DIGITS.test(value) ? value : (customerIdFromCode(value) ?? CUSTOMER_GID.exec(value)?.[1]);
  if (id === undefined || /^0+$/.test(id)) return undefined;
  return { shopifyCustomerId: id.replace(/^0+/, '') };
}

/** The `ref` parameter of a landing URL, absolute or path-only; undefined when there is none or the URL is unreadable. */
export function refParameter(landingUrl: string | null | undefined): string | undefined {
  const text = (landingUrl ?? '').trim();
  if (!text) return undefined;
  try {
    return new URL(text, 'https://landing.invalid/').searchParams.get(REFERRAL_QUERY_PARAMETER) ?? undefined;
  } catch {
    return undefined;
  }
}

function isSelf(candidate: CustomerIdentity, self: CustomerIdentity | undefined): boolean {
  if (!self) return false;
  if (candidate.shopifyCustomerId && candidate.shopifyCustomerId === self.shopifyCustomerId) return true;
  return !!candidate.email && !!self.email && normaliseEmail(candidate.email) === normaliseEmail(self.email);
}

/** The referrer the order names, by the conventions above; undefined when it names none (or only itself). */
export function referrerFrom(signals: ReferralSignals): CustomerIdentity | undefined {
  const candidates: (CustomerIdentity | undefined)[] = [];
  for (const code of signals.discountCodes) {
    const id = customerIdFromCode(code);
    candidates.push(id === undefined ? undefined : identityFromValue(id));
  }
  for (const attribute of signals.attributes) {
    const name = (attribute.name ?? attribute.key ?? '').trim().toLowerCase();
    if ((REFERRAL_ATTRIBUTE_NAMES as readonly string[]).includes(name))
      candidates.push(identityFromValue(attribute.value));
  }
  candidates.push(identityFromValue(refParameter(signals.landingUrl)));
  return candidates.find((c): c is CustomerIdentity => c !== undefined && !isSelf(c, signals.self));
}
