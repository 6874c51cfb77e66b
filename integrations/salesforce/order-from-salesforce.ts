/**
 * A Salesforce Order or Opportunity record as the Order clv-sync stores
 * (shared/store/order.ts). The record may come from an outbound message
 * (every value a string: `45000.0`, `1.0E7`, `true`, `2024-01-31`), from REST
 * or SOQL (numbers, booleans, null, relationships as nested objects) or from a
 * Bulk API 2.0 CSV (strings, '' for null, relationships as `BillToContact.Email`).
 *
 * - orderId: `Order:<18-char Id>` or `Opportunity:<18-char Id>` (salesforceOrderId):
 *   the two objects are different things, kept apart even where a tenant uses
 *   both. Ids arrive as 15 or 18 characters and are stored as 18.
 * - version: the later of LastModifiedDate and SystemModstamp (a roll-up of
 *   order products moves SystemModstamp); at least one must be sent.
 * - placedAt: EffectiveDate (Order) or CloseDate (Opportunity), a date, as
 *   midnight UTC.
 * - value: TotalAmount (Order) or Amount (Opportunity), zero or more, less
 *   `options.refunded` (reduction orders against it, which a backfill sums).
 * - currency: CurrencyIsoCode (multi-currency orgs) else the tenant's; a
 *   purchase in another currency than the tenant's raises ForeignCurrencyError
 *   (clv-sync does not convert; Salesforce's own conversion is per org).
 * - customer, by the tenant's grain: contact → BillToContactId (Order) and,
 *   when the SOQL relationship brings it, BillToContact.Email; for an
 *   Opportunity its primary contact role (the `OpportunityContactRoles`
 *   subquery of backfill.ts: ContactId and Contact.Email), else its own
 *   ContactId (Opportunity has no Contact relationship to read an email
 *   through); account → AccountId. A purchase with no customer raises
 *   SalesforceOrderWithoutCustomerError.
 * - A purchase is an activated Order, by its status category: StatusCode
 *   `Activated`, whatever the Status label ("Shipped" counts when the org put
 *   it in Activated). Without StatusCode only the two standard values can be
 *   read (an outbound message deployed before StatusCode was in its field
 *   list sends Status alone); a custom Status without it is rejected, naming
 *   StatusCode. A won Opportunity is IsWon, else StageName `Closed Won`. Anything else
 *   (a Draft order, an open or lost opportunity, a reduction order) is not a
 *   purchase: readSalesforceRecord says why and gives the record as a
 *   cancelled Order, which the caller stores only over an earlier stored
 *   version (an order deactivated, a deal reopened), so it counts zero.
 *
 * Any field that is not what its type says raises SalesforceRecordError
 * naming the field; no NaN or impossible date reaches the store.
 */
import * as z from 'zod';
import type { CustomerIdentity, Order } from '../../shared/store/order.ts';
import { OrderSchema } from '../../shared/store/order.ts';
import {
  ForeignCurrencyError,
  SalesforceOrderWithoutCustomerError,
  SalesforceRecordError,
} from './salesforce-errors.ts';
import type { KeyPrefixed } from './salesforce-ids.ts';
import { salesforceId18 } from './salesforce-ids.ts';

export type SalesforceOrderObject = 'Order' | 'Opportunity';

export interface SalesforceTenant {
  currency: string;
  salesforceGrain: 'contact' | 'account';
}

export interface SalesforceOrderOptions {
  /**
   * Money returned by activated reduction orders against this order (their
   * TotalAmount summed, as a positive number): taken off the value and kept
   * as `refunded`. A backfill that queries reduction orders passes it; an
   * outbound message cannot know it.
   */
  refunded?: number;
}

/** What a record is to clv-sync. */
export type SalesforceRecordReading =
  | { kind: 'purchase'; order: Order }
  | {
      kind: 'not-a-purchase';
      /** Why, for the log line. */
      reason: string;
      /**
       * The record as a cancelled Order (value 0), to store over an earlier
       * stored version of it; null when it cannot replace one (a reduction
       * order, which is never stored on its own, or a record with no customer).
       */
      cancelled: Order | null;
    };

