/**
 * One error base (issue 16, item 1): every domain error of the product code is a ClvError, and its class
 * alone says whether a retry can help (`retriable`, read by isPermanent) and what a handler answers
 * (`statusCode`, read by permanentStatus). The table below is every exported error class with what it
 * means; the source scan fails when a class is added outside the base or left out of the table.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import {
  BotActivityDetected,
  CookieNotFound,
  HttpResponseError,
  HttpRetriableError,
  InvalidHmacError,
  InvalidJwtError,
  InvalidOAuthError,
  InvalidShopError,
} from '@shopify/shopify-api';
import { describe, expect, it } from 'vitest';
import { InputFileError } from '../../../cli/input-error.ts';
import { MissingSettingError, UnknownRecordError } from '../../../cli/commands/stack.ts';
import { UsageError } from '../../../cli/usage-error.ts';
import { AppPageConfigError } from '../../../functions/dashboard-page.ts';
import { DashboardRefusal } from '../../../functions/dashboard/answers.ts';
import { WebBundleMissingError } from '../../../functions/dashboard/web-assets.ts';
import { RefitFanOutError } from '../../../functions/refit.ts';
import { Rejection } from '../../../functions/runtime/rejection.ts';
import { ChangeEventError } from '../../../integrations/salesforce/change-event-schema.ts';
import { MetadataPackageError } from '../../../integrations/salesforce/metadata-package.ts';
import {
  OutboundMessageError,
  SalesforceNotConfiguredError,
  SalesforceOrderWithoutCustomerError,
  SalesforceRecordError,
} from '../../../integrations/salesforce/salesforce-errors.ts';
import { SalesforceSetupError } from '../../../integrations/salesforce/setup.ts';
import {
  SalesforceAuthError,
  SalesforceLoginUnavailableError,
} from '../../../integrations/salesforce/token.ts';
import { ApiLimitReachedError } from '../../../integrations/salesforce/write-back.ts';
import {
  ReauthorizationRequiredError,
  ShopNotInstalledError,
  ShopNotLinkedError,
} from '../../../integrations/shopify/access-token.ts';
import {
  ShopifyRequestError,
  ShopifyThrottledError,
  ShopifyUserErrors,
} from '../../../integrations/shopify/admin-client.ts';
import { authRefusal, NotAShopDomainError } from '../../../integrations/shopify/auth-refusals.ts';
import {
  BulkOperationFailedError,
  BulkOperationsBusyError,
} from '../../../integrations/shopify/bulk-operations.ts';
import { BulkJsonlError } from '../../../integrations/shopify/order-from-bulk.ts';
import {
  OrderWithoutCustomerError as ShopifyOrderWithoutCustomerError,
  ShopifyPayloadError,
} from '../../../integrations/shopify/payload-errors.ts';
import { SessionChangedError } from '../../../integrations/shopify/session-storage.ts';
import { SessionTokenError } from '../../../integrations/shopify/session-token.ts';
import { ShopMismatchError } from '../../../integrations/shopify/shop-in-body.ts';
import { ShopifyConfigError } from '../../../integrations/shopify/shopify-app.ts';
import { InvalidShopifyIdError } from '../../../integrations/shopify/shopify-ids.ts';
import { WebhookJsonError } from '../../../integrations/shopify/webhook-json.ts';
import { InvalidSplitError } from '../../../shared/clv/calibration-holdout.ts';
import { NoModelFitsError } from '../../../shared/clv/evaluate.ts';
import { InvalidSpendError } from '../../../shared/clv/gamma-gamma.ts';
import { FitDidNotConvergeError } from '../../../shared/clv/maximum-likelihood.ts';
import { UnknownModelError } from '../../../shared/clv/models.ts';
import { InvalidPurchaseError } from '../../../shared/clv/purchases.ts';
import { InvalidSummaryError } from '../../../shared/clv/rfm-data.ts';
import { InvalidScoringOptionsError } from '../../../shared/clv/score.ts';
import { HypergeometricSeriesError } from '../../../shared/clv/special.ts';
import { SecretNotConfiguredError, SecretUnreadableError } from '../../../shared/config/secret-settings.ts';
import { EnvelopeContextError, TokenKeyNotConfiguredError } from '../../../shared/crypto/token-envelope.ts';
import {
  BadRequestError,
  ClvError,
  ConflictError,
  ForbiddenError,
  InternalError,
  isPermanent,
  NotFoundError,
  OrderWithoutCustomerError,
  PayloadTooLargeError,
  PermanentError,
  permanentStatus,
  TransientError,
  UnauthenticatedError,
  UnprocessableError,
} from '../../../shared/errors.ts';
import { ScoringSupersededError } from '../../../shared/pipeline/score-customer.ts';
import { QueueNotConfiguredError } from '../../../shared/queue/sqs-sender.ts';
import { InvalidChurnRiskError, InvalidChurnThresholdsError } from '../../../shared/segments/churn.ts';
import { DuplicateCustomerError } from '../../../shared/segments/customer-ids.ts';
import { NonFiniteValueError } from '../../../shared/segments/quintiles.ts';
import { InvalidReferralInputError } from '../../../shared/segments/referrals.ts';
import { InvalidRfmInputError, InvalidRfmScoreError } from '../../../shared/segments/rfm.ts';
import { InvalidStudentTArgumentError } from '../../../shared/segments/student-t.ts';
import {
  InvalidClvError,
  InvalidTierCutsError,
  InvalidTierThresholdsError,
} from '../../../shared/segments/tiers.ts';
import { UnprocessedItemsError } from '../../../shared/store/batch.ts';
import { IdentityConflictError } from '../../../shared/store/identities.ts';
import { ForeignCurrencyError } from '../../../shared/store/orders.ts';
import { StoreConfigError } from '../../../shared/store/store.ts';
import {
  TenantChangedError,
  TenantNotFoundError,
  TenantRouteConflictError,
} from '../../../shared/store/tenants.ts';

/** What a class means: bad input (answered with its 4xx), transient (retried, 503), or internal (retried, 500). */
type Kind = 'bad-input' | 'transient' | 'internal';

