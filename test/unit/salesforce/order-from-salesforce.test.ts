import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { catchError } from '../../helpers/catch-error.ts';
import {
  orderFromSalesforce,
  readSalesforceRecord,
  salesforceOrderId,
} from '../../../integrations/salesforce/order-from-salesforce.ts';
import { parseOutboundMessage } from '../../../integrations/salesforce/outbound-message.ts';
import {
  ForeignCurrencyError,
  SalesforceOrderWithoutCustomerError,
  SalesforceRecordError,
} from '../../../integrations/salesforce/salesforce-errors.ts';
import { OrderSchema } from '../../../shared/store/order.ts';
import { ForeignCurrencyError as StoreForeignCurrencyError } from '../../../shared/store/orders.ts';
import { OrgState, generateOrgHistory, outboundMessage, to18 } from '../../../sandbox/salesforce/index.ts';
import { notificationsFromOrg } from '../../../sandbox/salesforce/outbound-sender.ts';

const B2C = { currency: 'USD', salesforceGrain: 'contact' } as const;
const B2B = { currency: 'USD', salesforceGrain: 'account' } as const;

const ORDER_ID = to18('8015g00000Qw7Er');
const ACCOUNT_ID = to18('0015g00000Qw7Er');
const CONTACT_ID = to18('0035g00000Zx9Kt');
const OPP_ID = to18('0065g00000Lm3Np');

/** An activated Order as an outbound message carries it: every value text. */
const orderFields = (over: Record<string, string | null> = {}): Record<string, string | null> => ({
  Id: ORDER_ID,
  AccountId: ACCOUNT_ID,
  BillToContactId: CONTACT_ID,
  TotalAmount: '45000.0',
  EffectiveDate: '2024-01-31',
  Status: 'Activated',
  LastModifiedDate: '2024-01-31T09:15:00.000Z',
  ...over,
});

/** An order as the engine stores it from Salesforce: nothing refunded, no margin, in USD, not cancelled unless said. */
const storedOrder = (over: Record<string, unknown>) => ({
  source: 'salesforce',
  refunded: 0,
  currency: 'USD',
  margin: null,
  cancelled: false,
  ...over,
});

const opportunityFields = (over: Record<string, string | null> = {}): Record<string, string | null> => ({
  Id: OPP_ID,
  AccountId: ACCOUNT_ID,
  ContactId: CONTACT_ID,
  Amount: '1200.5',
  CloseDate: '2024-03-15',
  StageName: 'Closed Won',
  IsWon: 'true',
  LastModifiedDate: '2024-03-15T16:04:05.000Z',
  ...over,
});

const errorOf = (fn: () => unknown) => catchError(fn) as Error;

