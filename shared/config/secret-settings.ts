/**
 * Secret settings (the Shopify app secret, the Salesforce connected app's
 * secret or key). The plain environment variable wins when it is set: that is
 * how the tests and the local stack run. In AWS it is not set; the variable
 * `<NAME>_PARAMETER` names an SSM SecureString parameter instead, read at run
 * time (so packaging needs no credentials and no secret sits in the Lambda
 * configuration), decrypted, and cached for a few minutes across invocations
 * of a warm function.
 */
import { InternalError, TransientError } from '../errors.ts';
import type { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';

export class SecretNotConfiguredError extends InternalError {
  override name = 'SecretNotConfiguredError';
}

export class SecretUnreadableError extends TransientError {
  override name = 'SecretUnreadableError';
}

/** How long a read parameter is reused: a rotated secret reaches warm functions within this time. */
export const SECRET_CACHE_SECONDS = 300;

export interface SecretSettingsOptions {
  env?: NodeJS.ProcessEnv;
  /** The SSM reader; by default one Powertools provider per process, so its cache outlives invocations. */
  ssm?: () => Promise<SSMProvider>;
}

let defaultProvider: Promise<SSMProvider> | undefined;

/**
 * Loaded on first use: the SSM client is only needed where no plain variable is set, and importing it at
 * module load would add to every cold start (the tests and the local stack never need it).
 */
function defaultSsm(): Promise<SSMProvider> {
  defaultProvider ??= import('@aws-lambda-powertools/parameters/ssm').then(
    ({ SSMProvider }) => new SSMProvider(),
  );
  return defaultProvider;
}

const parameterSetting = (name: string) => `${name}_PARAMETER`;

async function readParameter(name: string, parameter: string, options: SecretSettingsOptions) {
  const ssm = await (options.ssm ?? defaultSsm)();
  try {
    return await ssm.get(parameter, { decrypt: true, maxAge: SECRET_CACHE_SECONDS });
  } catch (error) {
    const cause = (error as Error).cause as Error | undefined;
    if (cause?.name === 'ParameterNotFound') return undefined;
    throw new SecretUnreadableError(
      `${name}: reading the SSM parameter ${parameter} failed (${cause?.name ?? (error as Error).name}: ${
        cause?.message ?? (error as Error).message
      }): check the function's role allows ssm:GetParameter on it`,
      { cause: error },
    );
  }
}

/**
 * The secret `name`, or undefined when it is configured nowhere: neither the
 * variable nor `<name>_PARAMETER` is set, or that parameter does not exist.
 */
export async function optionalSecret(
  name: string,
  options: SecretSettingsOptions = {},
): Promise<string | undefined> {
  const env = options.env ?? process.env;
  if (env[name]) return env[name];
  const parameter = env[parameterSetting(name)];
  if (!parameter) return undefined;
  return (await readParameter(name, parameter, options)) || undefined;
}

/** The secret `name`; a SecretNotConfiguredError saying where to put it when it is configured nowhere. */
export async function requiredSecret(name: string, options: SecretSettingsOptions = {}): Promise<string> {
  const value = await optionalSecret(name, options);
  if (value !== undefined) return value;
  const env = options.env ?? process.env;
  const parameter = env[parameterSetting(name)];
  throw new SecretNotConfiguredError(
    parameter
      ? `${name}: the SSM parameter ${parameter} does not exist: create it with ` +
          `aws ssm put-parameter --type SecureString --name ${parameter} --value …`
      : `${name} is not set: set it (locally), or set ${parameterSetting(name)} to the name of the ` +
          'SSM SecureString parameter holding it (in AWS, serverless.yml does)',
  );
}
