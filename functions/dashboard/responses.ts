/** What the dashboard API answers (dashboard-api.ts): the page (web/src) renders these and nothing else. */
import type { TenantReport } from '../../shared/report/tenant-report.ts';
import type { DataExportSummary } from '../../shared/store/data-exports.ts';
import type { DashboardSettings } from '../dashboard-settings.ts';

/** GET /api/dashboard. */
export interface DashboardResponse {
  shop: string;
  settings: DashboardSettings;
  report: TenantReport;
}

/** GET and PUT /api/settings. */
export interface SettingsResponse {
  shop: string;
  settings: DashboardSettings;
  /** After a save: whether the rescore is queued, or left to the nightly refit because queueing failed. */
  rescore?: 'queued' | 'nightly';
}

/** GET /api/data-requests. */
export interface DataRequestsResponse {
  shop: string;
  dataRequests: DataExportSummary[];
}