interface Entry {
  /** Where the class is declared (a name can be declared twice: each source's OrderWithoutCustomerError). */
  file: string;
  kind: Kind;
  status: number;
  make: () => ClvError;
}

const detail = { reason: undefined, log: {} };
const m = 'message';

/** Every exported error class of functions/, integrations/, shared/, cli/, by the file it is declared in. */
const TABLE: Entry[] = [
  // shared/errors.ts: the bases, and the one concept every source shares.
  { file: 'shared/errors.ts', kind: 'bad-input', status: 400, make: () => new PermanentError(m) },
  { file: 'shared/errors.ts', kind: 'transient', status: 503, make: () => new TransientError(m) },
  { file: 'shared/errors.ts', kind: 'internal', status: 500, make: () => new InternalError(m) },
  // One class per refusal, each fixing its own status: no caller passes a number.
  { file: 'shared/errors.ts', kind: 'bad-input', status: 400, make: () => new BadRequestError(m) },
  { file: 'shared/errors.ts', kind: 'bad-input', status: 401, make: () => new UnauthenticatedError(m) },
  { file: 'shared/errors.ts', kind: 'bad-input', status: 403, make: () => new ForbiddenError(m) },
  { file: 'shared/errors.ts', kind: 'bad-input', status: 404, make: () => new NotFoundError(m) },
  { file: 'shared/errors.ts', kind: 'bad-input', status: 409, make: () => new ConflictError(m) },
  { file: 'shared/errors.ts', kind: 'bad-input', status: 413, make: () => new PayloadTooLargeError(m) },
  { file: 'shared/errors.ts', kind: 'bad-input', status: 422, make: () => new UnprocessableError(m) },
  {
    file: 'shared/errors.ts',
    kind: 'bad-input',
    status: 422,
    make: () => new OrderWithoutCustomerError('1'),
  },

  // Bad input: the payload, the record or the request itself is unusable.
  {
    file: 'functions/runtime/rejection.ts',
    kind: 'bad-input',
    status: 401,
    make: () => new Rejection(new UnauthenticatedError(m), detail),
  },
  {
    file: 'functions/dashboard/answers.ts',
    kind: 'bad-input',
    status: 403,
    make: () => new DashboardRefusal(new ForbiddenError(m), detail),
  },
  {
    file: 'integrations/shopify/payload-errors.ts',
    kind: 'bad-input',
    status: 400,
    make: () => new ShopifyPayloadError(m),
  },
  {
    file: 'integrations/shopify/payload-errors.ts',
    kind: 'bad-input',
    status: 422,
    make: () => new ShopifyOrderWithoutCustomerError('1'),
  },
  {
    file: 'integrations/shopify/shopify-ids.ts',
    kind: 'bad-input',
    status: 400,
    make: () => new InvalidShopifyIdError(m),
  },
  {
    file: 'integrations/shopify/order-from-bulk.ts',
    kind: 'bad-input',
    status: 400,
    make: () => new BulkJsonlError(m),
  },
  {
    file: 'integrations/shopify/webhook-json.ts',
    kind: 'bad-input',
    status: 400,
    make: () => new WebhookJsonError(m),
  },
  {
    file: 'integrations/shopify/shop-in-body.ts',
    kind: 'bad-input',
    status: 400,
    make: () => new ShopMismatchError('a.myshopify.com', 'b.myshopify.com', 'domain'),
  },
  {
    file: 'integrations/shopify/auth-refusals.ts',
    kind: 'bad-input',
    status: 400,
    make: () => new NotAShopDomainError(),
  },
  {
    file: 'integrations/shopify/session-token.ts',
    kind: 'bad-input',
    status: 401,
    make: () => new SessionTokenError(m),
  },
  {
    file: 'integrations/salesforce/salesforce-errors.ts',
    kind: 'bad-input',
    status: 400,
    make: () => new OutboundMessageError(m),
  },
  {
    file: 'integrations/salesforce/salesforce-errors.ts',
    kind: 'bad-input',
    status: 400,
    make: () => new SalesforceRecordError(m),
  },
  {
    file: 'integrations/salesforce/salesforce-errors.ts',
    kind: 'bad-input',
    status: 422,
    make: () => new SalesforceOrderWithoutCustomerError('Order:1', 'contact', 'BillToContactId'),
  },
  {
    file: 'integrations/salesforce/change-event-schema.ts',
    kind: 'bad-input',
    status: 400,
    make: () => new ChangeEventError(m),
  },
  { file: 'shared/store/orders.ts', kind: 'bad-input', status: 422, make: () => new ForeignCurrencyError(m) },
  { file: 'shared/store/tenants.ts', kind: 'bad-input', status: 404, make: () => new TenantNotFoundError(m) },
  {
    file: 'shared/store/tenants.ts',
    kind: 'bad-input',
    status: 409,
    make: () => new TenantRouteConflictError(m),
  },
  {
    file: 'shared/crypto/token-envelope.ts',
    kind: 'bad-input',
    status: 400,
    make: () => new EnvelopeContextError(m),
  },
  // The command line or its file is wrong (cli/main.ts answers exit code 2); only the CLI throws these.
  { file: 'cli/usage-error.ts', kind: 'bad-input', status: 400, make: () => new UsageError(m) },
  { file: 'cli/commands/stack.ts', kind: 'bad-input', status: 400, make: () => new MissingSettingError(m) },
  { file: 'cli/commands/stack.ts', kind: 'bad-input', status: 400, make: () => new UnknownRecordError(m) },
  {
    file: 'cli/input-error.ts',
    kind: 'bad-input',
    status: 400,
    make: () => new InputFileError('f.csv', 2, m),
  },

  // Transient: a dependency failed or refused for now, a race was lost, or the merchant has to act first.
  { file: 'functions/refit.ts', kind: 'transient', status: 503, make: () => new RefitFanOutError(m) },
  {
    file: 'integrations/shopify/access-token.ts',
    kind: 'transient',
    status: 503,
    make: () => new ShopNotInstalledError(m),
  },
  {
    file: 'integrations/shopify/access-token.ts',
    kind: 'transient',
    status: 503,
    make: () => new ReauthorizationRequiredError(m),
  },
  {
    file: 'integrations/shopify/access-token.ts',
    kind: 'transient',
    status: 503,
    make: () => new ShopNotLinkedError(m),
  },
  {
    file: 'integrations/shopify/admin-client.ts',
    kind: 'transient',
    status: 503,
    make: () => new ShopifyThrottledError(m),
  },
  {
    file: 'integrations/shopify/admin-client.ts',
    kind: 'transient',
    status: 503,
    make: () => new ShopifyRequestError(m),
  },
  {
    file: 'integrations/shopify/bulk-operations.ts',
    kind: 'transient',
    status: 503,
    make: () => new BulkOperationFailedError(m),
  },
  {
    file: 'integrations/shopify/bulk-operations.ts',
    kind: 'transient',
    status: 503,
    make: () => new BulkOperationsBusyError(m),
  },
  {
    file: 'integrations/shopify/session-storage.ts',
    kind: 'transient',
    status: 503,
    make: () => new SessionChangedError(m),
  },
  {
    file: 'integrations/salesforce/setup.ts',
    kind: 'transient',
    status: 503,
    make: () => new SalesforceSetupError(m),
  },
  {
    file: 'integrations/salesforce/write-back.ts',
    kind: 'transient',
    status: 503,
    make: () => new ApiLimitReachedError(m),
  },
  {
    file: 'integrations/salesforce/salesforce-errors.ts',
    kind: 'transient',
    status: 503,
    make: () => new SalesforceNotConfiguredError(m),
  },
  {
    file: 'integrations/salesforce/token.ts',
    kind: 'transient',
    status: 503,
    make: () => new SalesforceAuthError(m),
  },
  {
    file: 'integrations/salesforce/token.ts',
    kind: 'transient',
    status: 503,
    make: () => new SalesforceLoginUnavailableError(m),
  },
  {
    file: 'shared/config/secret-settings.ts',
    kind: 'transient',
    status: 503,
    make: () => new SecretUnreadableError(m),
  },
  {
    file: 'shared/crypto/token-envelope.ts',
    kind: 'transient',
    status: 503,
    make: () => new TokenKeyNotConfiguredError(m),
  },
  {
    file: 'shared/pipeline/score-customer.ts',
    kind: 'transient',
    status: 503,
    make: () => new ScoringSupersededError(m),
  },
  { file: 'shared/store/batch.ts', kind: 'transient', status: 503, make: () => new UnprocessedItemsError(m) },
  {
    file: 'shared/store/identities.ts',
    kind: 'transient',
    status: 503,
    make: () => new IdentityConflictError(m),
  },
  { file: 'shared/store/tenants.ts', kind: 'transient', status: 503, make: () => new TenantChangedError(m) },

  // Internal: the deployment lacks something, or our code called the engine with what it should have checked.
  {
    file: 'functions/dashboard-page.ts',
    kind: 'internal',
    status: 500,
    make: () => new AppPageConfigError(m),
  },
  {
    file: 'functions/dashboard/web-assets.ts',
    kind: 'internal',
    status: 500,
    make: () => new WebBundleMissingError(m),
  },
  {
    file: 'integrations/shopify/shopify-app.ts',
    kind: 'internal',
    status: 500,
    make: () => new ShopifyConfigError(m),
  },
  {
    file: 'integrations/shopify/admin-client.ts',
    kind: 'internal',
    status: 500,
    make: () => new ShopifyUserErrors('metafieldsSet', [{ field: ['key'], message: 'is invalid' }]),
  },
  {
    file: 'integrations/salesforce/metadata-package.ts',
    kind: 'internal',
    status: 500,
    make: () => new MetadataPackageError(m),
  },
  {
    file: 'shared/config/secret-settings.ts',
    kind: 'internal',
    status: 500,
    make: () => new SecretNotConfiguredError(m),
  },
  {
    file: 'shared/queue/sqs-sender.ts',
    kind: 'internal',
    status: 500,
    make: () => new QueueNotConfiguredError(m),
  },
  { file: 'shared/store/store.ts', kind: 'internal', status: 500, make: () => new StoreConfigError(m) },
  { file: 'shared/clv/models.ts', kind: 'internal', status: 500, make: () => new UnknownModelError(m) },
  { file: 'shared/clv/rfm-data.ts', kind: 'internal', status: 500, make: () => new InvalidSummaryError(m) },
  {
    file: 'shared/clv/calibration-holdout.ts',
    kind: 'internal',
    status: 500,
    make: () => new InvalidSplitError(m),
  },
  { file: 'shared/clv/evaluate.ts', kind: 'internal', status: 500, make: () => new NoModelFitsError(m) },
  {
    file: 'shared/clv/maximum-likelihood.ts',
    kind: 'internal',
    status: 500,
    make: () => new FitDidNotConvergeError('bgnbd', 'no finite likelihood', { r: 1 }),
  },
  {
    file: 'shared/clv/score.ts',
    kind: 'internal',
    status: 500,
    make: () => new InvalidScoringOptionsError(m),
  },
  { file: 'shared/clv/purchases.ts', kind: 'internal', status: 500, make: () => new InvalidPurchaseError(m) },
  {
    file: 'shared/clv/special.ts',
    kind: 'internal',
    status: 500,
    make: () => new HypergeometricSeriesError(m),
  },
  { file: 'shared/clv/gamma-gamma.ts', kind: 'internal', status: 500, make: () => new InvalidSpendError(m) },
  {
    file: 'shared/segments/tiers.ts',
    kind: 'internal',
    status: 500,
    make: () => new InvalidTierThresholdsError(m),
  },
  {
    file: 'shared/segments/tiers.ts',
    kind: 'internal',
    status: 500,
    make: () => new InvalidTierCutsError(m),
  },
  { file: 'shared/segments/tiers.ts', kind: 'internal', status: 500, make: () => new InvalidClvError(m) },
  { file: 'shared/segments/rfm.ts', kind: 'internal', status: 500, make: () => new InvalidRfmInputError(m) },
  { file: 'shared/segments/rfm.ts', kind: 'internal', status: 500, make: () => new InvalidRfmScoreError(m) },
  {
    file: 'shared/segments/customer-ids.ts',
    kind: 'internal',
    status: 500,
    make: () => new DuplicateCustomerError(m),
  },
  {
    file: 'shared/segments/churn.ts',
    kind: 'internal',
    status: 500,
    make: () => new InvalidChurnRiskError(m),
  },
  {
    file: 'shared/segments/churn.ts',
    kind: 'internal',
    status: 500,
    make: () => new InvalidChurnThresholdsError(m),
  },
  {
    file: 'shared/segments/quintiles.ts',
    kind: 'internal',
    status: 500,
    make: () => new NonFiniteValueError(m),
  },
  {
    file: 'shared/segments/referrals.ts',
    kind: 'internal',
    status: 500,
    make: () => new InvalidReferralInputError(m),
  },
  {
    file: 'shared/segments/student-t.ts',
    kind: 'internal',
    status: 500,
    make: () => new InvalidStudentTArgumentError(m),
  },
];

