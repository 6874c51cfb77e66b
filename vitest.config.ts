import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Generous: these bound a hang, they do not measure speed (bench/ does). On a loaded 2-core machine a
    // setup hook writing to the shared DynamoDB Local has been seen to take longer than vitest's 10 s default.
    testTimeout: 180_000,
    hookTimeout: 180_000,
    // One DynamoDB Local for the whole run; workers find it in CLV_DYNAMODB_ENDPOINT and CLV_TABLE.
    globalSetup: ['test/setup/dynamodb.ts'],
  },
});
