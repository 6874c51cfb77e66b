// The DynamoDB table's schema, read from serverless.yml: `resources.Resources.Table.Properties` is the one
// definition of the table. The deployed stack uses it through CloudFormation; DynamoDB Local (tests, local
// runs) gets the CreateTable input built here. There is no second, hand-written schema anywhere.
import { parseDocument } from 'yaml';
import type { CollectionTag, ScalarTag, YAMLMap, YAMLSeq } from 'yaml';
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

export interface TableDefinition {
  /** The CreateTable input: the declared properties CreateTable accepts, with the given table name. */
  createTable: CreateTableCommandInput;
  /** The attribute named by an enabled TimeToLiveSpecification (set with UpdateTimeToLive), else null. */
  timeToLiveAttribute: string | null;
}

/** serverless.yml has no usable `Table` resource, or the resource cannot be turned into a CreateTable input. */
export class TableDefinitionError extends Error {
  override name = 'TableDefinitionError';
}

const WHERE = 'serverless.yml resources.Resources.Table';

// CloudFormation properties copied into CreateTable unchanged (same name, same shape in both APIs).
const PASSED_THROUGH = [
  'AttributeDefinitions',
  'KeySchema',
  'GlobalSecondaryIndexes',
  'LocalSecondaryIndexes',
  'BillingMode',
  'ProvisionedThroughput',
  'TableClass',
  'OnDemandThroughput',
  'WarmThroughput',
] as const;

// Properties left out: CloudFormation-only ones, applied after creation by other API calls, and ones that
// mean nothing locally and often refer to other resources (Tags, encryption keys). Deletion protection guards
// the deployed table; locally it would only stop DynamoDB Local's throwaway table from being deleted.
// TimeToLiveSpecification is reported as `timeToLiveAttribute`.
const DROPPED = new Set([
  'TimeToLiveSpecification',
  'SSESpecification',
  'Tags',
  'PointInTimeRecoverySpecification',
  'ContributorInsightsSpecification',
  'KinesisStreamSpecification',
  'ImportSourceSpecification',
  'ResourcePolicy',
  'DeletionProtectionEnabled',
]);

/**
 * Builds the CreateTable input of the table declared as `resources.Resources.Table` in serverless.yml.
 * AttributeDefinitions, KeySchema, GlobalSecondaryIndexes, BillingMode (and the other properties CreateTable
 * shares with CloudFormation) are kept exactly as declared; TableName is replaced by `tableName`.
 * @throws TableDefinitionError when the YAML is invalid, or the Table resource is missing or malformed.
 */
