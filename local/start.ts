/**
 * `npm start`: the embedded stack with its local defaults. Settings come from .env, copied from .env.example
 * on the first run. Serves the HTTP functions on http://localhost:3000 (POST /shopify/webhooks among them),
 * runs the queue consumers, and keeps the demo tenant installed in the Shopify and Salesforce sandboxes.
 * Ctrl-C stops every child process.
 */
import { demoSettingsFromEnv, startLocalWorld } from './local-world.ts';
import { loadLocalEnv } from './local-env.ts';

const log = (line: string) => process.stderr.write(`${line}\n`);

async function main(): Promise<void> {
  // Ctrl-C while starting: exit through process.exit, whose 'exit' handlers kill Java and serverless-offline.
  const early = () => process.exit(130);
  process.once('SIGINT', early);
  loadLocalEnv(log);
  const settings = demoSettingsFromEnv();
  log(
    'starting DynamoDB Local, the local queues and serverless-offline (building the function bundles takes up to a minute or two)…',
  );
  const world = await startLocalWorld(settings, {
    log,
    verboseOffline: process.env.CLV_LOCAL_VERBOSE === 'true',
  });
  process.off('SIGINT', early);
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping…`);
    void world.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));

  const url = world.stack.url;
  log(`
clv-sync is running (stage "local")
  ${url}
    POST /shopify/webhooks      Shopify webhooks, HMAC-signed with SHOPIFY_API_SECRET from .env
    POST /shopify/install       App install by session token
    GET  /shopify/auth          OAuth install
    POST /salesforce/outbound   Salesforce outbound messages (the demo org's URL, with its token: ${world.outboundUrl})
    GET  /shopify/app           the dashboard page (embedded in the Shopify admin; its API is /api/…)
  DynamoDB Local  ${world.stack.env.CLV_DYNAMODB_ENDPOINT}  (table ${world.stack.env.CLV_TABLE}, in memory)
  SQS endpoint    ${world.stack.env.CLV_SQS_ENDPOINT}  (score, write-back, backfill, refit consumers run here)
  demo tenant     ${settings.tenantId}: shop ${settings.shop}, Salesforce org ${settings.orgId}
  ${world.shopify ? `Shopify sandbox ${world.shopify.origin}, Salesforce sandbox ${world.salesforce!.instanceUrl}` : 'sandboxes off (CLV_LOCAL_SANDBOXES=false)'}
In another terminal: npx clv report --tenant ${settings.tenantId}   (reads the same .env)
Ctrl-C stops everything.`);
}

main().catch((error: unknown) => {
  log(`npm start failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
