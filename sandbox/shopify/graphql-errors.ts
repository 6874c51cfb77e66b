/**
 * Errors in the shape Shopify's GraphQL server (graphql-ruby) writes them,
 * translated from graphql-js's: `Field 'nope' doesn't exist on type 'Shop'`
 * with `extensions.code` `undefinedField`, a `path` of the document
 * (`["query ShopInfo", "shop", "nope"]`), and `locations`. Variables that do
 * not fit their types answer `INVALID_VARIABLE` with the problems listed; a
 * document that does not parse answers `Parse error on "}" (RCURLY) at [1, 10]`.
 * Messages graphql-js words differently and that have no rule here keep
 * graphql-js's wording.
 */
import type { ASTNode, DocumentNode, GraphQLError, VariableDefinitionNode } from 'graphql';
import { Kind, print, validateInputValue, visit } from 'graphql';
import type { GraphQLSchema } from 'graphql';
import { declaredVariables } from './declared-variables.ts';

export interface ShopifyError {
  message: string;
  locations?: { line: number; column: number }[];
  path?: (string | number)[];
  extensions?: Record<string, unknown>;
}

interface Place {
  path: string[];
  field?: string;
  argument?: string;
  operation?: string;
}

/** Where each node of the document sits, as graphql-ruby names it. */
function places(document: DocumentNode): Map<ASTNode, Place> {
  const map = new Map<ASTNode, Place>();
  const stack: Place[] = [{ path: [] }];
  visit(document, {
    enter(node) {
      const here = { ...stack.at(-1)! };
      if (node.kind === Kind.OPERATION_DEFINITION) {
        here.operation = node.name?.value ?? '';
        here.path = [`${node.operation}${node.name ? ` ${node.name.value}` : ''}`];
      } else if (node.kind === Kind.FRAGMENT_DEFINITION) here.path = [`fragment ${node.name.value}`];
      else if (node.kind === Kind.FIELD) {
        here.path = [...here.path, node.name.value];
        here.field = node.name.value;
        here.argument = undefined;
      } else if (node.kind === Kind.INLINE_FRAGMENT)
        here.path = [...here.path, node.typeCondition ? `... on ${node.typeCondition.name.value}` : '...'];
      else if (node.kind === Kind.ARGUMENT) {
        here.argument = node.name.value;
        here.path = [...here.path, node.name.value];
      }
      map.set(node, here);
      stack.push(here);
    },
    leave() {
      stack.pop();
    },
  });
  return map;
}

const q = (s: string | undefined) => s ?? '';

