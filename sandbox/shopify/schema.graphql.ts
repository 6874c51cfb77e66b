/**
 * The slice of Shopify's Admin GraphQL schema (2026-10) the sandbox serves:
 * the types and fields it has data and resolvers for, with Shopify's own
 * type names, nullability, arguments and enum values. Requests are validated
 * against Shopify's real schema first (admin-schema.ts, executor.ts); this
 * slice is what they then run on, and a test holds it to being a subset of
 * the real schema (test/unit/sandbox/shopify-schema-slice.test.ts).
 *
 * `CurrencyCode` is Shopify's enum, read from the real schema.
 */
import { isEnumType } from 'graphql';
import { adminSchema } from './admin-schema.ts';

function currencyCodes(apiVersion: string): string[] {
  const type = adminSchema(apiVersion).schema.getType('CurrencyCode');
  if (!isEnumType(type)) throw new Error(`the ${apiVersion} Admin schema has no CurrencyCode enum`);
  return type.getValues().map((v) => v.name);
}

const connection = (type: string) => `
type ${type}Connection {
  edges: [${type}Edge!]!
  nodes: [${type}!]!
  pageInfo: PageInfo!
}
type ${type}Edge {
  cursor: String!
  node: ${type}!
}`;

const pageArgs = 'first: Int, after: String, last: Int, before: String, reverse: Boolean = false';

