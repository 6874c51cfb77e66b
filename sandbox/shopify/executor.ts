/**
 * A GraphQL document through the sandbox: parsed, validated against
 * Shopify's real Admin schema of the version served (admin-schema.ts, the
 * introspection Shopify publishes), its operation chosen, its variables
 * checked against the real input types, then run by graphql-js with the
 * resolvers, every field's access checked against the token's scopes
 * (field-access.ts). Used for every Admin API request, for a bulk query and
 * for each line of a bulk mutation; errors come out in Shopify's shape.
 *
 * Execution itself runs on the sandbox's own slice of that schema
 * (schema.graphql.ts: the types and fields the sandbox has data and
 * resolvers for, a subset of the real one, which a test holds it to). A
 * document the real schema accepts but the slice does not know is answered
 * with an error saying the sandbox does not serve it, never as Shopify's
 * refusal.
 */
import type { DocumentNode, FragmentDefinitionNode, GraphQLSchema, OperationDefinitionNode } from 'graphql';
import { buildSchema, execute, GraphQLError, Kind, parse, validate } from 'graphql';
import type { AdminSchema } from './admin-schema.ts';
import type { ExecContext } from './context.ts';
import { accessCheckingResolver } from './field-access.ts';
import type { ShopifyError } from './graphql-errors.ts';
import { syntaxError, validationErrors, variableErrors } from './graphql-errors.ts';
import { rootValue } from './resolvers.ts';
import { shopifySchemaSdl } from './schema.graphql.ts';

export interface Prepared {
  document: DocumentNode;
  operation: OperationDefinitionNode;
  fragments: FragmentDefinitionNode[];
}

export interface ExecutionOutcome {
  data?: Record<string, unknown> | null;
  errors?: ShopifyError[];
}

const schemas = new Map<string, GraphQLSchema>();

export function schemaFor(apiVersion: string): GraphQLSchema {
  let schema = schemas.get(apiVersion);
  if (!schema) schemas.set(apiVersion, (schema = buildSchema(shopifySchemaSdl(apiVersion))));
  return schema;
}

/** The two schemas a document meets: Shopify's (validation, variables, access) and the slice (execution). */
export interface Schemas {
  admin: AdminSchema;
  schema: GraphQLSchema;
}

export function prepare(
  schemas: Schemas,
  source: string,
  operationName?: string | null,
): { prepared: Prepared } | { errors: ShopifyError[] } {
  let document: DocumentNode;
  try {
    document = parse(source);
  } catch (error) {
    return { errors: [syntaxError(error as GraphQLError)] };
  }
  const invalid = validate(schemas.admin.schema, document);
  if (invalid.length) return { errors: validationErrors(invalid, document) };
  const unserved = validate(schemas.schema, document);
  if (unserved.length)
    return {
      errors: validationErrors(unserved, document).map((e) => ({
        ...e,
        message: `Valid for Shopify, but the sandbox does not serve it: ${e.message}`,
        extensions: { code: 'SANDBOX_UNSUPPORTED' },
      })),
    };
  const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
  const operation = operationName
    ? operations.find((o) => o.name?.value === operationName)
    : operations.length === 1
      ? operations[0]
      : undefined;
  if (!operation)
    return {
      errors: [
        {
          message: operationName ? `No operation named "${operationName}"` : 'An operation name is required',
          extensions: { code: operationName ? 'operationNotFound' : 'operationNameRequired' },
        },
      ],
    };
  const fragments = document.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION);
  return { prepared: { document, operation, fragments } };
}

/** Runs a prepared operation; variables that do not fit stop it before any resolver runs. */
export async function run(
  schemas: Schemas,
  prepared: Prepared,
  variables: Record<string, unknown>,
  ctx: ExecContext,
): Promise<ExecutionOutcome> {
  const invalid = variableErrors(
    schemas.admin.schema,
    prepared.operation.variableDefinitions ?? [],
    variables,
  );
  if (invalid.length) return { errors: invalid };
  const result = await execute({
    schema: schemas.schema,
    fieldResolver: accessCheckingResolver(schemas.admin, ctx.scopes),
    document: prepared.document,
    rootValue,
    contextValue: ctx,
    variableValues: variables,
    operationName: prepared.operation.name?.value,
  });
  const outcome: ExecutionOutcome = {
    data: (result.data as Record<string, unknown> | null | undefined) ?? null,
  };
  if (result.errors?.length)
    outcome.errors = result.errors.map((e) => ({
      message: e.message,
      ...(e.locations ? { locations: e.locations.map((l) => ({ line: l.line, column: l.column })) } : {}),
      ...(e.path ? { path: [...e.path] } : {}),
      ...(e.extensions && Object.keys(e.extensions).length ? { extensions: { ...e.extensions } } : {}),
    }));
  return outcome;
}

/** An error thrown inside a resolver that Shopify would report with a code. */
export const codedError = (message: string, extensions: Record<string, unknown>) =>
  new GraphQLError(message, { extensions });
