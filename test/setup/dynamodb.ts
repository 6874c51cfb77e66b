// Vitest global setup: ONE DynamoDB Local for the whole test run, with the table of serverless.yml created as
// `clv-test`. It runs in vitest's main process, before any worker starts. Workers get the endpoint and the
// table name two ways:
// - process.env.CLV_DYNAMODB_ENDPOINT and process.env.CLV_TABLE: vitest builds each worker's environment
//   from the main process's process.env when it schedules the test files, which is after this setup, so
//   what is set here is inherited by the forks and threads pools alike (code under test reads the env);
// - `inject('clvDynamoDbEndpoint')` / `inject('clvTable')`, vitest's documented channel (project.provide).
// The teardown stops Java whether the tests passed or failed; if vitest exits without tearing down (Ctrl-C),
// local/dynamodb-local.ts kills Java on the main process's exit.
import { randomBytes } from 'node:crypto';
import type { TestProject } from 'vitest/node';
import { createTable, startDynamoDbLocal } from '../../local/dynamodb-local.ts';

export const TEST_TABLE = 'clv-test';

declare module 'vitest' {
  export interface ProvidedContext {
    clvDynamoDbEndpoint: string;
    clvTable: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dynamoDb = await startDynamoDbLocal();
  try {
    await createTable(dynamoDb.endpoint, TEST_TABLE);
  } catch (error) {
    await dynamoDb.stop();
    throw error;
  }
  // The embedded stack's token key (shared/crypto/token-envelope.ts), fresh each run unless one is set.
  process.env.CLV_TOKEN_AES_KEY ||= randomBytes(32).toString('base64');
  process.env.CLV_DYNAMODB_ENDPOINT = dynamoDb.endpoint;
  process.env.CLV_TABLE = TEST_TABLE;
  project.provide('clvDynamoDbEndpoint', dynamoDb.endpoint);
  project.provide('clvTable', TEST_TABLE);

  return async () => {
    delete process.env.CLV_DYNAMODB_ENDPOINT;
    delete process.env.CLV_TABLE;
    await dynamoDb.stop();
  };
}
