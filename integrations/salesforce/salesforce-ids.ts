/**
 * Salesforce record ids in their two spellings: the 15-character form the UI
 * and some reports show (case-sensitive) and the 18-character form every API
 * returns, whose last three characters encode which of the first fifteen are
 * upper case, so that case-insensitive tools cannot confuse two ids. clv-sync
 * stores the 18-character form only, so one record always has one key.
 *
 * The suffix: split the 15 characters into three chunks of five; for each
 * chunk, bit i is set when character i is an upper-case A–Z; the 5-bit number
 * indexes `A…Z0…5`. Salesforce compares the suffix case-insensitively.
 */
import { SalesforceRecordError } from './salesforce-errors.ts';

const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
const ID_SHAPE = /^[0-9A-Za-z]{15}(?:[0-9A-Za-z]{3})?$/;

/** Key prefixes of the standard objects clv-sync reads: fixed in every org. */
export const KEY_PREFIXES = {
  Account: '001',
  Contact: '003',
  Opportunity: '006',
  Order: '801',
  Organization: '00D',
} as const;

export type KeyPrefixed = keyof typeof KEY_PREFIXES;

function checksum(id15: string): string {
  let suffix = '';
  for (let chunk = 0; chunk < 15; chunk += 5) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const code = id15.charCodeAt(chunk + i);
      if (code >= 65 && code <= 90) bits += 2 ** i;
    }
    suffix += SUFFIX_ALPHABET[bits];
  }
  return suffix;
}

/** Whether two ids, each 15 or 18 characters, name the same record or org: the first 15 decide. */
export const sameSalesforceId = (a: string, b: string): boolean => a.slice(0, 15) === b.slice(0, 15);

/** Whether `id` has the shape of a record id: 15 alphanumerics, or 18 with a suffix matching the case of the first 15. */
export function isSalesforceId(id: string): boolean {
  if (!ID_SHAPE.test(id)) return false;
  return id.length === 15 || checksum(id.slice(0, 15)) === id.slice(15).toUpperCase();
}

/**
 * The 18-character form of a 15- or 18-character id (an 18-character id comes
 * back with its suffix in canonical upper case). With `object`, the id must
 * carry that object's key prefix: an Account id in a contact field is refused.
 * @param field where the id came from, for the error message.
 */
export function salesforceId18(id: string, field: string, object?: KeyPrefixed): string {
  const text = id.trim();
  if (!ID_SHAPE.test(text)) {
    throw new SalesforceRecordError(
      `${field} is ${JSON.stringify(id)}: expected a Salesforce id of 15 or 18 letters and digits`,
      { field },
    );
  }
  const id15 = text.slice(0, 15);
  const suffix = checksum(id15);
  if (text.length === 18 && text.slice(15).toUpperCase() !== suffix) {
    throw new SalesforceRecordError(
      `${field} is ${JSON.stringify(id)}: its last three characters do not match the case of the first fifteen ` +
        `(expected …${suffix}); the id was retyped or changed in case, copy it again from Salesforce`,
      { field },
    );
  }
  if (object && !id15.startsWith(KEY_PREFIXES[object])) {
    throw new SalesforceRecordError(
      `${field} is ${JSON.stringify(id)}: not ${/^[AEIOU]/.test(object) ? 'an' : 'a'} ${object} id (${object} ids start with ${KEY_PREFIXES[object]})`,
      { field },
    );
  }
  return id15 + suffix;
}
