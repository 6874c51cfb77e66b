// Vitest setup file: each test file gets a table of its own in the run's one DynamoDB Local, created from
// serverless.yml's definition before the file is imported and deleted after its last hook.
// Why not one shared table: many tests check "nothing of it remains" or "no token anywhere" by scanning the
// whole table, and with one table every scan also read every earlier file's items. After the replay file's
// ~40,000 items a scan took about 5 s, and the Salesforce outbound file, 1.3 s alone, took 50-78 s in
// `npm test`. A file's own table holds only what that file wrote, so the same scans check the same thing.
// Code under test reads the table name from CLV_TABLE (shared/store/store.ts storeFromEnv), as it does in
// Lambda; spawned CLI processes inherit it.
import { randomBytes } from 'node:crypto';
import { afterAll } from 'vitest';
import { createTable, deleteTable } from '../../local/dynamodb-local.ts';

const endpoint = process.env.CLV_DYNAMODB_ENDPOINT;
if (!endpoint)
  throw new Error('CLV_DYNAMODB_ENDPOINT is not set: test/setup/dynamodb.ts starts DynamoDB Local');

const table = `clv-test-${randomBytes(4).toString('hex')}`;
await createTable(endpoint, table);
process.env.CLV_TABLE = table;

afterAll(async () => {
  // Freed, so DynamoDB Local (in memory) does not carry every earlier file's items to the end of the run.
  await deleteTable(endpoint, table);
});
