/**
 * What can be wrong with what Salesforce sends, as named errors a handler can
 * map to a status: an outbound message that is not one (OutboundMessageError:
 * malformed XML, a DOCTYPE, too many notifications), a record with a field we
 * cannot read (SalesforceRecordError, naming the field), or a well-formed
 * purchase that names no customer at the tenant's grain
 * (SalesforceOrderWithoutCustomerError). A record in another currency than the
 * tenant's is the store's ForeignCurrencyError, re-exported here.
 */
import { BadRequestError, OrderWithoutCustomerError, TransientError } from '../../shared/errors.ts';
export { ForeignCurrencyError } from '../../shared/store/orders.ts';

/** The body is not an outbound message clv-sync accepts; nothing in it is used. */
export class OutboundMessageError extends BadRequestError {
  override name = 'OutboundMessageError';
}

/** A field of an Order or Opportunity record is missing or not what its type says. */
export class SalesforceRecordError extends BadRequestError {
  override name = 'SalesforceRecordError';
  /** The field at fault (`TotalAmount`, `BillToContact.Email`); '' for the whole record. */
  readonly field: string;

  constructor(message: string, options: { field?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.field = options.field ?? '';
  }
}

/** A purchase with no customer at the tenant's grain (shared/errors.ts's concept), with what to fix in Salesforce. */
export class SalesforceOrderWithoutCustomerError extends OrderWithoutCustomerError {
  override name = 'SalesforceOrderWithoutCustomerError';

  constructor(orderId: string, grain: 'contact' | 'account', field: string) {
    super(
      orderId,
      grain === 'contact'
        ? `Salesforce ${orderId} has no ${field}, so it belongs to no contact and is left out of the scores; ` +
            `set ${field} on the record in Salesforce (and include ${field} in the outbound message's fields), ` +
            'or switch the workspace to the account grain if customers are Accounts'
        : `Salesforce ${orderId} has no AccountId, so it belongs to no account and is left out of the scores; ` +
            "set the record's Account in Salesforce and include AccountId in the outbound message's fields",
    );
  }
}

/** The workspace lacks what a login to its org needs (a secret, a user, a usable login URL). */
export class SalesforceNotConfiguredError extends TransientError {
  override name = 'SalesforceNotConfiguredError';
}
