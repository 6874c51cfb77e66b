import type { GraphQLInputType, GraphQLSchema, VariableDefinitionNode } from 'graphql';
import { typeFromAST } from 'graphql';

export interface DeclaredVariable {
  definition: VariableDefinitionNode;
  name: string;
  type: GraphQLInputType;
}

/**
 * An operation's declared variables with their input types in the schema. One of an unknown type is
 * left out: the document's validation reports it.
 */
export function declaredVariables(
  schema: GraphQLSchema,
  definitions: readonly VariableDefinitionNode[],
): DeclaredVariable[] {
  return definitions.flatMap((definition) => {
    const type = typeFromAST(schema, definition.type) as GraphQLInputType | undefined;
    return type ? [{ definition, name: definition.variable.name.value, type }] : [];
  });
}
