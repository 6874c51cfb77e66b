/**
 * PUT /api/settings: the body validated (400 on bad input, nothing stored), the dashboard's fields saved, and
 * a refit asked for so every customer is rescored with them (coalesced: none queued while one is pending).
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { EnqueueRefit } from '../../shared/pipeline/messages.ts';
import { requestRefit as queueRefit } from '../../shared/pipeline/request-refit.ts';
import type { Store } from '../../shared/store/store.ts';
import { saveTenantSettings } from '../../shared/store/tenants.ts';
import type { DashboardSettings } from '../dashboard-settings.ts';
import { DashboardSettingsSchema, dashboardSettingsOf } from '../dashboard-settings.ts';
import { BadRequestError } from '../../shared/errors.ts';
import { DashboardRefusal } from './answers.ts';
import type { SettingsResponse } from './responses.ts';

export interface SaveSettingsDeps {
  store: Store;
  logger: Logger;
  requestRefit: EnqueueRefit;
  now: () => number;
}

function validSettings(tenantId: string, body: Buffer): DashboardSettings {
  let input: unknown;
  try {
    input = JSON.parse(body.toString('utf8'));
  } catch {
    throw new DashboardRefusal(
      new BadRequestError('the body is not JSON: send the settings as a JSON object'),
      {
        reason: 'not-json',
        log: { tenantId, reason: 'body is not JSON' },
        logMessage: 'settings refused',
      },
    );
  }
  const parsed = DashboardSettingsSchema.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    throw new DashboardRefusal(new BadRequestError('invalid settings'), {
      body: { issues },
      reason: 'invalid-settings',
      log: { tenantId, issues },
      logMessage: 'settings refused',
    });
  }
  return parsed.data;
}

export async function saveSettings(
  { store, logger, requestRefit, now }: SaveSettingsDeps,
  tenantId: string,
  shop: string,
  body: Buffer,
): Promise<SettingsResponse> {
  const settings = validSettings(tenantId, body);
  // Only the dashboard's own fields, as one conditional update: a save from this (possibly stale) read
  // must not write back the rest of the tenant, such as an outbound token rotated meanwhile.
  const saved = await saveTenantSettings(store, tenantId, settings);
  let rescore: SettingsResponse['rescore'] = 'queued';
  let refit: 'queued' | 'pending' | undefined;
  try {
    // Coalesced: while a queued refit has not started, it will read these settings; no second message.
    refit = await queueRefit(store, tenantId, requestRefit, now());
  } catch (error) {
    // The settings are saved either way; the nightly refit applies them if the queue is unreachable now.
    rescore = 'nightly';
    logger.error('rescore not queued', {
      tenantId,
      reason: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    });
  }
  logger.info('settings saved', { tenantId, settings, rescore, refit });
  return { shop, settings: dashboardSettingsOf(saved), rescore };
}
