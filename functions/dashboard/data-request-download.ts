/** GET /api/data-requests/{id}: one customers/data_request export, as a JSON download for the merchant to pass on. */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { getDataExport } from '../../shared/store/data-exports.ts';
import type { Store } from '../../shared/store/store.ts';
import { NotFoundError } from '../../shared/errors.ts';
import { PRIVATE, refusalAnswer } from './answers.ts';

export async function dataRequestDownload(
  { store, logger, now }: { store: Store; logger: Logger; now: () => number },
  tenantId: string,
  shop: string,
  exportId: string,
): Promise<APIGatewayProxyStructuredResultV2> {
  // Looked up in the token's tenant only: another shop's export id finds nothing here.
  const found = await getDataExport(store, tenantId, exportId, now());
  if (!found) return refusalAnswer(new NotFoundError(`no data request ${exportId} for ${shop}`));
  logger.info('data request downloaded', { tenantId, exportId });
  return {
    statusCode: 200,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'content-disposition': `attachment; filename="clv-sync-${exportId}.json"`,
      ...PRIVATE,
    },
    body: found.json,
  };
}
