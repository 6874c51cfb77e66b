// Vitest global setup: ONE DynamoDB Local for the whole test run. It runs in vitest's main process, before
// any worker starts. Workers get the endpoint two ways:
// - process.env.CLV_DYNAMODB_ENDPOINT: vitest builds each worker's environment from the main process's
//   process.env when it schedules the test files, which is after this setup, so what is set here is
//   inherited by the forks and threads pools alike (code under test reads the env);
// - `inject('clvDynamoDbEndpoint')`, vitest's documented channel (project.provide).
// Each test file then creates its own table in it (test/setup/table-per-file.ts).
// Every project that stores (vitest.config.ts) lists this file, and vitest runs a project's global setup
// once per project, each in the main process before any test: the first start is shared through
// globalThis and the last teardown stops it, so `npm test` still starts Java once. The `unit` project does
// not list it, so it runs without Java.
// The teardown stops Java whether the tests passed or failed; if vitest exits without tearing down (Ctrl-C),
// local/dynamodb-local.ts kills Java on the main process's exit.
import { randomBytes } from 'node:crypto';
import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal, type DynamoDbLocal } from '../../local/dynamodb-local.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    clvDynamoDbEndpoint: string;
  }
}

interface SharedRun {
  started: Promise<DynamoDbLocal>;
  users: number;
}

// A project's setup module may be loaded apart from another's, so the run is kept where both see it.
const SHARED = Symbol.for('clv-sync.test.dynamodb-local');
const holder = globalThis as { [SHARED]?: SharedRun };

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const run = (holder[SHARED] ??= { started: startDynamoDbLocal(), users: 0 });
  run.users += 1;
  let dynamoDb: DynamoDbLocal;
  try {
    dynamoDb = await run.started;
  } catch (error) {
    delete holder[SHARED];
    throw error;
  }
  // The embedded stack's token key (shared/crypto/token-envelope.ts), fresh each run unless one is set.
  process.env.CLV_TOKEN_AES_KEY ||= randomBytes(32).toString('base64');
  process.env.CLV_DYNAMODB_ENDPOINT = dynamoDb.endpoint;
  project.provide('clvDynamoDbEndpoint', dynamoDb.endpoint);

  return async () => {
    run.users -= 1;
    if (run.users > 0) return;
    delete holder[SHARED];
    delete process.env.CLV_DYNAMODB_ENDPOINT;
    await dynamoDb.stop();
  };
}
