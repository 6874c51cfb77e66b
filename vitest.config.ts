import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    // One DynamoDB Local for the whole run; workers find it in CLV_DYNAMODB_ENDPOINT and CLV_TABLE.
    globalSetup: ['test/setup/dynamodb.ts'],
  },
});
