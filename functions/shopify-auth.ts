/**
 * Installing the app. Embedded (the usual way): the app page posts its App
 * Bridge session token to POST /shopify/install, which exchanges it for an
 * expiring offline token. Non-embedded installs use the OAuth
 * authorization-code flow: GET /shopify/auth?shop=… redirects to Shopify's
 * grant screen, GET /shopify/auth/callback receives the code.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { authRefusal, shopForOAuth } from '../integrations/shopify/auth-refusals.ts';
import type { InstallDeps, InstallResult } from '../integrations/shopify/install.ts';
import { completeInstall, installWithSessionToken } from '../integrations/shopify/install.ts';
import { bearerToken } from '../integrations/shopify/session-token.ts';
import { errorJson, fromResponse, json, rawBody, toRequest } from './runtime/http.ts';
import { deployed } from './runtime/deployed.ts';
import { createLogger } from './runtime/observability.ts';
import { shopifyAdminFromEnv } from './runtime/shopify-app-env.ts';
import { sqsSender } from '../shared/queue/sqs-sender.ts';
import { NotFoundError, UnauthenticatedError } from '../shared/errors.ts';

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
    const token = route === 'POST /shopify/install' ? bearerToken(event.headers ?? {}) : null;
    try {
      if (route === 'POST /shopify/install') {
        if (!token)
          return errorJson(
            new UnauthenticatedError('missing session token: send Authorization: Bearer <App Bridge token>'),
          );
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
          shop: shopForOAuth(shopify.utils.sanitizeShop, shop),
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
      return errorJson(new NotFoundError(`no route ${route}`));
    } catch (error) {
      const refusal = authRefusal(error);
      if (!refusal) throw error;
      // A bearer credential is never logged or answered, whatever a library put in its message.
      const reason = token ? refusal.message.replaceAll(token, '<token>') : refusal.message;
      logger.warn('install refused', { route, status: refusal.statusCode, reason });
      return json(refusal.statusCode, { error: `install refused: ${reason}` });
    }
  };
}

const logger = createLogger();

export const handler = deployed(
  async () =>
    createShopifyAuthHandler({
      ...(await shopifyAdminFromEnv()),
      logger,
      requestBackfill: sqsSender(process.env.CLV_BACKFILL_QUEUE_URL, 'CLV_BACKFILL_QUEUE_URL'),
    }),
  { logger },
);
