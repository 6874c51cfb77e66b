import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SalesforceRecordError } from '../../../integrations/salesforce/salesforce-errors.ts';
import { isSalesforceId, salesforceId18 } from '../../../integrations/salesforce/salesforce-ids.ts';
import { isWellFormedId, to18 } from '../../../sandbox/salesforce/index.ts';

const ALNUM = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const id15 = fc
  .array(fc.constantFrom(...ALNUM), { minLength: 15, maxLength: 15 })
  .map((chars) => chars.join(''));

describe('salesforceId18', () => {
  it('adds the case-encoding suffix to a 15-character id', () => {
    // 001A0 → A at position 3 → 8 → I; 00000 → A; 6Vm9r → V at position 1 → 2 → C
    expect(salesforceId18('001A0000006Vm9r', 'AccountId')).toBe('001A0000006Vm9rIAC');
    expect(salesforceId18('0035g00000Zx9Kt', 'BillToContactId', 'Contact')).toBe('0035g00000Zx9KtAAJ');
    expect(salesforceId18('00000000000000000000'.slice(0, 15), 'Id')).toBe('000000000000000AAA');
    expect(salesforceId18('ZZZZZZZZZZZZZZZ', 'Id')).toBe('ZZZZZZZZZZZZZZZ555');
  });

  it('keeps an 18-character id, its suffix in canonical case', () => {
    expect(salesforceId18('001A0000006Vm9rIAC', 'AccountId', 'Account')).toBe('001A0000006Vm9rIAC');
    expect(salesforceId18('001A0000006Vm9riac', 'AccountId', 'Account')).toBe('001A0000006Vm9rIAC');
    expect(salesforceId18(' 001A0000006Vm9r ', 'AccountId')).toBe('001A0000006Vm9rIAC');
  });

  it('agrees with the sandbox org for any 15 characters, and 15 → 18 → 18 is stable', () => {
    fc.assert(
      fc.property(id15, (id) => {
        const long = salesforceId18(id, 'Id');
        expect(long).toBe(to18(id));
        expect(isWellFormedId(long)).toBe(true);
        expect(salesforceId18(long, 'Id')).toBe(long);
        expect(isSalesforceId(long)).toBe(true);
      }),
    );
  });

  it('tells apart two ids that differ only in case', () => {
    fc.assert(
      fc.property(id15, fc.nat(14), (id, at) => {
        const c = id[at]!;
        const flipped = c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase();
        fc.pre(flipped !== c);
        const other = id.slice(0, at) + flipped + id.slice(at + 1);
        expect(salesforceId18(other, 'Id')).not.toBe(salesforceId18(id, 'Id'));
        expect(salesforceId18(other, 'Id').toLowerCase()).not.toBe(salesforceId18(id, 'Id').toLowerCase());
      }),
    );
  });

  it('refuses a suffix that does not match, a wrong length, other characters and another object', () => {
    const cases: [string, string, RegExp][] = [
      ['001A0000006Vm9rAAA', 'Account', /do not match the case.*expected …IAC/],
      ['001A0000006Vm9', 'Account', /15 or 18 letters and digits/],
      ['001A0000006Vm9rIA', 'Account', /15 or 18 letters and digits/],
      ['001A0000006Vm9r-AC', 'Account', /15 or 18 letters and digits/],
      ['001A0000006Vm9rIAC', 'Contact', /not a Contact id \(Contact ids start with 003\)/],
    ];
    for (const [id, object, message] of cases) {
      let error: unknown;
      try {
        salesforceId18(id, 'BillToContactId', object as 'Account' | 'Contact');
      } catch (e) {
        error = e;
      }
      expect(error, id).toBeInstanceOf(SalesforceRecordError);
      expect((error as SalesforceRecordError).field).toBe('BillToContactId');
      expect((error as Error).message).toMatch(message);
    }
    expect(isSalesforceId('001A0000006Vm9rAAA')).toBe(false);
    expect(isSalesforceId('001A0000006Vm9r')).toBe(true);
  });
});