export function tableDefinitionFromServerless(
  serverlessYamlText: string,
  tableName: string,
): TableDefinition {
  if (!/^[A-Za-z0-9_.-]{3,255}$/.test(tableName)) {
    throw new TableDefinitionError(
      `table name "${tableName}" is not a valid DynamoDB table name (3 to 255 of A-Z a-z 0-9 _ . -)`,
    );
  }
  const document = parseDocument(serverlessYamlText, { customTags: CLOUDFORMATION_TAGS, logLevel: 'silent' });
  const [firstError] = document.errors;
  if (firstError) {
    throw new TableDefinitionError(`serverless.yml is not valid YAML: ${firstError.message}`, {
      cause: firstError,
    });
  }
  const root: unknown = document.toJS();
  const resources = field(field(root, 'resources'), 'Resources');
  const table = field(resources, 'Table');
  if (table === undefined) {
    throw new TableDefinitionError(
      `${WHERE} is missing: declare the table as a resource named "Table" (Type: AWS::DynamoDB::Table) ` +
        'under resources.Resources in serverless.yml',
    );
  }
  if (!isRecord(table)) throw new TableDefinitionError(`${WHERE} must be a mapping with Type and Properties`);
  if (table['Type'] !== 'AWS::DynamoDB::Table') {
    throw new TableDefinitionError(
      `${WHERE} has Type ${JSON.stringify(table['Type'])}: it must be AWS::DynamoDB::Table`,
    );
  }
  const properties = table['Properties'];
  if (!isRecord(properties)) {
    throw new TableDefinitionError(`${WHERE}.Properties must be a mapping of the table's properties`);
  }

  checkAttributeDefinitions(properties['AttributeDefinitions']);
  checkKeySchema(properties['KeySchema'], `${WHERE}.Properties.KeySchema`);
  checkIndexes(properties['GlobalSecondaryIndexes'], 'GlobalSecondaryIndexes');
  checkIndexes(properties['LocalSecondaryIndexes'], 'LocalSecondaryIndexes');

  const unknown = Object.keys(properties).filter(
    (name) =>
      name !== 'TableName' &&
      name !== 'StreamSpecification' &&
      !DROPPED.has(name) &&
      !(PASSED_THROUGH as readonly string[]).includes(name),
  );
  if (unknown.length > 0) {
    throw new TableDefinitionError(
      `${WHERE}.Properties has ${unknown.join(', ')}, which local/table-definition.ts does not know ` +
        'how to give to CreateTable: fix the property name, or teach table-definition.ts to pass it or drop it',
    );
  }

  const createTable: Record<string, unknown> = { TableName: tableName };
  for (const name of PASSED_THROUGH) {
    if (properties[name] !== undefined) createTable[name] = properties[name];
  }
  const stream = properties['StreamSpecification'];
  if (stream !== undefined) {
    // CloudFormation enables the stream by giving its view type; CreateTable also wants StreamEnabled.
    if (!isRecord(stream) || typeof stream['StreamViewType'] !== 'string') {
      throw new TableDefinitionError(`${WHERE}.Properties.StreamSpecification needs a StreamViewType`);
    }
    createTable['StreamSpecification'] = { StreamEnabled: true, StreamViewType: stream['StreamViewType'] };
  }
  rejectUnresolved(createTable, `${WHERE}.Properties`);

  return {
    createTable: createTable as unknown as CreateTableCommandInput,
    timeToLiveAttribute: timeToLiveAttribute(properties['TimeToLiveSpecification']),
  };
}

function timeToLiveAttribute(specification: unknown): string | null {
  if (specification === undefined) return null;
  const where = `${WHERE}.Properties.TimeToLiveSpecification`;
  if (!isRecord(specification)) throw new TableDefinitionError(`${where} must be a mapping`);
  const enabled = specification['Enabled'];
  const attribute = specification['AttributeName'];
  if (typeof enabled !== 'boolean') throw new TableDefinitionError(`${where}.Enabled must be true or false`);
  if (!enabled) return null;
  if (typeof attribute !== 'string' || attribute === '' || attribute.includes('${')) {
    throw new TableDefinitionError(
      `${where}.AttributeName must name the expiry attribute when Enabled is true`,
    );
  }
  return attribute;
}

function checkAttributeDefinitions(definitions: unknown): void {
  const where = `${WHERE}.Properties.AttributeDefinitions`;
  if (!Array.isArray(definitions) || definitions.length === 0) {
    throw new TableDefinitionError(`${where} must list the key attributes (AttributeName, AttributeType)`);
  }
  definitions.forEach((definition: unknown, i) => {
    if (
      !isRecord(definition) ||
      typeof definition['AttributeName'] !== 'string' ||
      !['S', 'N', 'B'].includes(definition['AttributeType'] as string)
    ) {
      throw new TableDefinitionError(
        `${where}[${i}] needs an AttributeName and an AttributeType of S, N or B`,
      );
    }
  });
}