const BASES: Record<Kind, abstract new (...args: never[]) => ClvError> = {
  'bad-input': PermanentError,
  transient: TransientError,
  internal: InternalError,
};

describe('every exported error class is a ClvError that says what it means', () => {
  it.each(TABLE.map((e) => [`${e.file} ${e.make().name}`, e] as const))('%s', (_, entry) => {
    const error = entry.make();
    expect(error).toBeInstanceOf(ClvError);
    expect(error).toBeInstanceOf(BASES[entry.kind]);
    expect(error.statusCode).toBe(entry.status);
    // Its name is its class's (logs and rejection outcomes report it).
    expect(error.name).toBe(error.constructor.name);
    if (entry.kind === 'bad-input') {
      // Never retried, answered with its 4xx, its message shown to the caller (what to fix).
      expect(error.retriable).toBe(false);
      expect(isPermanent(error)).toBe(true);
      expect(permanentStatus(error)).toBe(entry.status);
      expect(entry.status).toBeGreaterThanOrEqual(400);
      expect(entry.status).toBeLessThan(500);
      expect(error.expose).toBe(true);
    } else {
      // Rethrown, so the delivery or the queue message is retried and, in the end, dead-lettered.
      expect(error.retriable).toBe(true);
      expect(isPermanent(error)).toBe(false);
      expect(permanentStatus(error)).toBeNull();
      expect(error.expose).toBe(false);
    }
  });

  it('the two sources name one concept: an order without a customer', () => {
    expect(new ShopifyOrderWithoutCustomerError('1')).toBeInstanceOf(OrderWithoutCustomerError);
    expect(new SalesforceOrderWithoutCustomerError('Order:1', 'account', 'AccountId')).toBeInstanceOf(
      OrderWithoutCustomerError,
    );
    expect(new ShopifyOrderWithoutCustomerError('7').orderId).toBe('7');
    expect(new SalesforceOrderWithoutCustomerError('Order:1', 'account', 'AccountId').name).toBe(
      'SalesforceOrderWithoutCustomerError',
    );
  });
});

