// The table that test/setup/table-per-file.ts created for this file in DynamoDB Local, read back and compared with serverless.yml.
import { readFileSync } from 'node:fs';
import { DescribeTableCommand, DescribeTimeToLiveCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { TableDescription } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { localClientConfig } from '../../../local/dynamodb-local.ts';
import { tableDefinitionFromServerless } from '../../../local/table-definition.ts';

const endpoint = process.env.CLV_DYNAMODB_ENDPOINT ?? '';
const tableName = process.env.CLV_TABLE ?? '';
const client = new DynamoDBClient(localClientConfig(endpoint));
const declared = tableDefinitionFromServerless(
  readFileSync(new URL('../../../serverless.yml', import.meta.url), 'utf8'),
  tableName,
);

const byName = (a: { AttributeName?: string }, b: { AttributeName?: string }) =>
  (a.AttributeName ?? '').localeCompare(b.AttributeName ?? '');

describe('the test table in DynamoDB Local', () => {
  let table: TableDescription;

  beforeAll(async () => {
    const out = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (!out.Table) throw new Error(`DescribeTable ${tableName} returned no table`);
    table = out.Table;
  });
  afterAll(() => client.destroy());

  it("reaches the worker through the environment and inject(), with a table of this file's own", () => {
    expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(tableName).toMatch(/^clv-test-[0-9a-f]{8}$/);
    expect(inject('clvDynamoDbEndpoint')).toBe(endpoint);
  });

  it('exists and is active, with pk/sk keys', () => {
    expect(table.TableName).toBe(tableName);
    expect(table.TableStatus).toBe('ACTIVE');
    expect(table.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
  });

  it('has the gsi1 index on gsi1pk/gsi1sk projecting ALL', () => {
    const gsi1 = table.GlobalSecondaryIndexes?.find((index) => index.IndexName === 'gsi1');
    expect(gsi1?.IndexStatus).toBe('ACTIVE');
    expect(gsi1?.KeySchema).toEqual([
      { AttributeName: 'gsi1pk', KeyType: 'HASH' },
      { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
    ]);
    expect(gsi1?.Projection).toEqual({ ProjectionType: 'ALL' });
  });

  it('has TTL enabled on expiresAt', async () => {
    const out = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
    expect(out.TimeToLiveDescription).toEqual({ TimeToLiveStatus: 'ENABLED', AttributeName: 'expiresAt' });
  });

  it('matches what serverless.yml declares', async () => {
    expect(table.KeySchema).toEqual(declared.createTable.KeySchema);
    expect([...(table.AttributeDefinitions ?? [])].sort(byName)).toEqual(
      [...(declared.createTable.AttributeDefinitions ?? [])].sort(byName),
    );
    expect(table.BillingModeSummary?.BillingMode).toBe(declared.createTable.BillingMode);
    const indexes = (table.GlobalSecondaryIndexes ?? []).map(({ IndexName, KeySchema, Projection }) => ({
      IndexName,
      KeySchema,
      Projection,
    }));
    expect(indexes.sort((a, b) => (a.IndexName ?? '').localeCompare(b.IndexName ?? ''))).toEqual(
      [...(declared.createTable.GlobalSecondaryIndexes ?? [])].sort((a, b) =>
        (a.IndexName ?? '').localeCompare(b.IndexName ?? ''),
      ),
    );
    const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
    expect(ttl.TimeToLiveDescription?.AttributeName).toBe(declared.timeToLiveAttribute);
  });
});