/** The stored order id of a record: its object and its 18-character id. */
export function salesforceOrderId(sObject: SalesforceOrderObject, id: string): string {
  return `${sObject}:${salesforceId18(id, 'Id', sObject)}`;
}

// --- field types, as every API spells them --------------------------------------------------------------

/** '' is how Bulk API CSV writes null. */
const blank = (v: unknown) => (v === '' ? null : v);

/** The largest amount whose cents a double still holds exactly (2^53 cents). */
const MAX_EXACT_AMOUNT = Math.floor(Number.MAX_SAFE_INTEGER / 100);

const DECIMAL = /^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:Z|[+-]\d{2}:?\d{2})$/;

/** A currency or double: a number, or a decimal as text (`45000.0`; the SOAP API writes `1.0E7` for large ones). */
const amountField = z.preprocess(
  blank,
  z
    .union([z.number(), z.string()])
    .transform((value, ctx) => {
      const n = typeof value === 'number' ? value : DECIMAL.test(value.trim()) ? Number(value.trim()) : NaN;
      if (!Number.isFinite(n)) {
        ctx.addIssue({ code: 'custom', input: value, message: 'expected a decimal amount such as 45000.0' });
        return z.NEVER;
      }
      // A Currency field holds up to 18 digits; past 2^53 cents a double no longer keeps the cents, and the
      // DynamoDB marshaller refuses the number. That is the record's fault: refused here as permanent, not
      // retried for Salesforce's 24 hours as a failure of ours.
      if (Math.abs(n) > MAX_EXACT_AMOUNT) {
        ctx.addIssue({
          code: 'custom',
          input: value,
          message: `amount above ${MAX_EXACT_AMOUNT}: too large to keep to the cent`,
        });
        return z.NEVER;
      }
      return n === 0 ? 0 : n;
    })
    .nullish(),
);

const booleanField = z.preprocess(
  blank,
  z
    .union([z.boolean(), z.enum(['true', 'false', 'TRUE', 'FALSE', 'True', 'False'])])
    .transform((v) => v === true || (typeof v === 'string' && v.toLowerCase() === 'true'))
    .nullish(),
);

const textField = z.preprocess(blank, z.string().trim().nullish());

function isCalendarDate(year: number, month: number, day: number): boolean {
  const d = new Date(Date.UTC(year, month - 1, day));
  return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
}

/** A date field (`2024-01-31`) as midnight UTC, ISO. */
const dateField = z.preprocess(
  blank,
  z
    .string()
    .transform((value, ctx) => {
      const m = DATE.exec(value.trim());
      if (!m || !isCalendarDate(Number(m[1]), Number(m[2]), Number(m[3]))) {
        ctx.addIssue({ code: 'custom', input: value, message: 'expected a date such as 2024-01-31' });
        return z.NEVER;
      }
      return `${m[0]}T00:00:00.000Z`;
    })
    .nullish(),
);

/** A datetime field (`2024-01-31T09:15:00.000Z`, REST's `…+0000`) as ISO UTC. */
const dateTimeField = z.preprocess(
  blank,
  z
    .string()
    .transform((value, ctx) => {
      const m = DATE_TIME.exec(value.trim());
      const [y, mo, d] = (m?.[1] ?? '').split('-').map(Number);
      const ms = Date.parse(value.trim());
      const valid =
        m !== null &&
        isCalendarDate(y!, mo!, d!) &&
        Number(m[2]) < 24 &&
        Number(m[3]) < 60 &&
        Number(m[4]) < 60 &&
        Number.isFinite(ms);
      if (!valid) {
        ctx.addIssue({
          code: 'custom',
          input: value,
          message: 'expected a date-time such as 2024-01-31T09:15:00.000Z',
        });
        return z.NEVER;
      }
      return new Date(ms).toISOString();
    })
    .nullish(),
);

const idField = (object: KeyPrefixed, field: string) =>
  z.preprocess(
    blank,
    z
      .string()
      .transform((value, ctx) => {
        try {
          return salesforceId18(value, field, object);
        } catch (error) {
          ctx.addIssue({ code: 'custom', input: value, message: (error as Error).message });
          return z.NEVER;
        }
      })
      .nullish(),
  );