describe('orderFromSalesforce: Order', () => {
  it('reads an activated Order from an outbound message built by the sandbox org', () => {
    const history = generateOrgHistory({
      orders: 20,
      contacts: 8,
      accounts: 4,
      seed: 11,
      currency: 'USD',
      start: '2024-01-01',
      end: '2024-06-30',
    });
    const org = new OrgState({ orgId: to18('00D5g000004XyZa'), dailyApiLimit: 1000 });
    org.load(history);
    const records = history.orders.filter((o) => !o.IsReductionOrder).slice(0, 3);
    // The sandbox writes values as the enterprise WSDL does: 45.0 for currency, dates, date-times.
    const notifications = notificationsFromOrg(
      org,
      'Order',
      records.map((r) => r.Id),
      ['AccountId', 'BillToContactId', 'TotalAmount', 'EffectiveDate', 'Status', 'LastModifiedDate'],
    );
    const xml = outboundMessage({
      orgId: org.orgId,
      actionId: to18('04k5g000000PqRs'),
      enterpriseUrl: 'https://x.my.salesforce.com/services/Soap/c/62.0/00D5g000004XyZa',
      partnerUrl: 'https://x.my.salesforce.com/services/Soap/u/62.0/00D5g000004XyZa',
      notifications,
    });
    const parsed = parseOutboundMessage(xml).notifications;
    expect(parsed.map((n) => orderFromSalesforce(n.fields, 'Order', B2C))).toEqual(
      records.map((record) =>
        storedOrder({
          orderId: `Order:${record.Id}`,
          version: record.LastModifiedDate,
          customer: { salesforceContactId: record.BillToContactId },
          placedAt: `${String(record.EffectiveDate)}T00:00:00.000Z`,
          value: Number(record.TotalAmount),
        }),
      ),
    );
  });

  it('reads the REST/SOQL shape: numbers, +0000 offsets, 15-character ids and the contact email relationship', () => {
    const record = {
      attributes: { type: 'Order', url: `/services/data/v62.0/sobjects/Order/${ORDER_ID}` },
      Id: ORDER_ID.slice(0, 15),
      AccountId: ACCOUNT_ID,
      BillToContactId: CONTACT_ID.slice(0, 15),
      BillToContact: { attributes: { type: 'Contact' }, Email: ' Ana.Silva@Example.com ' },
      TotalAmount: 99.95,
      EffectiveDate: '2024-02-29',
      Status: 'Activated',
      StatusCode: 'Activated',
      LastModifiedDate: '2024-03-01T10:00:00.000+0000',
      SystemModstamp: '2024-03-01T10:00:05.000+0000',
      CurrencyIsoCode: 'usd',
    };
    expect(orderFromSalesforce(record, 'Order', B2C)).toEqual(
      storedOrder({
        orderId: `Order:${ORDER_ID}`,
        // SystemModstamp moved after LastModifiedDate (a roll-up): the later one is the version
        version: '2024-03-01T10:00:05.000Z',
        customer: { salesforceContactId: CONTACT_ID, email: 'Ana.Silva@Example.com' },
        placedAt: '2024-02-29T00:00:00.000Z',
        value: 99.95,
      }),
    );
  });

  it('reads the Bulk API CSV shape: flat relationship columns and empty strings for null', () => {
    const order = orderFromSalesforce(
      orderFields({ 'BillToContact.Email': 'ben@example.org', CurrencyIsoCode: '', SystemModstamp: '' }),
      'Order',
      B2C,
    );
    expect(order?.customer).toEqual({ salesforceContactId: CONTACT_ID, email: 'ben@example.org' });
    expect(order?.version).toBe('2024-01-31T09:15:00.000Z');
    const noEmail = orderFromSalesforce(orderFields({ 'BillToContact.Email': '' }), 'Order', B2C);
    expect(noEmail?.customer).toEqual({ salesforceContactId: CONTACT_ID });
  });

  it('reads amounts as the SOAP API writes them, exponent form included', () => {
    const value = (TotalAmount: string | number) =>
      orderFromSalesforce({ ...orderFields(), TotalAmount }, 'Order', B2C)?.value;
    expect(value('1.0E7')).toBe(10_000_000);
    expect(value('1.2345678E7')).toBe(12_345_678);
    expect(value('0.0')).toBe(0);
    expect(value('19.99')).toBe(19.99);
    expect(value(0)).toBe(0);
  });

  it('refuses as a record error an amount too large to keep to the cent, which DynamoDB could not store', () => {
    const read = (TotalAmount: string) => () =>
      orderFromSalesforce({ ...orderFields(), TotalAmount }, 'Order', B2C);
    expect(read('9999999999999999.99')).toThrow(SalesforceRecordError);
    expect(read('-1.0E17')).toThrow(/too large to keep to the cent/);
    expect(read('90071992547409.00')).not.toThrow();
  });

  it('a Draft order is not a purchase: null, or a cancelled Order to replace a stored version', () => {
    const draft = orderFields({ Status: 'Draft', LastModifiedDate: '2024-02-02T08:00:00.000Z' });
    expect(orderFromSalesforce(draft, 'Order', B2C)).toBeNull();
    const reading = readSalesforceRecord(draft, 'Order', B2C);
    expect(reading).toEqual({
      kind: 'not-a-purchase',
      reason: 'order status Draft (Draft): not activated',
      cancelled: storedOrder({
        orderId: `Order:${ORDER_ID}`,
        version: '2024-02-02T08:00:00.000Z',
        customer: { salesforceContactId: CONTACT_ID },
        placedAt: '2024-01-31T00:00:00.000Z',
        value: 0,
        cancelled: true,
      }),
    });
  });

  it('reads a custom Status by its StatusCode, and asks for StatusCode when only a custom Status is sent', () => {
    expect(
      orderFromSalesforce(orderFields({ Status: 'Shipped', StatusCode: 'Activated' }), 'Order', B2C),
    ).not.toBeNull();
    expect(
      orderFromSalesforce(orderFields({ Status: 'In review', StatusCode: 'Draft' }), 'Order', B2C),
    ).toBeNull();
    const error = errorOf(() => orderFromSalesforce(orderFields({ Status: 'Shipped' }), 'Order', B2C));
    expect(error).toBeInstanceOf(SalesforceRecordError);
    expect((error as SalesforceRecordError).field).toBe('StatusCode');
    expect(error.message).toMatch(/"Shipped".*add StatusCode/);
    const none = errorOf(() => orderFromSalesforce(orderFields({ Status: null }), 'Order', B2C));
    expect((none as SalesforceRecordError).field).toBe('Status'); // StatusCode is Draft or Activated (Object Reference, OrderStatus); a label in its place is refused by name.
    const label = errorOf(() =>
      orderFromSalesforce(orderFields({ Status: 'Shipped', StatusCode: 'Shipped' }), 'Order', B2C),
    );
    expect((label as SalesforceRecordError).field).toBe('StatusCode');
    // Bulk CSV's empty StatusCode is null: the standard label is then read.
    expect(
      orderFromSalesforce(orderFields({ Status: 'Activated', StatusCode: '' }), 'Order', B2C),
    ).not.toBeNull();
  });

  it('a reduction order is not a purchase and never stored on its own', () => {
    const reduction = orderFields({ IsReductionOrder: 'true', TotalAmount: '-45.0' });
    expect(orderFromSalesforce(reduction, 'Order', B2C)).toBeNull();
    expect(readSalesforceRecord(reduction, 'Order', B2C)).toMatchObject({
      kind: 'not-a-purchase',
      reason: expect.stringMatching(/reduction order/),
      cancelled: null,
    });
  });

  it('takes refunds a backfill summed off the value', () => {
    const order = orderFromSalesforce(orderFields({ TotalAmount: '100.0' }), 'Order', B2C, { refunded: 30 });
    expect(order).toMatchObject({ value: 70, refunded: 30 });
    const over = orderFromSalesforce(orderFields({ TotalAmount: '100.0' }), 'Order', B2C, { refunded: 130 });
    expect(over).toMatchObject({ value: 0, refunded: 100 });
  });

  it('account grain: the customer is the Account', () => {
    const order = orderFromSalesforce(
      orderFields({ AccountId: ACCOUNT_ID.slice(0, 15), 'BillToContact.Email': 'x@example.com' }),
      'Order',
      B2B,
    );
    expect(order?.customer).toEqual({ salesforceAccountId: ACCOUNT_ID });
  });

  it('no customer at the grain is a named error telling what to set', () => {
    const contact = errorOf(() => orderFromSalesforce(orderFields({ BillToContactId: null }), 'Order', B2C));
    expect(contact).toBeInstanceOf(SalesforceOrderWithoutCustomerError);
    expect(contact.message).toMatch(/no BillToContactId.*set BillToContactId/);
    expect((contact as SalesforceOrderWithoutCustomerError).orderId).toBe(`Order:${ORDER_ID}`);
    const account = errorOf(() => orderFromSalesforce(orderFields({ AccountId: null }), 'Order', B2B));
    expect(account).toBeInstanceOf(SalesforceOrderWithoutCustomerError);
    expect(account.message).toMatch(/no AccountId/);
    // An email alone still names a person at the contact grain.
    expect(
      orderFromSalesforce(
        orderFields({ BillToContactId: null, 'BillToContact.Email': 'a@b.co' }),
        'Order',
        B2C,
      )?.customer,
    ).toEqual({ email: 'a@b.co' });
  });

  it('a foreign CurrencyIsoCode is the store’s ForeignCurrencyError; the tenant’s own is fine', () => {
    const error = errorOf(() => orderFromSalesforce(orderFields({ CurrencyIsoCode: 'EUR' }), 'Order', B2C));
    expect(error).toBeInstanceOf(ForeignCurrencyError);
    expect(error).toBeInstanceOf(StoreForeignCurrencyError);
    expect(error.message).toMatch(/in EUR \(CurrencyIsoCode\) but the workspace scores in USD/);
    expect(orderFromSalesforce(orderFields({ CurrencyIsoCode: 'USD' }), 'Order', B2C)?.currency).toBe('USD');
    // A draft in another currency counts zero whatever its currency: no error.
    expect(
      readSalesforceRecord(orderFields({ CurrencyIsoCode: 'EUR', Status: 'Draft' }), 'Order', B2C).kind,
    ).toBe('not-a-purchase');
  });

  it('names the field of every value that is not what its type says', () => {
    const cases: [Record<string, string | null>, string, RegExp][] = [
      [{ TotalAmount: 'abc' }, 'TotalAmount', /decimal amount/],
      [{ TotalAmount: 'NaN' }, 'TotalAmount', /decimal amount/],
      [{ TotalAmount: 'Infinity' }, 'TotalAmount', /decimal amount/],
      [{ TotalAmount: '1e999' }, 'TotalAmount', /decimal amount/],
      [{ TotalAmount: '-5.0' }, 'TotalAmount', /below zero.*reduction order/],
      [{ TotalAmount: null }, 'TotalAmount', /empty or was not sent; add TotalAmount/],
      [{ EffectiveDate: '2024-02-30' }, 'EffectiveDate', /expected a date/],
      [{ EffectiveDate: '31/01/2024' }, 'EffectiveDate', /expected a date/],
      [{ EffectiveDate: null }, 'EffectiveDate', /add EffectiveDate/],
      [{ LastModifiedDate: '2024-01-31T25:00:00Z' }, 'LastModifiedDate', /expected a date-time/],
      [{ LastModifiedDate: '2024-01-31' }, 'LastModifiedDate', /expected a date-time/],
      [{ LastModifiedDate: null }, 'LastModifiedDate', /add LastModifiedDate/],
      [{ BillToContactId: ACCOUNT_ID }, 'BillToContactId', /not a Contact id/],
      [{ BillToContactId: `${CONTACT_ID.slice(0, 15)}ZZZ` }, 'BillToContactId', /do not match the case/],
      [{ Id: OPP_ID }, 'Id', /not an Order id/],
      [{ CurrencyIsoCode: 'US' }, 'CurrencyIsoCode', /three-letter/],
      [{ IsReductionOrder: 'yes' }, 'IsReductionOrder', /Invalid/i],
    ];
    for (const [over, field, message] of cases) {
      const error = errorOf(() => orderFromSalesforce(orderFields(over), 'Order', B2C));
      expect(error, JSON.stringify(over)).toBeInstanceOf(SalesforceRecordError);
      expect((error as SalesforceRecordError).field, JSON.stringify(over)).toBe(field);
      expect(error.message, JSON.stringify(over)).toMatch(message);
    }
    expect(
      errorOf(() => orderFromSalesforce({ ...orderFields(), TotalAmount: NaN }, 'Order', B2C)),
    ).toBeInstanceOf(SalesforceRecordError);
  });

  it('whatever the fields hold, the answer is a valid Order, null or a named error: never NaN', () => {
    const anyValue = fc.oneof(
      fc.string(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.constantFrom('1.0E7', '-0.0', '12.', '.5', '2024-02-29', '2024-01-31T09:15:00.000+0000', 'Draft'),
    );
    const fields = [
      'TotalAmount',
      'EffectiveDate',
      'Status',
      'LastModifiedDate',
      'SystemModstamp',
      'CurrencyIsoCode',
    ];
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...fields), anyValue), (over) => {
        try {
          const order = orderFromSalesforce({ ...orderFields(), ...over }, 'Order', B2C);
          if (order) {
            expect(OrderSchema.safeParse(order).success).toBe(true);
            expect(Number.isFinite(order.value)).toBe(true);
            expect(Number.isNaN(Date.parse(order.placedAt))).toBe(false);
          }
        } catch (error) {
          expect(error).toSatisfy(
            (e) =>
              e instanceof SalesforceRecordError ||
              e instanceof ForeignCurrencyError ||
              e instanceof SalesforceOrderWithoutCustomerError,
          );
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('orderFromSalesforce: Opportunity', () => {
  it('reads a won Opportunity with its primary contact, apart from any Order', () => {
    const order = orderFromSalesforce(opportunityFields(), 'Opportunity', B2C);
    expect(order).toEqual(
      storedOrder({
        orderId: `Opportunity:${OPP_ID}`,
        version: '2024-03-15T16:04:05.000Z',
        customer: { salesforceContactId: CONTACT_ID },
        placedAt: '2024-03-15T00:00:00.000Z',
        value: 1200.5,
      }),
    );
    expect(salesforceOrderId('Opportunity', OPP_ID.slice(0, 15))).toBe(`Opportunity:${OPP_ID}`);
    expect(salesforceOrderId('Order', ORDER_ID)).toBe(`Order:${ORDER_ID}`);
    expect(orderFromSalesforce(opportunityFields(), 'Opportunity', B2B)?.customer).toEqual({
      salesforceAccountId: ACCOUNT_ID,
    });
  });

  it('the customer is the primary contact role (OpportunityContactRoles subquery, REST shape), else ContactId', () => {
    // Opportunity has no Contact relationship (Enterprise WSDL): its contact and email come from the
    // primary OpportunityContactRole, as backfill.ts's subquery reads it.
    const primary = to18('0035g00000Pr1Mx');
    const withRole = {
      ...opportunityFields(),
      OpportunityContactRoles: {
        totalSize: 1,
        done: true,
        records: [
          {
            attributes: { type: 'OpportunityContactRole' },
            ContactId: primary.slice(0, 15),
            Contact: { attributes: { type: 'Contact' }, Email: ' buyer@example.com ' },
          },
        ],
      },
    };
    expect(orderFromSalesforce(withRole, 'Opportunity', B2C)?.customer).toEqual({
      salesforceContactId: primary,
      email: 'buyer@example.com',
    });
    // No primary role: REST answers null for the subquery; the Opportunity's own ContactId is the customer.
    expect(
      orderFromSalesforce({ ...opportunityFields(), OpportunityContactRoles: null }, 'Opportunity', B2C)
        ?.customer,
    ).toEqual({ salesforceContactId: CONTACT_ID });
    // A `Contact` relationship on an Opportunity does not exist; nothing is read from one.
    expect(
      orderFromSalesforce({ ...opportunityFields(), Contact: { Email: 'c@example.com' } }, 'Opportunity', B2C)
        ?.customer,
    ).toEqual({ salesforceContactId: CONTACT_ID });
    const bad = errorOf(() =>
      orderFromSalesforce(
        { ...withRole, OpportunityContactRoles: { records: [{ ContactId: 'not-an-id' }] } },
        'Opportunity',
        B2C,
      ),
    );
    expect(bad).toBeInstanceOf(SalesforceRecordError);
    expect((bad as SalesforceRecordError).field).toMatch(/^OpportunityContactRoles/);
  });

  it('an open or lost deal is not a purchase; a reopened one can replace its stored version', () => {
    expect(
      orderFromSalesforce(
        opportunityFields({ IsWon: 'false', StageName: 'Closed Lost' }),
        'Opportunity',
        B2C,
      ),
    ).toBeNull();
    expect(
      orderFromSalesforce(
        { ...opportunityFields({ StageName: 'Negotiation/Review' }), IsWon: false },
        'Opportunity',
        B2C,
      ),
    ).toBeNull();
    const reopened = readSalesforceRecord(
      opportunityFields({ IsWon: 'false', StageName: 'Prospecting' }),
      'Opportunity',
      B2C,
    );
    expect(reopened).toMatchObject({
      kind: 'not-a-purchase',
      reason: 'opportunity not won (Prospecting)',
      cancelled: { orderId: `Opportunity:${OPP_ID}`, cancelled: true, value: 0 },
    });
  });

  it('reads the stage when IsWon is not sent, but only a standard one', () => {
    expect(orderFromSalesforce(opportunityFields({ IsWon: null }), 'Opportunity', B2C)).not.toBeNull();
    expect(
      orderFromSalesforce(opportunityFields({ IsWon: null, StageName: 'Qualification' }), 'Opportunity', B2C),
    ).toBeNull();
    const custom = errorOf(() =>
      orderFromSalesforce(opportunityFields({ IsWon: null, StageName: 'Signed' }), 'Opportunity', B2C),
    );
    expect(custom).toBeInstanceOf(SalesforceRecordError);
    expect((custom as SalesforceRecordError).field).toBe('IsWon');
    expect(custom.message).toMatch(/"Signed".*add IsWon/);
  });

  it('a won deal needs an Amount, and its contact in ContactId', () => {
    const amount = errorOf(() =>
      orderFromSalesforce(opportunityFields({ Amount: null }), 'Opportunity', B2C),
    );
    expect((amount as SalesforceRecordError).field).toBe('Amount');
    expect(amount.message).toMatch(/won opportunity needs an Amount/);
    const contact = errorOf(() =>
      orderFromSalesforce(opportunityFields({ ContactId: null }), 'Opportunity', B2C),
    );
    expect(contact).toBeInstanceOf(SalesforceOrderWithoutCustomerError);
    expect(contact.message).toMatch(/no ContactId/);
    const wrongObject = errorOf(() =>
      orderFromSalesforce(opportunityFields({ Id: ORDER_ID }), 'Opportunity', B2C),
    );
    expect(wrongObject.message).toMatch(/not an Opportunity id/);
  });
});