// ---- The source scan: no error class outside the base, none left out of the table. ----

const ROOT = join(import.meta.dirname, '../../..');
const PRODUCT_DIRS = ['functions', 'integrations', 'shared', 'cli', 'bin'];
/** Built-in error classes: only ClvError may extend one directly. */
const BUILTIN_ERRORS = new Set([
  'Error',
  'RangeError',
  'TypeError',
  'SyntaxError',
  'ReferenceError',
  'EvalError',
  'URIError',
  'AggregateError',
]);
/**
 * Classes allowed to extend a built-in error directly: the base itself. Add one here only with the reason
 * (as a comment in shared/errors.ts too): none is needed today, as the tests name each engine error's own
 * class rather than RangeError.
 */
const ALLOWED_BUILTIN_SUBCLASSES = new Set(['shared/errors.ts#ClvError']);
/** Error classes not exported (so not in the table): each is checked through its module's exported ones. */
const PRIVATE_ERRORS = new Set([
  'integrations/salesforce/token.ts#TransientFailure',
  'shared/segments/tiers.ts#TierRangeError',
]);

function* sourceFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sourceFiles(path);
    else if (/\.(ts|tsx)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) yield path;
  }
}

interface Declared {
  key: string;
  name: string;
  base: string;
  exported: boolean;
}