/** graphql-js message → graphql-ruby message and extensions. */
function translate(
  message: string,
  place: Place | undefined,
): { message: string; extensions?: Record<string, unknown> } {
  let m: RegExpExecArray | null;
  if ((m = /^Cannot query field "(\w+)" on type "(\w+)"/.exec(message)))
    return {
      message: `Field '${m[1]}' doesn't exist on type '${m[2]}'`,
      extensions: { code: 'undefinedField', typeName: m[2], fieldName: m[1] },
    };
  if ((m = /^Unknown argument "(\w+)" on field "\w+\.(\w+)"/.exec(message)))
    return {
      message: `Field '${m[2]}' doesn't accept argument '${m[1]}'`,
      extensions: { code: 'argumentNotAccepted', name: m[2], typeName: 'Field', argumentName: m[1] },
    };
  if ((m = /^Argument "\w+\.(\w+)\((\w+):\)" of type "[^"]+" is required/.exec(message)))
    return {
      message: `Field '${m[1]}' is missing required arguments: ${m[2]}`,
      extensions: { code: 'missingRequiredArguments', className: 'Field', name: m[1], arguments: m[2] },
    };
  if ((m = /^Field "(\w+)" must not have a selection since type "([^"]+)" has no subfields/.exec(message)))
    return {
      message: `Selections can't be made on scalars (field '${m[1]}' returns ${m[2]!.replace(/!$/, '')} but has selections)`,
      extensions: {
        code: 'selectionMismatch',
        nodeName: `field '${m[1]}'`,
        typeName: m[2]!.replace(/!$/, ''),
      },
    };
  if ((m = /^Field "(\w+)" of type "([^"]+)" must have a selection of subfields/.exec(message))) {
    const type = m[2]!.replace(/[[\]!]/g, '');
    return {
      message: `Field must have selections (field '${m[1]}' returns ${type} but has no selections. Did you mean '${m[1]} { ... }'?)`,
      extensions: { code: 'selectionMismatch', nodeName: `field '${m[1]}'`, typeName: type },
    };
  }
  if ((m = /^Variable "\$(\w+)" is never used/.exec(message)))
    return {
      message: `Variable $${m[1]} is declared by ${q(place?.operation) || 'anonymous query'} but not used`,
      extensions: { code: 'variableNotUsed', variableName: m[1] },
    };
  if ((m = /^Variable "\$(\w+)" is not defined/.exec(message)))
    return {
      message: `Variable $${m[1]} is used by ${q(place?.operation) || 'anonymous query'} but not declared`,
      extensions: { code: 'variableNotDefined', variableName: m[1] },
    };
  if ((m = /^Variable "\$(\w+)" of type "([^"]+)" used in position expecting type "([^"]+)"/.exec(message))) {
    const kind =
      m[2]!.replace(/!/g, '') === m[3]!.replace(/!/g, '') ? 'Nullability mismatch' : 'Type mismatch';
    return {
      message: `${kind} on variable $${m[1]} and argument ${q(place?.argument)} (${m[2]} / ${m[3]})`,
      extensions: {
        code: 'variableMismatch',
        variableName: m[1],
        typeName: m[2],
        argumentName: place?.argument,
        errorMessage: kind,
      },
    };
  }
  if ((m = /^Unknown type "(\w+)"/.exec(message)))
    return {
      message: `No such type ${m[1]}, so it can't be a fragment condition`,
      extensions: { code: 'undefinedType', typeName: m[1] },
    };
  if ((m = /^Fragment "(\w+)" is never used/.exec(message)))
    return {
      message: `Fragment ${m[1]} was defined, but not used`,
      extensions: { code: 'useAndDefineFragment', fragmentName: m[1] },
    };
  if ((m = /^There can be only one operation named "(\w+)"/.exec(message)))
    return {
      message: `Operation name "${m[1]}" must be unique`,
      extensions: { code: 'operationNotUnique', operationName: m[1] },
    };
  if (/^This anonymous operation must be the only defined operation/.test(message))
    return {
      message: 'Operation name is required when multiple operations are present',
      extensions: { code: 'anonymousOperation' },
    };
  if (
    place?.argument &&
    (/cannot represent/.test(message) ||
      /does not exist in "\w+" enum/.test(message) ||
      /^Expected value of type/.test(message))
  )
    return {
      message: `Argument '${place.argument}' on Field '${q(place.field)}' has an invalid value. ${message}`,
      extensions: { code: 'argumentLiteralsIncompatible', typeName: 'Field', argumentName: place.argument },
    };
  return { message };
}

/** Validation errors as Shopify reports them. */
export function validationErrors(errors: readonly GraphQLError[], document: DocumentNode): ShopifyError[] {
  const where = places(document);
  const seen = new Set<string>();
  const out: ShopifyError[] = [];
  for (const error of errors) {
    const place = error.nodes?.[0] ? where.get(error.nodes[0]) : undefined;
    const { message, extensions } = translate(error.message, place);
    if (seen.has(message)) continue;
    seen.add(message);
    out.push({
      message,
      ...(error.locations
        ? { locations: error.locations.map((l) => ({ line: l.line, column: l.column })) }
        : {}),
      ...(place ? { path: place.path } : {}),
      ...(extensions ? { extensions } : {}),
    });
  }
  return out;
}

