import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { TableDefinitionError, tableDefinitionFromServerless } from '../../../local/table-definition.ts';

const serverlessYml = readFileSync(new URL('../../../serverless.yml', import.meta.url), 'utf8');

/** A serverless.yml holding only the given Table resource (YAML text, indented under Resources). */
function withTable(table: string): string {
  return `service: s\nresources:\n  Resources:\n${table.replace(/^/gm, '    ')}\n`;
}

const MINIMAL_TABLE = `Table:
  Type: AWS::DynamoDB::Table
  Properties:
    TableName: \${self:service}-\${sls:stage}
    BillingMode: PAY_PER_REQUEST
    AttributeDefinitions:
      - { AttributeName: id, AttributeType: S }
    KeySchema:
      - { AttributeName: id, KeyType: HASH }`;

describe('tableDefinitionFromServerless on the real serverless.yml', () => {
  const definition = tableDefinitionFromServerless(serverlessYml, 'clv-unit');
  // The Table properties as written, read independently (plain YAML, CloudFormation tags left unresolved).
  const declared = (
    parse(serverlessYml, { logLevel: 'silent' }) as {
      resources: { Resources: { Table: { Properties: Record<string, unknown> } } };
    }
  ).resources.Resources.Table.Properties;

  it('parses despite the !Ref, !GetAtt and ${...} elsewhere in the file, and replaces the table name', () => {
    expect(declared['TableName']).toBe('${self:service}-${sls:stage}');
    expect(definition.createTable.TableName).toBe('clv-unit');
  });

  it('keeps the keys, the index and the billing mode exactly as declared', () => {
    expect(definition.createTable.AttributeDefinitions).toEqual(declared['AttributeDefinitions']);
    expect(definition.createTable.KeySchema).toEqual(declared['KeySchema']);
    expect(definition.createTable.GlobalSecondaryIndexes).toEqual(declared['GlobalSecondaryIndexes']);
    expect(definition.createTable.BillingMode).toBe(declared['BillingMode']);
    expect(definition.createTable.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    expect(definition.createTable.GlobalSecondaryIndexes?.map((index) => index.IndexName)).toEqual(['gsi1']);
    expect(definition.createTable.BillingMode).toBe('PAY_PER_REQUEST');
  });

  it('drops TTL and point-in-time recovery from the CreateTable input and reports TTL separately', () => {
    expect(declared).toHaveProperty('TimeToLiveSpecification');
    expect(declared).toHaveProperty('PointInTimeRecoverySpecification');
    expect(Object.keys(definition.createTable).sort()).toEqual([
      'AttributeDefinitions',
      'BillingMode',
      'GlobalSecondaryIndexes',
      'KeySchema',
      'TableName',
    ]);
    expect(definition.timeToLiveAttribute).toBe('expiresAt');
  });
});

describe('tableDefinitionFromServerless on other YAML', () => {
  it('reads a minimal table, with no TTL', () => {
    expect(tableDefinitionFromServerless(withTable(MINIMAL_TABLE), 'local-table')).toEqual({
      createTable: {
        TableName: 'local-table',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      },
      timeToLiveAttribute: null,
    });
  });

  it('accepts CloudFormation short tags in the table name, and a disabled TTL', () => {
    const yaml = withTable(
      MINIMAL_TABLE.replace(/TableName: .*/, "TableName: !Sub '${AWS::StackName}-table'") +
        '\n    TimeToLiveSpecification: { AttributeName: expiresAt, Enabled: false }' +
        '\n    StreamSpecification: { StreamViewType: NEW_IMAGE }',
    );
    const definition = tableDefinitionFromServerless(yaml, 'local-table');
    expect(definition.createTable.TableName).toBe('local-table');
    expect(definition.createTable.StreamSpecification).toEqual({
      StreamEnabled: true,
      StreamViewType: 'NEW_IMAGE',
    });
    expect(definition.timeToLiveAttribute).toBeNull();
  });

  it('throws TableDefinitionError when there is no Table resource', () => {
    const yaml = 'service: s\nresources:\n  Resources:\n    Queue:\n      Type: AWS::SQS::Queue\n';
    expect(() => tableDefinitionFromServerless(yaml, 'clv-test')).toThrow(TableDefinitionError);
    expect(() => tableDefinitionFromServerless(yaml, 'clv-test')).toThrow(
      /resources\.Resources\.Table is missing/,
    );
    expect(() => tableDefinitionFromServerless('service: s\n', 'clv-test')).toThrow(TableDefinitionError);
  });

  it.each([
    [
      'a Type other than AWS::DynamoDB::Table',
      MINIMAL_TABLE.replace('AWS::DynamoDB::Table', 'AWS::SQS::Queue'),
      /Type/,
    ],
    ['no KeySchema', MINIMAL_TABLE.replace(/ {4}KeySchema:\n.*/, ''), /KeySchema/],
    ['a bad KeyType', MINIMAL_TABLE.replace('KeyType: HASH', 'KeyType: PRIMARY'), /KeyType/],
    [
      'a CloudFormation function in the schema',
      MINIMAL_TABLE.replace('PAY_PER_REQUEST', '!Ref Billing'),
      /Ref/,
    ],
    [
      'a Serverless variable in the schema',
      MINIMAL_TABLE.replace('PAY_PER_REQUEST', '${self:custom.billing}'),
      /\$\{/,
    ],
    ['an unknown property', `${MINIMAL_TABLE}\n    TableNmae: typo`, /TableNmae/],
  ])('throws TableDefinitionError on a Table with %s', (_, table, message) => {
    const parseIt = () => tableDefinitionFromServerless(withTable(table), 'clv-test');
    expect(parseIt).toThrow(TableDefinitionError);
    expect(parseIt).toThrow(message);
  });

  it('throws TableDefinitionError on invalid YAML and on an invalid table name', () => {
    expect(() => tableDefinitionFromServerless('resources: [unclosed', 'clv-test')).toThrow(
      TableDefinitionError,
    );
    expect(() => tableDefinitionFromServerless(serverlessYml, 'no spaces allowed')).toThrow(
      TableDefinitionError,
    );
  });
});