function declaredClasses(): Declared[] {
  const found: Declared[] = [];
  for (const dir of PRODUCT_DIRS)
    for (const path of sourceFiles(join(ROOT, dir))) {
      const file = relative(ROOT, path).split('\\').join('/');
      const text = readFileSync(path, 'utf8');
      // `import { OrderWithoutCustomerError as AnyOrderWithoutCustomerError }`: the base by its own name.
      const aliases = new Map<string, string>();
      for (const imports of text.matchAll(/^import\s*\{([^}]*)\}/gm))
        for (const alias of imports[1]!.matchAll(/(\w+)\s+as\s+(\w+)/g)) aliases.set(alias[2]!, alias[1]!);
      for (const match of text.matchAll(
        /^(export\s+)?(?:abstract\s+)?class\s+(\w+)(?:<[^>]*>)?\s+extends\s+([\w.]+)/gm,
      ))
        found.push({
          key: `${file}#${match[2]}`,
          name: match[2]!,
          base: aliases.get(match[3]!) ?? match[3]!,
          exported: Boolean(match[1]),
        });
    }
  return found;
}

/** The declared classes that are errors: extending a built-in error, or (transitively) another error class. */
function errorClasses(all: Declared[]): Declared[] {
  const names = new Set(BUILTIN_ERRORS);
  let grew = true;
  while (grew) {
    grew = false;
    for (const c of all)
      if (!names.has(c.name) && (names.has(c.base) || /Error$/.test(c.base))) {
        names.add(c.name);
        grew = true;
      }
  }
  return all.filter((c) => names.has(c.base) || /Error$/.test(c.base));
}

