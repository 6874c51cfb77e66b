/**
 * The table handle every repository takes: a DocumentClient, the table name,
 * and a count of the calls made (the refit benchmark reports it). Configured
 * once, as shopify-api's factories are.
 */
import { InternalError } from '../errors.ts';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface StoreConfig {
  tableName: string;
  /** DynamoDB Local's URL; omitted in AWS. */
  endpoint?: string;
  region?: string;
}

export interface Store {
  readonly doc: DynamoDBDocumentClient;
  readonly table: string;
  /** Calls made through this store, by operation name. */
  readonly calls: Map<string, number>;
}

export class StoreConfigError extends InternalError {
  override name = 'StoreConfigError';
}

export function createStore(config: StoreConfig): Store {
  if (!config.tableName) throw new StoreConfigError('no table name: set CLV_TABLE');
  const local = config.endpoint !== undefined;
  const client = new DynamoDBClient({
    region: config.region ?? process.env.AWS_REGION ?? 'us-east-1',
    ...(local
      ? { endpoint: config.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
      : {}),
    maxAttempts: 6,
  });
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  const calls = new Map<string, number>();
  doc.middlewareStack.add(
    (next, context) => async (args) => {
      const name = String(context.commandName ?? 'unknown').replace(/Command$/, '');
      calls.set(name, (calls.get(name) ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name: 'countCalls' },
  );
  return { doc, table: config.tableName, calls };
}

/** The store from the environment: CLV_TABLE, and CLV_DYNAMODB_ENDPOINT for DynamoDB Local. */
export function storeFromEnv(env: NodeJS.ProcessEnv = process.env): Store {
  return createStore({ tableName: env.CLV_TABLE ?? '', endpoint: env.CLV_DYNAMODB_ENDPOINT || undefined });
}
