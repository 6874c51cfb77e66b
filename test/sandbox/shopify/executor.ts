/**
 * A GraphQL document through the sandbox: parsed, validated against the
 * Shopify schema slice, its operation chosen, its variables checked, then
 * run by graphql-js with the resolvers. Used for every Admin API request and
 * for each line of a bulk mutation; errors come out in Shopify's shape.
 */
import type { DocumentNode, FragmentDefinitionNode, GraphQLSchema, OperationDefinitionNode } from 'graphql';
import { buildSchema, execute, GraphQLError, Kind, parse, validate } from 'graphql';
import type { ExecContext } from './context.ts';
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

export function prepare(
  schema: GraphQLSchema,
  source: string,
  operationName?: string | null,
): { prepared: Prepared } | { errors: ShopifyError[] } {
  let document: DocumentNode;
  try {
    document = parse(source);
  } catch (error) {
    return { errors: [syntaxError(error as GraphQLError)] };
  }
  const invalid = validate(schema, document);
  if (invalid.length) return { errors: validationErrors(invalid, document) };
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
  schema: GraphQLSchema,
  prepared: Prepared,
  variables: Record<string, unknown>,
  ctx: ExecContext,
): Promise<ExecutionOutcome> {
  const invalid = variableErrors(schema, prepared.operation.variableDefinitions ?? [], variables);
  if (invalid.length) return { errors: invalid };
  const result = await execute({
    schema,
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
