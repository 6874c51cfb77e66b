/**
 * The embedded stack: the deployable service running on this machine. DynamoDB Local holds the table of
 * serverless.yml; serverless-offline serves the HTTP functions on http://localhost:3000 from the same
 * esbuild bundles Lambda runs (stage `local`); the local SQS endpoint takes what they enqueue, and the
 * queue consumers run the production SQS handlers (score, write-back, backfill) in this process.
 * `npm start` (local/start.ts) and `npm run demo` (local/demo.ts) both run it.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { createTable, startDynamoDbLocal, type DynamoDbLocal } from './dynamodb-local.ts';
import { FUNCTION_ERROR_PREFIX } from './function-error-line.ts';
import { withoutEmptyValues } from './local-env.ts';
import type { QueueConsumer } from './queue-consumer.ts';
import { startConsumers, type ConsumerName } from './consumers.ts';
import { HttpActivity, isHttpActivityMessage } from './http-activity.ts';
import { portAnswers } from './ports.ts';
import { startSqsEndpoint, type SqsEndpoint } from './sqs-endpoint.ts';
import { WARM_UP_SHOP, warmDynamoDb, warmWebhooks } from './warm-up.ts';

export const LOCAL_STAGE = 'local';
/** serverless.yml names the table `${service}-${stage}`. */
export const LOCAL_TABLE = `clv-sync-${LOCAL_STAGE}`;
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OFFLINE_READY_TIMEOUT_MS = 180_000;

export class LocalStackError extends Error {
  override name = 'LocalStackError';
}

export interface LocalStackOptions {
  /** serverless-offline's HTTP port (CLV_LOCAL_HTTP_PORT, default 3000). */
  httpPort?: number;
  /** 0 picks free ports. */
  dynamoDbPort?: number;
  sqsPort?: number;
  /** Lines from the stack and serverless-offline; defaults to stderr. */
  log?: (line: string) => void;
  /** serverless-offline's own output (build, requests) is shown only when true. */
  verboseOffline?: boolean;
}