describe('the product source', () => {
  const errors = errorClasses(declaredClasses());

  it('extends a built-in error only in ClvError', () => {
    const direct = errors.filter((c) => BUILTIN_ERRORS.has(c.base)).map((c) => c.key);
    expect(direct.sort()).toEqual([...ALLOWED_BUILTIN_SUBCLASSES].sort());
  });

  it('derives every other error class from one of its own, never from a library error', () => {
    const own = new Set(errors.map((c) => c.name));
    const strays = errors.filter((c) => !BUILTIN_ERRORS.has(c.base) && !own.has(c.base)).map((c) => c.key);
    expect(strays).toEqual([]);
  });

  it('declares no error class the table leaves out, and the table names only declared ones', () => {
    const declared = errors
      .filter((c) => c.exported && c.key !== 'shared/errors.ts#ClvError')
      .map((c) => c.key);
    const tabled = TABLE.map((e) => `${e.file}#${e.make().constructor.name}`);
    expect(new Set(tabled).size).toBe(tabled.length);
    expect(declared.sort()).toEqual([...tabled].sort());
    const hidden = errors.filter((c) => !c.exported).map((c) => c.key);
    expect(hidden.sort()).toEqual([...PRIVATE_ERRORS].sort());
  });

  it('finds what it looks for (the scan itself works)', () => {
    expect(errors.length).toBeGreaterThan(TABLE.length);
    expect(errors.map((c) => c.key)).toContain('integrations/salesforce/token.ts#TransientFailure');
  });
});

