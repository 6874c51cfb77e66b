/**
 * Every Admin GraphQL operation clv-sync sends to Shopify, in one place, so
 * the shapes we depend on are reviewable at a glance. API version: see
 * shopify-app.ts. The contract suite (test/contract/shopify-graphql.test.ts)
 * validates each of them, with the variables the code sends, against
 * Shopify's published schema of that version, refuses deprecated fields,
 * and checks the access scopes they need against shopify.app.toml; it also
 * fails when a GraphQL document is written anywhere else.
 */

/**
 * The order history, as a bulk query: one JSONL line per order, line items as
 * child lines (`__parentId`). Run with groupObjects: true (the default is false
 * from 2026-01), so each order's lines follow it and the reader holds one
 * order at a time.
 */
export const ORDERS_BULK_QUERY = /* GraphQL */ `
  {
    orders(sortKey: CREATED_AT) {
      edges {
        node {
          id
          name
          createdAt
          processedAt
          updatedAt
          cancelledAt
          test
          currencyCode
          email
          customer {
            id
            defaultEmailAddress {
              emailAddress
            }
          }
          currentSubtotalPriceSet {
            shopMoney {
              amount
              currencyCode
            }
          }
          totalRefundedSet {
            shopMoney {
              amount
              currencyCode
            }
          }
          discountCodes
          customAttributes {
            key
            value
          }
          customerJourneySummary {
            firstVisit {
              landingPage
            }
          }
          lineItems {
            edges {
              node {
                id
                currentQuantity
                discountedUnitPriceAfterAllDiscountsSet {
                  shopMoney {
                    amount
                  }
                }
                variant {
                  inventoryItem {
                    unitCost {
                      amount
                      currencyCode
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
  }
`;

/** The payload's errors, with Shopify's code where the mutation's error type has one. */
const USER_ERRORS_WITH_CODE = `userErrors {
        field
        message
        code
      }`;

export const BULK_OPERATION_RUN_QUERY = /* GraphQL */ `
  mutation RunBulkQuery($query: String!) {
    bulkOperationRunQuery(query: $query, groupObjects: true) {
      bulkOperation {
        id
        status
      }
      ${USER_ERRORS_WITH_CODE}
    }
  }
`;

/** The operation we started: polled until it is COMPLETED, FAILED, CANCELED or EXPIRED. */
export const BULK_OPERATION_STATUS = /* GraphQL */ `
  query BulkOperationStatus($id: ID!) {
    bulkOperation(id: $id) {
      id
      status
      errorCode
      objectCount
      url
      partialDataUrl
      type
    }
  }
`;

/**
 * The app's newest bulk operations of a type (`query`: `operation_type:query`
 * or `operation_type:mutation`, Shopify's search syntax), when a start is
 * refused for the limit: those not finished, five at most, are named in the
 * error.
 */
export const RUNNING_BULK_OPERATIONS = /* GraphQL */ `
  query RunningBulkOperations($query: String!) {
    bulkOperations(first: 10, query: $query) {
      nodes {
        id
        status
        type
        createdAt
      }
    }
  }
`;

export const SHOP_INFO = /* GraphQL */ `
  query ShopInfo {
    shop {
      id
      name
      myshopifyDomain
      currencyCode
    }
  }
`;

export const METAFIELD_DEFINITION_CREATE = /* GraphQL */ `
  mutation CreateMetafieldDefinition($definition: MetafieldDefinitionInput!) {
    metafieldDefinitionCreate(definition: $definition) {
      createdDefinition {
        id
        namespace
        key
      }
      ${USER_ERRORS_WITH_CODE}
    }
  }
`;

/** At most 25 metafields a call (Shopify's limit); atomic per call. */
export const METAFIELDS_SET = /* GraphQL */ `
  mutation SetMetafields($metafields: [MetafieldsSetInput!]!) {
    metafieldsSet(metafields: $metafields) {
      metafields {
        id
        key
      }
      ${USER_ERRORS_WITH_CODE}
    }
  }
`;

/** `tagsAdd` and `tagsRemove` take the same arguments and answer the same payload. */
const tagsMutation = (operation: string, field: 'tagsAdd' | 'tagsRemove') => /* GraphQL */ `
  mutation ${operation}($id: ID!, $tags: [String!]!) {
    ${field}(id: $id, tags: $tags) {
      userErrors {
        field
        message
      }
    }
  }
`;

export const TAGS_ADD = tagsMutation('AddTags', 'tagsAdd');
export const TAGS_REMOVE = tagsMutation('RemoveTags', 'tagsRemove');

export const STAGED_UPLOADS_CREATE = /* GraphQL */ `
  mutation StageUpload($input: [StagedUploadInput!]!) {
    stagedUploadsCreate(input: $input) {
      stagedTargets {
        url
        resourceUrl
        parameters {
          name
          value
        }
      }
      userErrors {
        field
        message
      }
    }
  }
`;

export const BULK_OPERATION_RUN_MUTATION = /* GraphQL */ `
  mutation RunBulkMutation($mutation: String!, $stagedUploadPath: String!) {
    bulkOperationRunMutation(mutation: $mutation, stagedUploadPath: $stagedUploadPath) {
      bulkOperation {
        id
        status
      }
      ${USER_ERRORS_WITH_CODE}
    }
  }
`;