/** The SDL for an API version: from 2026-01, bulk queries no longer group children under parents unless asked. */
export function shopifySchemaSdl(apiVersion: string): string {
  const groupByDefault = apiVersion < '2026-01' && apiVersion !== 'unstable';
  return /* GraphQL */ `
schema {
  query: QueryRoot
  mutation: Mutation
}

"An ISO-8601 encoded UTC date time string, e.g. 2019-09-07T15:50:00Z."
scalar DateTime
"A signed decimal number, serialized as a string, e.g. \\"29.99\\"."
scalar Decimal
"A monetary value string without a currency symbol or code."
scalar Money
"An RFC 3986 and RFC 3987 compliant URI string."
scalar URL
"An unsigned 64-bit integer, serialized as a string."
scalar UnsignedInt64
"A JSON object."
scalar JSON

interface Node {
  id: ID!
}

interface DisplayableError {
  field: [String!]
  message: String!
}

type PageInfo {
  endCursor: String
  hasNextPage: Boolean!
  hasPreviousPage: Boolean!
  startCursor: String
}

enum CurrencyCode {
  ${currencyCodes(apiVersion).join('\n  ')}
}

type MoneyV2 {
  amount: Decimal!
  currencyCode: CurrencyCode!
}

type MoneyBag {
  presentmentMoney: MoneyV2!
  shopMoney: MoneyV2!
}

type Attribute {
  key: String!
  value: String
}

type Shop implements Node {
  currencyCode: CurrencyCode!
  email: String!
  ianaTimezone: String!
  id: ID!
  myshopifyDomain: String!
  name: String!
  url: URL!
}

enum MetafieldOwnerType {
  API_PERMISSION
  ARTICLE
  BLOG
  CARTTRANSFORM
  COLLECTION
  COMPANY
  COMPANY_LOCATION
  CUSTOMER
  DELIVERY_CUSTOMIZATION
  DISCOUNT
  DRAFTORDER
  FULFILLMENT_CONSTRAINT_RULE
  GIFT_CARD_TRANSACTION
  LOCATION
  MARKET
  MEDIA_IMAGE
  ORDER
  ORDER_ROUTING_LOCATION_RULE
  PAGE
  PAYMENT_CUSTOMIZATION
  PRODUCT
  PRODUCTVARIANT
  SELLING_PLAN
  SHOP
  VALIDATION
}

type Metafield implements Node {
  compareDigest: String!
  createdAt: DateTime!
  definition: MetafieldDefinition
  id: ID!
  jsonValue: JSON!
  key: String!
  namespace: String!
  ownerType: MetafieldOwnerType!
  type: String!
  updatedAt: DateTime!
  value: String!
}
${connection('Metafield')}

type CustomerEmailAddress {
  emailAddress: String!
}

type Customer implements Node {
  amountSpent: MoneyV2!
  createdAt: DateTime!
  defaultEmailAddress: CustomerEmailAddress
  displayName: String!
  email: String @deprecated(reason: "Use \`defaultEmailAddress.emailAddress\` instead.")
  firstName: String
  id: ID!
  lastName: String
  metafield(namespace: String, key: String!): Metafield
  metafields(${pageArgs}, namespace: String, keys: [String!]): MetafieldConnection!
  numberOfOrders: UnsignedInt64!
  tags: [String!]!
  updatedAt: DateTime!
}
${connection('Customer')}

enum CustomerSortKeys {
  CREATED_AT
  ID
  LOCATION
  NAME
  RELEVANCE
  UPDATED_AT
}

type InventoryItem implements Node {
  id: ID!
  sku: String
  tracked: Boolean!
  unitCost: MoneyV2
}

type Product implements Node {
  handle: String!
  id: ID!
  title: String!
}

type ProductVariant implements Node {
  id: ID!
  inventoryItem: InventoryItem!
  price: Money!
  product: Product!
  sku: String
  title: String!
}

type LineItem implements Node {
  currentQuantity: Int!
  customAttributes: [Attribute!]!
  discountedTotalSet: MoneyBag!
  discountedUnitPriceAfterAllDiscountsSet: MoneyBag!
  discountedUnitPriceSet: MoneyBag!
  id: ID!
  name: String!
  originalTotalSet: MoneyBag!
  originalUnitPriceSet: MoneyBag!
  product: Product
  quantity: Int!
  refundableQuantity: Int!
  sku: String
  title: String!
  totalDiscountSet: MoneyBag!
  variant: ProductVariant
}
${connection('LineItem')}

enum RefundLineItemRestockType {
  CANCEL
  LEGACY_RESTOCK
  NO_RESTOCK
  RETURN
}

type RefundLineItem {
  id: ID
  lineItem: LineItem!
  quantity: Int!
  restockType: RefundLineItemRestockType!
  subtotalSet: MoneyBag!
}
${connection('RefundLineItem')}

type Refund implements Node {
  createdAt: DateTime
  id: ID!
  note: String
  refundLineItems(${pageArgs}): RefundLineItemConnection!
  totalRefundedSet: MoneyBag!
}

type CustomerVisit implements Node {
  id: ID!
  landingPage: URL
  occurredAt: DateTime!
  referrerUrl: URL
  source: String!
}

type CustomerJourneySummary {
  customerOrderIndex: Int
  daysToConversion: Int
  firstVisit: CustomerVisit
  lastVisit: CustomerVisit
  ready: Boolean!
}

enum OrderCancelReason {
  CUSTOMER
  DECLINED
  FRAUD
  INVENTORY
  OTHER
  STAFF
}

enum OrderDisplayFinancialStatus {
  AUTHORIZED
  EXPIRED
  PAID
  PARTIALLY_PAID
  PARTIALLY_REFUNDED
  PENDING
  REFUNDED
  VOIDED
}

enum OrderSortKeys {
  CREATED_AT
  CURRENT_TOTAL_PRICE
  CUSTOMER_NAME
  DESTINATION
  FINANCIAL_STATUS
  FULFILLMENT_STATUS
  ID
  ORDER_NUMBER
  PO_NUMBER
  PROCESSED_AT
  RELEVANCE
  TOTAL_ITEMS_QUANTITY
  TOTAL_PRICE
  UPDATED_AT
}

type Order implements Node {
  cancelReason: OrderCancelReason
  cancelledAt: DateTime
  closed: Boolean!
  createdAt: DateTime!
  currencyCode: CurrencyCode!
  currentSubtotalPriceSet: MoneyBag!
  currentTotalDiscountsSet: MoneyBag!
  currentTotalPriceSet: MoneyBag!
  customAttributes: [Attribute!]!
  customer: Customer
  customerJourneySummary: CustomerJourneySummary
  discountCode: String
  discountCodes: [String!]!
  displayFinancialStatus: OrderDisplayFinancialStatus
  email: String
  id: ID!
  lineItems(${pageArgs}): LineItemConnection!
  name: String!
  note: String
  presentmentCurrencyCode: CurrencyCode!
  processedAt: DateTime!
  refunds(first: Int): [Refund!]!
  subtotalPriceSet: MoneyBag
  tags: [String!]!
  test: Boolean!
  totalDiscountsSet: MoneyBag
  totalPriceSet: MoneyBag!
  totalRefundedSet: MoneyBag!
  totalShippingPriceSet: MoneyBag!
  updatedAt: DateTime!
}
${connection('Order')}

enum BulkOperationStatus {
  CANCELED
  CANCELING
  COMPLETED
  CREATED
  EXPIRED
  FAILED
  RUNNING
}

enum BulkOperationType {
  MUTATION
  QUERY
}

enum BulkOperationErrorCode {
  ACCESS_DENIED
  INTERNAL_SERVER_ERROR
  TIMEOUT
}

enum BulkOperationsSortKeys {
  COMPLETED_AT
  CREATED_AT
}

type BulkOperation implements Node {
  completedAt: DateTime
  createdAt: DateTime!
  errorCode: BulkOperationErrorCode
  fileSize: UnsignedInt64
  id: ID!
  objectCount: UnsignedInt64!
  partialDataUrl: URL
  query: String!
  rootObjectCount: UnsignedInt64!
  status: BulkOperationStatus!
  type: BulkOperationType!
  url: URL
}
${connection('BulkOperation')}

enum BulkOperationUserErrorCode {
  INVALID
  LIMIT_REACHED
  OPERATION_IN_PROGRESS
}

type BulkOperationUserError implements DisplayableError {
  code: BulkOperationUserErrorCode
  field: [String!]
  message: String!
}

type BulkOperationRunQueryPayload {
  bulkOperation: BulkOperation
  userErrors: [BulkOperationUserError!]!
}

enum BulkMutationErrorCode {
  INTERNAL_FILE_SERVER_ERROR
  INVALID_MUTATION
  INVALID_STAGED_UPLOAD_FILE
  LIMIT_REACHED
  NO_SUCH_FILE
  OPERATION_IN_PROGRESS
}

type BulkMutationUserError implements DisplayableError {
  code: BulkMutationErrorCode
  field: [String!]
  message: String!
}

type BulkOperationRunMutationPayload {
  bulkOperation: BulkOperation
  userErrors: [BulkMutationUserError!]!
}

enum StagedUploadTargetGenerateUploadResource {
  BULK_MUTATION_VARIABLES
  COLLECTION_IMAGE
  DISPUTE_FILE_UPLOAD
  FILE
  IMAGE
  MODEL_3D
  PRODUCT_IMAGE
  RETURN_LABEL
  SHOP_IMAGE
  URL_REDIRECT_IMPORT
  VIDEO
}

enum StagedUploadHttpMethodType {
  POST
  PUT
}

input StagedUploadInput {
  fileSize: UnsignedInt64
  filename: String!
  httpMethod: StagedUploadHttpMethodType = PUT
  mimeType: String!
  resource: StagedUploadTargetGenerateUploadResource!
}

type StagedUploadParameter {
  name: String!
  value: String!
}

type StagedMediaUploadTarget {
  parameters: [StagedUploadParameter!]!
  resourceUrl: URL
  url: URL
}

type UserError implements DisplayableError {
  field: [String!]
  message: String!
}

type StagedUploadsCreatePayload {
  stagedTargets: [StagedMediaUploadTarget!]
  userErrors: [UserError!]!
}

input MetafieldsSetInput {
  compareDigest: String
  key: String!
  namespace: String
  ownerId: ID!
  type: String
  value: String!
}

enum MetafieldsSetUserErrorCode {
  APP_NOT_AUTHORIZED
  BLANK
  CAPABILITY_VIOLATION
  INCLUSION
  INTERNAL_ERROR
  INVALID
  INVALID_COMPARE_DIGEST
  INVALID_TYPE
  INVALID_VALUE
  LESS_THAN_OR_EQUAL_TO
  PRESENT
  STALE_OBJECT
  TAKEN
  TOO_LONG
  TOO_SHORT
}

type MetafieldsSetUserError implements DisplayableError {
  code: MetafieldsSetUserErrorCode
  elementIndex: Int
  field: [String!]
  message: String!
}

type MetafieldsSetPayload {
  metafields: [Metafield!]
  userErrors: [MetafieldsSetUserError!]!
}

input MetafieldCapabilityAdminFilterableInput {
  enabled: Boolean!
}

input MetafieldCapabilitySmartCollectionConditionInput {
  enabled: Boolean!
}

input MetafieldCapabilityUniqueValuesInput {
  enabled: Boolean!
}

input MetafieldCapabilityCreateInput {
  adminFilterable: MetafieldCapabilityAdminFilterableInput
  smartCollectionCondition: MetafieldCapabilitySmartCollectionConditionInput
  uniqueValues: MetafieldCapabilityUniqueValuesInput
}

input MetafieldDefinitionValidationInput {
  name: String!
  value: String!
}

input MetafieldDefinitionInput {
  capabilities: MetafieldCapabilityCreateInput
  description: String
  key: String!
  name: String!
  namespace: String
  ownerType: MetafieldOwnerType!
  pin: Boolean = false
  type: String!
  validations: [MetafieldDefinitionValidationInput!]
}

type MetafieldDefinitionType {
  category: String!
  name: String!
}

enum MetafieldDefinitionAdminFilterStatus {
  FAILED
  FILTERABLE
  IN_PROGRESS
  NOT_FILTERABLE
}

type MetafieldCapabilityAdminFilterable {
  eligible: Boolean!
  enabled: Boolean!
  status: MetafieldDefinitionAdminFilterStatus!
}

type MetafieldCapabilities {
  adminFilterable: MetafieldCapabilityAdminFilterable!
}

type MetafieldDefinition implements Node {
  capabilities: MetafieldCapabilities!
  description: String
  id: ID!
  key: String!
  name: String!
  namespace: String!
  ownerType: MetafieldOwnerType!
  type: MetafieldDefinitionType!
}
${connection('MetafieldDefinition')}

enum MetafieldDefinitionCreateUserErrorCode {
  ADMIN_ACCESS_INPUT_NOT_ALLOWED
  BLANK
  CAPABILITY_REQUIRED_BUT_DISABLED
  DUPLICATE_OPTION
  INCLUSION
  INVALID
  INVALID_CAPABILITY
  INVALID_CHARACTER
  INVALID_CONSTRAINTS
  INVALID_INPUT_COMBINATION
  INVALID_OPTION
  LIMIT_EXCEEDED
  OWNER_TYPE_LIMIT_EXCEEDED_FOR_AUTOMATED_COLLECTIONS
  OWNER_TYPE_LIMIT_EXCEEDED_FOR_USE_AS_ADMIN_FILTERS
  PINNED_LIMIT_REACHED
  PRESENT
  RESERVED_NAMESPACE_KEY
  RESOURCE_TYPE_LIMIT_EXCEEDED
  RESOURCE_TYPE_LIMIT_EXCEEDED_BY_APP
  TAKEN
  TOO_LONG
  TOO_SHORT
  TYPE_NOT_ALLOWED_FOR_CONDITIONS
  UNSTRUCTURED_ALREADY_EXISTS
  UNSUPPORTED_PINNING
}

type MetafieldDefinitionCreateUserError implements DisplayableError {
  code: MetafieldDefinitionCreateUserErrorCode
  elementIndex: Int
  field: [String!]
  message: String!
}

type MetafieldDefinitionCreatePayload {
  createdDefinition: MetafieldDefinition
  userErrors: [MetafieldDefinitionCreateUserError!]!
}

type TagsAddPayload {
  node: Node
  userErrors: [UserError!]!
}

type TagsRemovePayload {
  node: Node
  userErrors: [UserError!]!
}

type QueryRoot {
  bulkOperation(id: ID!): BulkOperation
  bulkOperations(${pageArgs}, sortKey: BulkOperationsSortKeys = CREATED_AT, query: String): BulkOperationConnection!
  currentBulkOperation(type: BulkOperationType = QUERY): BulkOperation @deprecated(reason: "Use \`bulkOperations\` with status filter instead.")
  customer(id: ID!): Customer
  customers(${pageArgs}, sortKey: CustomerSortKeys = ID, query: String): CustomerConnection!
  metafieldDefinitions(ownerType: MetafieldOwnerType!, ${pageArgs}, namespace: String, key: String): MetafieldDefinitionConnection!
  node(id: ID!): Node
  nodes(ids: [ID!]!): [Node]!
  order(id: ID!): Order
  orders(${pageArgs}, sortKey: OrderSortKeys = ID, query: String): OrderConnection!
  shop: Shop!
}

type Mutation {
  bulkOperationRunMutation(
    mutation: String!
    stagedUploadPath: String!
    clientIdentifier: String
    groupObjects: Boolean = true @deprecated(reason: "Mutation results have no parent objects to group.")
  ): BulkOperationRunMutationPayload
  bulkOperationRunQuery(query: String!, groupObjects: Boolean! = ${groupByDefault}): BulkOperationRunQueryPayload
  metafieldDefinitionCreate(definition: MetafieldDefinitionInput!): MetafieldDefinitionCreatePayload
  metafieldsSet(metafields: [MetafieldsSetInput!]!): MetafieldsSetPayload
  stagedUploadsCreate(input: [StagedUploadInput!]!): StagedUploadsCreatePayload
  tagsAdd(id: ID!, tags: [String!]!): TagsAddPayload
  tagsRemove(id: ID!, tags: [String!]!): TagsRemovePayload
}
`;
}
