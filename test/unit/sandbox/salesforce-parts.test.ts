/**
 * The Salesforce sandbox's building blocks, checked against real-world values:
 * ids as orgs print them, SOQL as clv-sync writes it, zips as tools write them.
 */
import { describe, expect, it } from 'vitest';
import { IdFactory, idSuffix, isWellFormedId, to18 } from '../../../sandbox/salesforce/ids.ts';
import type { SoqlSyntaxError } from '../../../sandbox/salesforce/soql.ts';
import { parseSoql } from '../../../sandbox/salesforce/soql.ts';
import { readZip, writeZip } from '../../../sandbox/salesforce/zip.ts';
import { coerceCsv, coerceJson, JsonTypeError } from '../../../sandbox/salesforce/field-values.ts';
import type { FieldDef } from '../../../sandbox/salesforce/schema.ts';

describe('ids', () => {
  it('computes the 18-character suffix as Salesforce does', () => {
    // Ids from Salesforce's documentation and real outbound messages, 15 → 18.
    expect(to18('001RM000003oLrH')).toBe('001RM000003oLrHYAU');
    expect(to18('0061N00000WD1sh')).toBe('0061N00000WD1shQAD');
    expect(to18('00Do0000000e0vQ')).toBe('00Do0000000e0vQEAQ');
    expect(idSuffix('000000000000000')).toBe('AAA');
  });

  it('checks shape and suffix', () => {
    expect(isWellFormedId('001RM000003oLrHYAU')).toBe(true);
    expect(isWellFormedId('001RM000003oLrHyau')).toBe(true);
    expect(isWellFormedId('001RM000003oLrHAAA')).toBe(false);
    expect(isWellFormedId('001RM000003oLr')).toBe(false);
    expect(isWellFormedId('001RM000003oLr!')).toBe(false);
  });

  it('mints distinct, well-formed ids per prefix', () => {
    const ids = new IdFactory('5g');
    const minted = Array.from({ length: 100 }, () => ids.next('003'));
    expect(new Set(minted).size).toBe(100);
    expect(minted.every((id) => id.startsWith('0035g') && isWellFormedId(id) && id.length === 18)).toBe(true);
  });
});

describe('SOQL parser', () => {
  it('reads the subset clv-sync sends', () => {
    const q = parseSoql(
      "select Id, BillToContact.Email from Order where Status = 'Activated' and (LastModifiedDate > 2024-01-01T00:00:00Z or Id in ('801000000000001')) order by LastModifiedDate desc nulls last limit 10 offset 5",
    );
    expect(q.fields.map((f) => f.path.join('.'))).toEqual(['Id', 'BillToContact.Email']);
    expect(q.from.name).toBe('Order');
    expect(q.orderBy).toEqual([expect.objectContaining({ descending: true, nullsLast: true })]);
    expect([q.limit, q.offset]).toEqual([10, 5]);
    expect(q.where).toMatchObject({
      kind: 'and',
      right: { kind: 'or', right: { kind: 'in', negated: false } },
    });
  });

  it('knows strings with escapes, date keywords and COUNT()', () => {
    const q = parseSoql(
      "SELECT COUNT() FROM Contact WHERE LastName = 'O\\'Brien' AND CreatedDate = LAST_N_DAYS:30",
    );
    expect(q.count).toBe(true);
    expect(q.where).toMatchObject({
      left: { value: { kind: 'string', value: "O'Brien" } },
      right: { value: { kind: 'dateKeyword', name: 'LAST_N_DAYS', n: 30 } },
    });
  });

  it('refuses what it does not understand, with a column', () => {
    const error = (soql: string) => {
      try {
        parseSoql(soql);
      } catch (err) {
        return err as SoqlSyntaxError;
      }
      throw new Error('parsed');
    };
    expect(error('SELECT Id FORM Contact')).toMatchObject({ column: 11 });
    // Parent-to-child subqueries run (REST answers them); a subquery inside one and semi-joins do not.
    expect(
      parseSoql('SELECT Id, (SELECT Id FROM Contacts WHERE Email != null LIMIT 2) FROM Account'),
    ).toMatchObject({
      subqueries: [
        { relationship: { name: 'Contacts', column: 28 }, query: { limit: 2, fields: [{ path: ['Id'] }] } },
      ],
    });
    expect(
      error('SELECT Id, (SELECT Id, (SELECT Id FROM Notes) FROM Contacts) FROM Account').detail,
    ).toContain('nested subqueries');
    expect(error('SELECT Id FROM Contact WHERE AccountId IN (SELECT Id FROM Account)').detail).toContain(
      'semi-join',
    );
    expect(error('SELECT COUNT(Id) FROM Contact').detail).toContain('COUNT');
    expect(error("SELECT Id FROM Contact WHERE Name = 'open").detail).toContain('unexpected token');
  });
});

describe('field values', () => {
  const currency: FieldDef = {
    name: 'CLV_Predicted__c',
    label: 'Predicted CLV',
    type: 'currency',
    updateable: true,
    custom: true,
    nillable: true,
    precision: 16,
    scale: 2,
  };

  it('deserialises JSON leniently where Salesforce does and rejects the rest', () => {
    expect(coerceJson(currency, '12.345')).toEqual({ ok: true, value: 12.35 });
    expect(() => coerceJson(currency, 'lots')).toThrow(JsonTypeError);
    expect(coerceJson(currency, 1e15)).toMatchObject({
      ok: false,
      error: { statusCode: 'NUMBER_OUTSIDE_VALID_RANGE' },
    });
  });

  it('reads Bulk CSV cells: empty leaves alone, #N/A nulls', () => {
    expect(coerceCsv(currency, '')).toBeUndefined();
    expect(coerceCsv(currency, '#N/A')).toEqual({ ok: true, value: null });
    expect(coerceCsv(currency, 'abc')).toMatchObject({
      ok: false,
      error: { statusCode: 'INVALID_TYPE_ON_FIELD_IN_RECORD' },
    });
  });
});

describe('zip', () => {
  it('round-trips files', () => {
    const files = readZip(
      writeZip({ 'package.xml': '<Package/>', 'objects/Contact.object': 'x'.repeat(5000) }),
    );
    expect(files.get('package.xml')!.toString()).toBe('<Package/>');
    expect(files.get('objects/Contact.object')!.length).toBe(5000);
    expect(() => readZip(Buffer.from('not a zip at all, really not'))).toThrow('not a zip file');
  });
});