const currencyField = z.preprocess(
  blank,
  z
    .string()
    .regex(/^[A-Za-z]{3}$/, 'expected a three-letter ISO currency code')
    .transform((c) => c.toUpperCase())
    .nullish(),
);

const common = {
  AccountId: idField('Account', 'AccountId'),
  LastModifiedDate: dateTimeField,
  SystemModstamp: dateTimeField,
  CurrencyIsoCode: currencyField,
};

const OrderRecordSchema = z.object({
  ...common,
  Id: idField('Order', 'Id'),
  BillToContactId: idField('Contact', 'BillToContactId'),
  TotalAmount: amountField,
  EffectiveDate: dateField,
  Status: textField,
  StatusCode: z.preprocess(blank, z.enum(['Draft', 'Activated']).nullish()),
  IsReductionOrder: booleanField,
});

const OpportunityRecordSchema = z.object({
  ...common,
  Id: idField('Opportunity', 'Id'),
  ContactId: idField('Contact', 'ContactId'),
  OpportunityContactRoles: z.preprocess(
    blank,
    z
      .object({
        records: z.array(
          z.looseObject({
            ContactId: idField('Contact', 'OpportunityContactRoles.ContactId'),
          }),
        ),
      })
      .nullish(),
  ),
  Amount: amountField,
  CloseDate: dateField,
  IsWon: booleanField,
  StageName: textField,
});

/** The standard stages of an Opportunity that are not won; a custom stage needs IsWon to be read. */
const STANDARD_OPEN_OR_LOST_STAGES = new Set([
  'Prospecting',
  'Qualification',
  'Needs Analysis',
  'Value Proposition',
  'Id. Decision Makers',
  'Perception Analysis',
  'Proposal/Price Quote',
  'Negotiation/Review',
  'Closed Lost',
]);

/** A relationship field: nested (`{ BillToContact: { Email } }`, REST/SOQL) or flat (`BillToContact.Email`, Bulk CSV). */
function relationshipText(record: Record<string, unknown>, relationship: string, field: string): unknown {
  const flat = record[`${relationship}.${field}`];
  if (flat !== undefined) return flat;
  const nested = record[relationship];
  if (nested && typeof nested === 'object') return (nested as Record<string, unknown>)[field];
  return undefined;
}