// ---- The source scan: no status number picked outside shared/errors.ts. ----

/** Where product code may not pick an error status: every product directory, and the dashboard's own code. */
const STATUS_DIRS = ['functions', 'integrations', 'shared', 'cli', 'bin', 'web/src'];
/** The one file that fixes each class's status. */
const STATUS_HOME = 'shared/errors.ts';
/**
 * A literal 4xx or 5xx where a status is decided: passed as a call's first argument (`new Rejection(400, …`,
 * `json(404, …`, `privateJson(404, …`, across a line break too), or given as a `statusCode`/`status` field
 * (`{ statusCode: 422 }`, an answer's `statusCode: 404`). A success status (200, 302) is no refusal and
 * matches neither.
 */
const LITERAL_STATUS = [/[\w.]+\(\s*[45]\d\d\b/g, /\b(?:statusCode|status)\s*:\s*[45]\d\d\b/g];

/** Each literal error status outside STATUS_HOME, as `file:line: text`. Comments are not code and are skipped. */
function literalStatuses(): string[] {
  const found: string[] = [];
  for (const dir of STATUS_DIRS)
    for (const path of sourceFiles(join(ROOT, dir))) {
      const file = relative(ROOT, path).split('\\').join('/');
      if (file === STATUS_HOME) continue;
      found.push(...statusesIn(file, readFileSync(path, 'utf8')));
    }
  return found.sort();
}

function statusesIn(file: string, text: string): string[] {
  // Comments blanked, line breaks kept, so a hit's line number is its line in the file.
  const code = text.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, (c) => c.replace(/[^\n]/g, ' '));
  const found: string[] = [];
  for (const pattern of LITERAL_STATUS)
    for (const hit of code.matchAll(pattern)) {
      const line = code.slice(0, hit.index).split('\n').length;
      found.push(`${file}:${line}: ${hit[0].replace(/\s+/g, ' ')}`);
    }
  return found;
}