const PUNCTUATORS: Record<string, string> = {
  '{': 'LCURLY',
  '}': 'RCURLY',
  '(': 'LPAREN',
  ')': 'RPAREN',
  '[': 'LBRACKET',
  ']': 'RBRACKET',
  ':': 'COLON',
  '!': 'BANG',
  $: 'VAR_SIGN',
  '=': 'EQUALS',
  '@': 'DIR_SIGN',
  '...': 'ELLIPSIS',
  '|': 'PIPE',
  '&': 'AMP',
};

/** A parse error as graphql-ruby words it. */
export function syntaxError(error: GraphQLError): ShopifyError {
  const at = error.locations?.[0] ?? { line: 1, column: 1 };
  const found = /(?:found|Unexpected) (<EOF>|"[^"]*"|[^.]+)\.?$/.exec(error.message)?.[1];
  let message: string;
  if (!found || found === '<EOF>')
    message = `syntax error, unexpected end of file at [${at.line}, ${at.column}]`;
  else {
    const token = found.replace(/^"|"$/g, '');
    const kind =
      PUNCTUATORS[token] ??
      (/^\d+$/.test(token)
        ? 'INT'
        : /^[\d.eE+-]+$/.test(token)
          ? 'FLOAT'
          : /^\w+$/.test(token)
            ? 'IDENTIFIER'
            : 'STRING');
    message = `Parse error on "${token}" (${kind}) at [${at.line}, ${at.column}]`;
  }
  return { message, locations: [{ line: at.line, column: at.column }] };
}

/**
 * The variables' values checked against their declared types before
 * anything runs, reported as Shopify does: `Variable $metafields of type
 * [MetafieldsSetInput!]! was provided invalid value for 0.key (Expected value
 * to not be null)`, code INVALID_VARIABLE, with every problem listed.
 */
export function variableErrors(
  schema: GraphQLSchema,
  definitions: readonly VariableDefinitionNode[],
  values: Record<string, unknown>,
): ShopifyError[] {
  const out: ShopifyError[] = [];
  for (const { definition: def, name, type } of declaredVariables(schema, definitions)) {
    const provided = Object.hasOwn(values, name);
    const value = provided ? values[name] : def.defaultValue ? undefined : null;
    if (!provided && def.defaultValue) continue;
    const problems: { path: (string | number)[]; explanation: string }[] = [];
    validateInputValue(value === undefined ? null : value, type, (error, path) => {
      // graphql-js reports an absent required field at its object; Shopify at the field itself.
      const absent = /^Expected value of type "\w+" to include required field "(\w+)"/.exec(error.message);
      problems.push({
        path: absent ? [...path, absent[1]!] : [...path],
        explanation: absent ? 'Expected value to not be null' : explain(error.message),
      });
    });
    if (!problems.length) continue;
    const first = problems[0]!;
    const where = first.path.length ? ` for ${first.path.join('.')}` : '';
    out.push({
      message: `Variable $${name} of type ${print(def.type)} was provided invalid value${where} (${first.explanation})`,
      locations: def.loc ? [{ line: def.loc.startToken.line, column: def.loc.startToken.column }] : [],
      extensions: { code: 'INVALID_VARIABLE', value: value ?? null, problems },
    });
  }
  return out;
}

function explain(message: string): string {
  let m: RegExpExecArray | null;
  if (/not to be null|to be provided|non-null/.test(message)) return 'Expected value to not be null';
  if ((m = /not to include unknown field "(\w+)"/.exec(message)))
    return `Field is not defined on ${/type "(\w+)"/.exec(message)?.[1] ?? 'input'}: ${m[1]}`;
  if ((m = /Value "?([^"]*)"? does not exist in "(\w+)" enum/.exec(message)))
    return `Expected "${m[1]}" to be one of the ${m[2]} values`;
  if ((m = /^(\w+) cannot represent/.exec(message))) return `Could not coerce value to ${m[1]}`;
  return message.replace(/\.$/, '');
}