function checkKeySchema(schema: unknown, where: string): void {
  if (!Array.isArray(schema) || schema.length < 1 || schema.length > 2) {
    throw new TableDefinitionError(`${where} must list a HASH key and optionally a RANGE key`);
  }
  schema.forEach((element: unknown, i) => {
    if (
      !isRecord(element) ||
      typeof element['AttributeName'] !== 'string' ||
      (element['KeyType'] !== 'HASH' && element['KeyType'] !== 'RANGE')
    ) {
      throw new TableDefinitionError(`${where}[${i}] needs an AttributeName and a KeyType of HASH or RANGE`);
    }
  });
}

function checkIndexes(indexes: unknown, property: string): void {
  if (indexes === undefined) return;
  const where = `${WHERE}.Properties.${property}`;
  if (!Array.isArray(indexes)) throw new TableDefinitionError(`${where} must be a list of indexes`);
  indexes.forEach((index: unknown, i) => {
    if (!isRecord(index) || typeof index['IndexName'] !== 'string') {
      throw new TableDefinitionError(`${where}[${i}] needs an IndexName`);
    }
    checkKeySchema(index['KeySchema'], `${where}[${i}].KeySchema`);
    const projection = index['Projection'];
    if (!isRecord(projection) || typeof projection['ProjectionType'] !== 'string') {
      throw new TableDefinitionError(
        `${where}[${i}].Projection needs a ProjectionType (ALL, KEYS_ONLY or INCLUDE)`,
      );
    }
  });
}

// A Serverless variable or a CloudFormation function cannot be resolved without deploying: refuse it
// rather than create a local table that differs from the deployed one.
function rejectUnresolved(value: unknown, path: string): void {
  if (typeof value === 'string') {
    if (value.includes('${')) {
      throw new TableDefinitionError(
        `${path} is "${value}": Serverless variables can only be used in TableName, not in the schema`,
      );
    }
  } else if (Array.isArray(value)) {
    value.forEach((item: unknown, i) => rejectUnresolved(item, `${path}[${i}]`));
  } else if (isRecord(value)) {
    for (const [key, item] of Object.entries(value)) {
      if (key === 'Ref' || key === 'Condition' || key.startsWith('Fn::')) {
        throw new TableDefinitionError(
          `${path} uses the CloudFormation function ${key}, which cannot be resolved for DynamoDB Local: ` +
            'write the value itself in serverless.yml',
        );
      }
      rejectUnresolved(item, `${path}.${key}`);
    }
  }
}

function field(value: unknown, name: string): unknown {
  return isRecord(value) ? value[name] : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// CloudFormation's short-form intrinsic functions (`!Ref X`, `!GetAtt X.Arn`, `!Sub [...]`, ...), read as
// their long forms ({ Ref: X }, { 'Fn::GetAtt': [X, Arn] }, ...) so that serverless.yml parses as a whole.
const INTRINSICS = [
  'Ref',
  'Condition',
  'Base64',
  'Cidr',
  'FindInMap',
  'GetAtt',
  'GetAZs',
  'ImportValue',
  'Join',
  'Select',
  'Split',
  'Sub',
  'Transform',
  'And',
  'Equals',
  'If',
  'Not',
  'Or',
  'Length',
  'ToJsonString',
];

const CLOUDFORMATION_TAGS: (ScalarTag | CollectionTag)[] = INTRINSICS.flatMap((name) => {
  const key = name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`;
  const scalar: ScalarTag = {
    tag: `!${name}`,
    resolve: (value: string) => ({
      [key]: name === 'GetAtt' && value.includes('.') ? splitOnce(value, '.') : value,
    }),
  };
  const collection = (kind: 'map' | 'seq'): CollectionTag => ({
    tag: `!${name}`,
    collection: kind,
    resolve: (node: YAMLMap.Parsed | YAMLSeq.Parsed) => ({ [key]: node.toJSON() as unknown }),
  });
  return [scalar, collection('seq'), collection('map')];
});

function splitOnce(value: string, separator: string): [string, string] {
  const at = value.indexOf(separator);
  return [value.slice(0, at), value.slice(at + separator.length)];
}