describe('every error status is decided in shared/errors.ts', () => {
  it('no product code outside it passes a literal 4xx or 5xx', () => {
    expect(literalStatuses()).toEqual([]);
  });

  it('finds what it looks for (the scan itself works), and not a success or a comment', () => {
    const sample = [
      'throw new Rejection(413, `body over ${max} bytes`, detail);',
      'super(message, { statusCode: 422 });',
      'return privateJson(404, { error });',
      'throw new DashboardRefusal(',
      '  401,',
      '  body,',
      ');',
      "return { statusCode: 404, body: 'no page' };",
      'logger.warn(m, { status: 401 });',
      "return json(200, { action: 'stored' }); // not json(400, …)",
      'return { statusCode: 302, headers };',
      '/* new Rejection(400, …) */',
    ].join('\n');
    expect(statusesIn('x.ts', sample)).toEqual([
      'x.ts:1: Rejection(413',
      'x.ts:3: privateJson(404',
      'x.ts:4: DashboardRefusal( 401',
      'x.ts:2: statusCode: 422',
      'x.ts:8: statusCode: 404',
      'x.ts:9: status: 401',
    ]);
  });

  it('a domain error takes its status from the class it extends', () => {
    expect(new SessionTokenError(m)).toBeInstanceOf(UnauthenticatedError);
    expect(new NotAShopDomainError()).toBeInstanceOf(BadRequestError);
    expect(new ShopMismatchError('a.myshopify.com', 'b.myshopify.com', 'domain')).toBeInstanceOf(
      BadRequestError,
    );
    expect(new ShopifyPayloadError(m)).toBeInstanceOf(BadRequestError);
    expect(new SalesforceRecordError(m)).toBeInstanceOf(BadRequestError);
    expect(new OutboundMessageError(m)).toBeInstanceOf(BadRequestError);
    expect(new TenantNotFoundError(m)).toBeInstanceOf(NotFoundError);
    expect(new TenantRouteConflictError(m)).toBeInstanceOf(ConflictError);
    expect(new ForeignCurrencyError(m)).toBeInstanceOf(UnprocessableError);
    expect(new OrderWithoutCustomerError('1')).toBeInstanceOf(UnprocessableError);
  });

  it('a Rejection answers with the status and message of the error it refuses', () => {
    const refused = new PayloadTooLargeError('body over 1 bytes');
    const rejection = new Rejection(refused, { reason: 'too-large', log: {} });
    expect([rejection.statusCode, rejection.message]).toEqual([413, 'body over 1 bytes']);
    const dashboard = new DashboardRefusal(new ForbiddenError('not-installed'), {
      ...detail,
      body: { message: 'open the app' },
    });
    expect([dashboard.statusCode, dashboard.body]).toEqual([
      403,
      { error: 'not-installed', message: 'open the app' },
    ]);
  });

  it("authRefusal translates shopify-api's errors into ours, the status by the class", () => {
    // The message keeps the failure's own name (shopify-api's classes leave theirs as `Error`).
    const refused = (error: Error) => {
      const r = authRefusal(error);
      return r && [r.constructor.name, r.statusCode, r.message.replace(`${error.name}: `, '')];
    };
    expect(refused(new BotActivityDetected('bot'))).toEqual(['ForbiddenError', 403, 'bot']);
    expect(refused(new CookieNotFound('x'))?.slice(0, 2)).toEqual(['BadRequestError', 400]);
    expect(refused(new InvalidHmacError('h'))).toEqual(['UnauthenticatedError', 401, 'h']);
    expect(refused(new InvalidOAuthError('o'))).toEqual(['UnauthenticatedError', 401, 'o']);
    expect(refused(new InvalidShopError('s'))).toEqual(['BadRequestError', 400, 's']);
    expect(refused(new NotAShopDomainError())?.slice(0, 2)).toEqual(['BadRequestError', 400]);
    expect(refused(new SessionTokenError('t'))).toEqual(['UnauthenticatedError', 401, 't']);
    expect(refused(new InvalidJwtError('eyJ.token'))).toEqual([
      'UnauthenticatedError',
      401,
      'invalid session token',
    ]);
    const http = (code: number) => new HttpResponseError({ message: 'm', code, statusText: 's' });
    expect(refused(http(400))).toEqual(['UnauthenticatedError', 401, 'Shopify refused the grant (400)']);
    expect(refused(http(502))).toBeNull();
    expect(refused(new HttpRetriableError({ message: 'm', code: 429, statusText: 's' }))).toBeNull();
    expect(refused(new TypeError('x'))).toBeNull();
  });
});