export interface LocalStack {
  /** e.g. http://localhost:3000 */
  url: string;
  /** The settings the functions and consumers run with (also set on this process's env). */
  env: Record<string, string>;
  consumers: Record<ConsumerName, QueueConsumer>;
  /** Resolves once every queue is empty and no batch is in flight. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

const intSetting = (value: string | undefined, fallback: number) =>
  value !== undefined && value !== '' ? Number(value) : fallback;

/** CLV_LOCAL_BACKGROUND_SHARE: the share of the time queue batches may take while webhooks are served. */
function backgroundShare(value: string | undefined): number {
  const share = intSetting(value, 0.25);
  if (!(share > 0 && share <= 1))
    throw new LocalStackError(`CLV_LOCAL_BACKGROUND_SHARE must be a number in (0, 1], not ${value}`);
  return share;
}

/** CLV_LOCAL_WARM_UP_SECONDS (default 5, 0 for none): DynamoDB Local and the webhook function warmed (why: warm-up.ts). */
async function warmUp(url: string, dynamoDbEndpoint: string, log: (line: string) => void): Promise<void> {
  const seconds = intSetting(process.env.CLV_LOCAL_WARM_UP_SECONDS, 5);
  if (!(seconds >= 0))
    throw new LocalStackError(
      `CLV_LOCAL_WARM_UP_SECONDS must be a number of seconds, not ${process.env.CLV_LOCAL_WARM_UP_SECONDS}`,
    );
  if (seconds === 0) return;
  const concurrency = intSetting(process.env.CLV_LOCAL_HTTP_CONCURRENCY, 8);
  const secret = process.env.SHOPIFY_API_SECRET;
  const started = Date.now();
  const [rounds, webhooks] = await Promise.all([
    warmDynamoDb(dynamoDbEndpoint, LOCAL_TABLE, { seconds, concurrency: 4 }),
    secret ? warmWebhooks(url, secret, { seconds, concurrency }) : { answered: 0, unexpected: null },
  ]);
  log(
    `warmed up in ${((Date.now() - started) / 1000).toFixed(1)} s: ${rounds} table rounds, ${webhooks.answered} webhooks` +
      (webhooks.unexpected === null
        ? ''
        : ` (stopped: a webhook of ${WARM_UP_SHOP} was answered ${webhooks.unexpected}, not 404 as an unknown shop)`),
  );
}

async function assertPortFree(port: number, setting: string): Promise<void> {
  if (await portAnswers(port))
    throw new LocalStackError(
      `port ${port} is already in use (another \`npm start\`?): stop it, or set ${setting} in .env to a free port`,
    );
}

const SERVERLESS = fileURLToPath(new URL('../node_modules/serverless/bin/serverless.js', import.meta.url));
/** Makes a function that throws answer 500 as API Gateway does, not 200 with its stack (why: the file). */
const FUNCTION_ERRORS_SHIM = new URL('./offline-function-errors.ts', import.meta.url).href;
/** At most a few handlers at once, 503 with Retry-After beyond what it can serve in time (why: the file). */
const ADMISSION_SHIM = new URL('./offline-admission.ts', import.meta.url).href;

function startOffline(
  httpPort: number,
  env: Record<string, string>,
  log: (line: string) => void,
  verbose: boolean,
  activity: HttpActivity,
) {
  const child = spawn(
    process.execPath,
    [
      '--import',
      FUNCTION_ERRORS_SHIM,
      '--import',
      ADMISSION_SHIM,
      // A CPU profile of this process on exit (docs/local-stack-load.md): CLV_LOCAL_CPU_PROF=<directory>.
      ...(env.CLV_LOCAL_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${env.CLV_LOCAL_CPU_PROF}`] : []),
      SERVERLESS,
      'offline',
      'start',
      '--stage',
      LOCAL_STAGE,
      '--httpPort',
      String(httpPort),
      '--lambdaPort',
      String(httpPort + 2),
      // Each function's bundle loaded once, in this process. By default serverless-offline runs a handler
      // in a worker thread and starts a new worker, loading the whole bundle again, for every request that
      // arrives while the others are busy: under load nearly every request paid a cold start, and the
      // workers multiplied until the two cores did little else (docs/local-stack-load.md).
      '--useInProcess',
    ],
    // Its own process group, so stopping kills serverless and the esbuild and worker processes it starts.
    // The IPC channel carries the admission gate's activity reports (local/http-activity.ts).
    { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'], detached: true },
  );
  child.on('message', (message) => {
    if (isHttpActivityMessage(message)) activity.report(message);
  });
  let output = '';
  const lineReader = () => {
    let partial = '';
    // Quiet, a function's failure still shows: its report line and the error's first line (name: message).
    let showNext = false;
    return (chunk: Buffer) => {
      const text = chunk.toString();
      output = (output + text).slice(-4000);
      const lines = (partial + text).split('\n');
      partial = lines.pop()!;
      for (const line of lines) {
        const failure = line.startsWith(FUNCTION_ERROR_PREFIX);
        if (verbose ? line.trim() : failure || showNext) log(`[offline] ${line}`);
        showNext = failure;
      }
    };
  };
  // Piped above (node's typings know the pipes only of a three-entry stdio).
  child.stdout!.on('data', lineReader());
  child.stderr!.on('data', lineReader());
  return { child, output: () => output };
}

async function waitForOffline(child: ChildProcess, port: number, output: () => string): Promise<void> {
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new LocalStackError(
        `serverless-offline exited (${child.exitCode ?? child.signalCode}):\n${output()}`,
      );
    if (await portAnswers(port)) return;
    if (Date.now() - started > OFFLINE_READY_TIMEOUT_MS)
      throw new LocalStackError(
        `serverless-offline did not listen on port ${port} within 180 s:\n${output()}`,
      );
    await sleep(250);
  }
}

async function killGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const signal = (s: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, s);
    } catch {
      // Already gone.
    }
  };
  signal('SIGTERM');
  const escalate = setTimeout(() => signal('SIGKILL'), 5000);
  await exited;
  clearTimeout(escalate);
}

/**
 * The dashboard page serves web/dist: build it on the first start (esbuild, a few seconds). In a child
 * process, so esbuild's long-lived service process is not left behind in ours.
 */
function ensureWebBundle(log: (line: string) => void): void {
  if (existsSync(fileURLToPath(new URL('../web/dist/manifest.json', import.meta.url)))) return;
  log('building the dashboard page (web/dist)…');
  execFileSync(process.execPath, [fileURLToPath(new URL('../web/build.ts', import.meta.url))], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const httpPort = options.httpPort ?? intSetting(process.env.CLV_LOCAL_HTTP_PORT, 3000);
  const dynamoDbPort = options.dynamoDbPort ?? intSetting(process.env.CLV_LOCAL_DYNAMODB_PORT, 8000);
  const sqsPort = options.sqsPort ?? intSetting(process.env.CLV_LOCAL_SQS_PORT, 9324);
  await assertPortFree(httpPort, 'CLV_LOCAL_HTTP_PORT');
  if (dynamoDbPort) await assertPortFree(dynamoDbPort, 'CLV_LOCAL_DYNAMODB_PORT');

  ensureWebBundle(log);
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const s of stops.splice(0).reverse()) await s().catch(() => undefined);
  };
  try {
    const dynamoDb: DynamoDbLocal = await startDynamoDbLocal(dynamoDbPort ? { port: dynamoDbPort } : {});
    stops.push(() => dynamoDb.stop());
    await createTable(dynamoDb.endpoint, LOCAL_TABLE);

    const activity = new HttpActivity();
    const share = backgroundShare(process.env.CLV_LOCAL_BACKGROUND_SHARE);
    const consumers = startConsumers(log, { busy: () => activity.busy, share });
    const sqs: SqsEndpoint = await startSqsEndpoint({
      port: sqsPort,
      queues: new Map(Object.values(consumers).map((c) => [c.queue.name, c])),
    });
    stops.push(() => sqs.close());

    const env: Record<string, string> = {
      CLV_TABLE: LOCAL_TABLE,
      CLV_DYNAMODB_ENDPOINT: dynamoDb.endpoint,
      CLV_SQS_ENDPOINT: sqs.origin,
      CLV_SCORE_QUEUE_URL: sqs.queueUrl('clv-score'),
      CLV_WRITEBACK_QUEUE_URL: sqs.queueUrl('clv-writeback.fifo'),
      CLV_BACKFILL_QUEUE_URL: sqs.queueUrl('clv-backfill'),
      CLV_REFIT_QUEUE_URL: sqs.queueUrl('clv-refit.fifo'),
      AWS_REGION: 'us-east-1',
      // Local endpoints only; these keep the SDK's credential chain from looking for real ones.
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
    };
    Object.assign(process.env, env);
    // Empty means unset (local/local-env.ts), for the consumers' handlers here as for the functions there.
    for (const [name, value] of Object.entries(process.env)) if (value === '') delete process.env[name];

    const offline = startOffline(
      httpPort,
      withoutEmptyValues(process.env),
      log,
      options.verboseOffline ?? false,
      activity,
    );
    // Its own process group does not die with us: if this process exits without stop() (an uncaught error,
    // process.exit), take the group down synchronously on the way out.
    const killOnExit = () => {
      try {
        process.kill(-offline.child.pid!, 'SIGKILL');
      } catch {
        // Already gone.
      }
    };
    process.once('exit', killOnExit);
    stops.push(async () => {
      process.off('exit', killOnExit);
      await killGroup(offline.child);
    });
    await waitForOffline(offline.child, httpPort, offline.output);
    await warmUp(`http://localhost:${httpPort}`, dynamoDb.endpoint, log);

    const idle = async () => {
      // A consumer's handler may enqueue on another (score → write-back): wait until none is busy.
      while (Object.values(consumers).some((c) => c.busy)) {
        await Promise.all(Object.values(consumers).map((c) => c.idle()));
        await sleep(20);
      }
    };
    return { url: `http://localhost:${httpPort}`, env, consumers, idle, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