function recordError(sObject: string, id: unknown, error: z.ZodError): SalesforceRecordError {
  const issue = error.issues[0];
  const field = issue ? issue.path.map(String).join('.') : '';
  const which = typeof id === 'string' && id ? `${sObject} ${id}` : `an ${sObject} record`;
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more problem(s))` : '';
  return new SalesforceRecordError(
    `Salesforce ${which}: ${field || 'the record'}: ${issue?.message ?? 'invalid'}${more}`,
    { field, cause: error },
  );
}

function missing(orderId: string, field: string, why: string): SalesforceRecordError {
  return new SalesforceRecordError(`Salesforce ${orderId}: ${field} is empty or was not sent; ${why}`, {
    field,
  });
}

/** Whether an Order is a purchase, by its status category. */
function orderStatus(
  orderId: string,
  r: z.infer<typeof OrderRecordSchema>,
): { purchase: true } | { purchase: false; reason: string } {
  if (r.IsReductionOrder) {
    return {
      purchase: false,
      reason:
        'a reduction order (a return against its original order): its refund lowers the original order ' +
        'when the orders are next imported (backfill), not from one notification',
    };
  }
  // The category decides; the label only where it is one of the two standard values, which keep their category.
  const code = r.StatusCode ?? (r.Status === 'Activated' || r.Status === 'Draft' ? r.Status : undefined);
  if (code === undefined) {
    throw r.Status
      ? new SalesforceRecordError(
          `Salesforce ${orderId}: Status is "${r.Status}", a custom status whose category (Draft or Activated) ` +
            'clv-sync cannot tell; add StatusCode (Status Category) to the fields sent (`clv salesforce setup` ' +
            'deploys the outbound message with it)',
          { field: 'StatusCode' },
        )
      : missing(orderId, 'Status', 'add Status (or StatusCode) to the fields sent, so drafts are told apart');
  }
  if (code === 'Activated') return { purchase: true };
  return { purchase: false, reason: `order status ${r.Status ?? code} (${code}): not activated` };
}

function opportunityStatus(
  orderId: string,
  r: z.infer<typeof OpportunityRecordSchema>,
): { purchase: true } | { purchase: false; reason: string } {
  let won = r.IsWon;
  if (won === null || won === undefined) {
    if (r.StageName === 'Closed Won') won = true;
    else if (r.StageName && STANDARD_OPEN_OR_LOST_STAGES.has(r.StageName)) won = false;
    else
      throw r.StageName
        ? new SalesforceRecordError(
            `Salesforce ${orderId}: StageName is "${r.StageName}", a custom stage clv-sync cannot read as won or not; ` +
              'add IsWon to the fields sent',
            { field: 'IsWon' },
          )
        : missing(
            orderId,
            'IsWon',
            'add IsWon (or StageName) to the fields sent, so open deals are told apart',
          );
  }
  return won
    ? { purchase: true }
    : { purchase: false, reason: `opportunity not won (${r.StageName ?? 'IsWon false'})` };
}

/**
 * What a record is: a purchase as an Order, or not a purchase (with the
 * reason, and the record as a cancelled Order to replace an earlier stored one).
 */
export function readSalesforceRecord(
  record: Record<string, unknown>,
  sObject: SalesforceOrderObject,
  tenant: SalesforceTenant,
  options: SalesforceOrderOptions = {},
): SalesforceRecordReading {
  if (record === null || typeof record !== 'object' || Array.isArray(record))
    throw new SalesforceRecordError(`Salesforce ${sObject}: expected a record (an object of fields)`);
  const isOrder = sObject === 'Order';
  const parsed = (isOrder ? OrderRecordSchema : OpportunityRecordSchema).safeParse(record);
  if (!parsed.success) throw recordError(sObject, record.Id, parsed.error);
  const r = parsed.data as z.infer<typeof OrderRecordSchema> & z.infer<typeof OpportunityRecordSchema>;
  if (!r.Id) throw missing(sObject, 'Id', 'every record carries its Id; this is not a Salesforce record');
  const orderId = `${sObject}:${r.Id}`;

  const versions = [r.LastModifiedDate, r.SystemModstamp].filter((v): v is string => Boolean(v)).sort();
  const version = versions[versions.length - 1];
  if (!version)
    throw missing(orderId, 'LastModifiedDate', 'add LastModifiedDate (or SystemModstamp) to the fields sent');

  const customer = identityOf(record, r, sObject, tenant.salesforceGrain);
  const status = isOrder ? orderStatus(orderId, r) : opportunityStatus(orderId, r);

  if (!status.purchase) {
    const reduction = isOrder && r.IsReductionOrder === true;
    const cancelled =
      reduction || !customer
        ? null
        : checked(orderId, {
            source: 'salesforce' as const,
            orderId,
            version,
            customer,
            placedAt: (isOrder ? r.EffectiveDate : r.CloseDate) ?? version,
            value: 0,
            refunded: 0,
            currency: tenant.currency.toUpperCase(),
            margin: null,
            cancelled: true,
          });
    return { kind: 'not-a-purchase', reason: status.reason, cancelled };
  }

  const amountField = isOrder ? 'TotalAmount' : 'Amount';
  const amount = isOrder ? r.TotalAmount : r.Amount;
  if (amount === null || amount === undefined)
    throw missing(
      orderId,
      amountField,
      isOrder
        ? 'add TotalAmount to the fields sent'
        : 'a won opportunity needs an Amount to count; set it in Salesforce (and send Amount)',
    );
  if (amount < 0)
    throw new SalesforceRecordError(
      `Salesforce ${orderId}: ${amountField} is ${amount}, below zero; only a reduction order is negative ` +
        '(add IsReductionOrder to the fields sent so it is recognised)',
      { field: amountField },
    );
  const dateField = isOrder ? 'EffectiveDate' : 'CloseDate';
  const placedAt = isOrder ? r.EffectiveDate : r.CloseDate;
  if (!placedAt) throw missing(orderId, dateField, `add ${dateField} to the fields sent`);

  const currency = r.CurrencyIsoCode ?? tenant.currency.toUpperCase();
  if (currency !== tenant.currency.toUpperCase()) {
    throw new ForeignCurrencyError(
      `Salesforce ${orderId} is in ${currency} (CurrencyIsoCode) but the workspace scores in ${tenant.currency.toUpperCase()}: ` +
        'clv-sync does not convert currencies; record the deal in the corporate currency, or set the workspace currency to the one your orders use',
    );
  }
  if (!customer)
    throw new SalesforceOrderWithoutCustomerError(
      orderId,
      tenant.salesforceGrain,
      isOrder ? 'BillToContactId' : 'ContactId',
    );

  const refunded = options.refunded ?? 0;
  if (!Number.isFinite(refunded) || refunded < 0)
    throw new RangeError(`refunded must be a finite amount of zero or more, not ${refunded}`);
  return {
    kind: 'purchase',
    order: checked(orderId, {
      source: 'salesforce' as const,
      orderId,
      version,
      customer,
      placedAt,
      value: Math.max(0, amount - refunded),
      refunded: Math.min(refunded, amount),
      currency,
      margin: null,
      cancelled: false,
    }),
  };
}

/**
 * The Order a record is, or null when it is not a purchase (a Draft order,
 * an open or lost opportunity, a reduction order). See readSalesforceRecord
 * for replacing a stored order that stopped being a purchase.
 */
export function orderFromSalesforce(
  record: Record<string, unknown>,
  sObject: SalesforceOrderObject,
  tenant: SalesforceTenant,
  options: SalesforceOrderOptions = {},
): Order | null {
  const reading = readSalesforceRecord(record, sObject, tenant, options);
  return reading.kind === 'purchase' ? reading.order : null;
}

/** The customer at the tenant's grain, or null when the record names none. */
function identityOf(
  record: Record<string, unknown>,
  r: {
    AccountId?: string | null;
    BillToContactId?: string | null;
    ContactId?: string | null;
    OpportunityContactRoles?: { records: { ContactId?: string | null }[] } | null;
  },
  sObject: SalesforceOrderObject,
  grain: 'contact' | 'account',
): CustomerIdentity | null {
  if (grain === 'account') return r.AccountId ? { salesforceAccountId: r.AccountId } : null;
  let contactId: string | null | undefined;
  let emailValue: unknown;
  let emailPath: string;
  if (sObject === 'Order') {
    contactId = r.BillToContactId;
    emailValue = relationshipText(record, 'BillToContact', 'Email');
    emailPath = 'BillToContact.Email';
  } else {
    // The subquery asks for the primary role only; an org has at most one (backfill.ts says why it is the one).
    const roles = (record.OpportunityContactRoles as { records?: Record<string, unknown>[] } | null)?.records;
    const primary = roles?.[0];
    contactId = r.OpportunityContactRoles?.records[0]?.ContactId ?? r.ContactId;
    emailValue = primary ? relationshipText(primary, 'Contact', 'Email') : undefined;
    emailPath = 'OpportunityContactRoles.Contact.Email';
  }
  if (emailValue !== undefined && emailValue !== null && typeof emailValue !== 'string')
    throw new SalesforceRecordError(
      `Salesforce ${sObject} ${String(record.Id)}: ${emailPath} is ${JSON.stringify(emailValue)}: expected text`,
      { field: emailPath },
    );
  const email = emailValue?.trim() || undefined;
  const identity: CustomerIdentity = {};
  if (contactId) identity.salesforceContactId = contactId;
  if (email) identity.email = email;
  return identity.salesforceContactId || identity.email ? identity : null;
}

/** The last guard: what leaves here is exactly an Order. */
function checked(orderId: string, order: Order): Order {
  const result = OrderSchema.safeParse(order);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new SalesforceRecordError(
      `Salesforce ${orderId} (as an Order): ${issue?.path.map(String).join('.') || 'order'}: ${issue?.message ?? 'invalid'}`,
      { field: issue?.path.map(String).join('.') ?? '', cause: result.error },
    );
  }
  return result.data;
}
