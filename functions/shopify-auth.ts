/**
 * Installing the app. Embedded (the usual way): the app page posts its App
 * Bridge session token to POST /shopify/install, which exchanges it for an
 * expiring offline token. Non-embedded installs use the OAuth
 * authorization-code flow: GET /shopify/auth?shop=… redirects to Shopify's
 * grant screen, GET /shopify/auth/callback receives the code.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import {
  InvalidJwtError,
  InvalidOAuthError,
  InvalidShopError,
  HttpResponseError,
} from '@shopify/shopify-api';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { InstallDeps, InstallResult } from '../integrations/shopify/install.ts';
import { completeInstall, installWithSessionToken } from '../integrations/shopify/install.ts';
import { createShopifyApp, shopifySettingsFromEnv } from '../integrations/shopify/shopify-app.ts';
import { storeFromEnv } from '../shared/store/store.ts';
import { fromResponse, json, rawBody, toRequest } from './http.ts';
import { lazy } from './lazy.ts';
import { sqsSender } from './sqs-sender.ts';

export const CALLBACK_PATH = '/shopify/auth/callback';

/** Definitions Shopify refused (or would not make filterable): the install went on; an operator should know. */
function warnOfRefusals(logger: Logger, result: InstallResult): void {
  const { notFilterable, refused } = result.definitions;
  if (notFilterable.length || refused.length)
    logger.warn('clv metafield definitions incomplete', {
      tenantId: result.tenant.tenantId,
      notFilterable,
      refused,
    });
}

export function createShopifyAuthHandler(deps: InstallDeps & { logger: Logger }) {
  const { shopify, logger } = deps;
  return async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    const route = `${event.requestContext.http.method} ${event.rawPath}`;
    try {
      if (route === 'POST /shopify/install') {
        const token = /^Bearer (.+)$/.exec(event.headers.authorization ?? '')?.[1];
        if (!token)
          return json(401, { error: 'missing session token: send Authorization: Bearer <App Bridge token>' });
        const result = await installWithSessionToken(deps, token);
        logger.info('installed', {
          tenantId: result.tenant.tenantId,
          shop: result.tenant.shopifyShop,
          ...result.definitions,
        });
        warnOfRefusals(logger, result);
        return json(200, {
          tenantId: result.tenant.tenantId,
          newTenant: result.newTenant,
          definitions: result.definitions,
        });
      }
      if (route === `GET /shopify/auth`) {
        const shop = new URLSearchParams(event.rawQueryString).get('shop') ?? '';
        const response = (await shopify.auth.begin({
          shop: shopify.utils.sanitizeShop(shop, true)!,
          callbackPath: CALLBACK_PATH,
          isOnline: false,
          rawRequest: toRequest(event),
        })) as Response;
        return fromResponse(response);
      }
      if (route === `GET ${CALLBACK_PATH}`) {
        const { session } = await shopify.auth.callback({
          rawRequest: toRequest(event, rawBody(event)),
          expiring: true,
        });
        const result = await completeInstall(deps, session);
        logger.info('installed', {
          tenantId: result.tenant.tenantId,
          shop: session.shop,
          flow: 'authorization code',
        });
        warnOfRefusals(logger, result);
        const apiKey = shopify.config.apiKey;
        return {
          statusCode: 302,
          headers: { location: `https://${session.shop}/admin/apps/${apiKey}` },
          body: '',
        };
      }
      return json(404, { error: `no route ${route}` });
    } catch (error) {
      if (
        error instanceof InvalidJwtError ||
        error instanceof InvalidOAuthError ||
        error instanceof InvalidShopError ||
        (error instanceof HttpResponseError && error.response.code < 500)
      ) {
        logger.warn('install refused', { route, reason: `${error.name}: ${error.message}` });
        return json(401, { error: `install refused: ${error.message}` });
      }
      throw error;
    }
  };
}

const logger = new Logger({ serviceName: 'clv-sync' });

export const handler = middy(
  lazy(async () =>
    createShopifyAuthHandler({
      shopify: createShopifyApp(await shopifySettingsFromEnv()),
      store: storeFromEnv(),
      logger,
      requestBackfill: sqsSender(process.env.CLV_BACKFILL_QUEUE_URL, 'CLV_BACKFILL_QUEUE_URL'),
    }),
  ),
).use(injectLambdaContext(logger));
