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
    // The Salesforce sandbox's login URL is http://127.0.0.1:PORT (integrations/salesforce/login-hosts.ts);
    // tests of the rule itself turn this off with vi.stubEnv.
    env: { CLV_SALESFORCE_LOOPBACK_LOGIN: 'true' },
  },
});
