import { defineConfig } from 'vitest/config';

// One DynamoDB Local for the run (test/setup/dynamodb.ts), started only for the projects that store, and a
// table of its own for each of their test files (test/setup/table-per-file.ts).
const DYNAMODB_LOCAL = {
  globalSetup: ['test/setup/dynamodb.ts'],
  setupFiles: ['test/setup/table-per-file.ts'],
};
// `unit`, `cli`, `local` and `ci` do not store through the run's DynamoDB Local (`local` starts its own).
const WITHOUT_DYNAMODB_LOCAL = { globalSetup: [], setupFiles: [] };

/** A project of the folder `test/<name>`, with the root's env and timeouts (extends: true). */
function folder(name: string, setup: typeof DYNAMODB_LOCAL = WITHOUT_DYNAMODB_LOCAL) {
  return { extends: true as const, test: { name, include: [`test/${name}/**/*.test.ts`], ...setup } };
}

export default defineConfig({
  test: {
    // Generous: these bound a hang, they do not measure speed (bench/ does). On a loaded 2-core machine a
    // setup hook writing to the shared DynamoDB Local has been seen to take longer than vitest's 10 s default.
    testTimeout: 180_000,
    hookTimeout: 180_000,
    // The Salesforce sandbox's login URL is http://127.0.0.1:PORT (integrations/salesforce/login-hosts.ts);
    // tests of the rule itself turn this off with vi.stubEnv.
    env: { CLV_SALESFORCE_LOOPBACK_LOGIN: 'true' },
    // `npm run test:unit` is the inner loop: in-process, no Java, no network. Each other folder is its own
    // project: `cli` spawns `node bin/clv.ts` as a user would (half a second a run), and the local stack
    // tests start DynamoDB Local of their own, as `npm start` does.
    projects: [
      folder('unit'),
      folder('contract', DYNAMODB_LOCAL),
      folder('integration', DYNAMODB_LOCAL),
      folder('e2e', DYNAMODB_LOCAL),
      folder('reliability', DYNAMODB_LOCAL),
      folder('browser', DYNAMODB_LOCAL),
      folder('cli'),
      folder('local'),
      folder('ci'),
    ],
  },
});
