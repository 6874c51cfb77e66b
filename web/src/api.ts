/**
 * The dashboard's calls to its JSON API, each with a fresh App Bridge session token: tokens live
 * about a minute, and App Bridge hands out a new one when the old one is near expiry.
 */
import type {
  DashboardResponse,
  DataRequestsResponse,
  SettingsResponse,
} from '../../functions/dashboard-api.ts';
import type { DashboardSettings } from '../../functions/dashboard-settings.ts';

export class ApiError extends Error {
  override name = 'ApiError';
  readonly status: number;
  readonly body: { error?: string; message?: string; issues?: { path: string; message: string }[] } | null;
  constructor(status: number, message: string, body: ApiError['body']) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const token = await shopify.idToken();
  const response = await fetch(path, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = (await response.json().catch(() => null)) as ApiError['body'];
  if (!response.ok)
    throw new ApiError(response.status, json?.message ?? json?.error ?? response.statusText, json);
  return json as T;
}

/** A data-request export, fetched with the session token (a plain link cannot carry it) and saved as a file. */
async function download(path: string, filename: string): Promise<void> {
  const token = await shopify.idToken();
  const response = await fetch(path, { headers: { authorization: `Bearer ${token}` } });
  if (!response.ok) throw new ApiError(response.status, response.statusText, null);
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.click();
  URL.revokeObjectURL(url);
}

export const api = {
  dashboard: () => call<DashboardResponse>('GET', '/api/dashboard'),
  saveSettings: (settings: DashboardSettings) => call<SettingsResponse>('PUT', '/api/settings', settings),
  dataRequests: () => call<DataRequestsResponse>('GET', '/api/data-requests'),
  downloadDataRequest: (exportId: string) =>
    download(`/api/data-requests/${encodeURIComponent(exportId)}`, `clv-sync-${exportId}.json`),
  /** Token-exchange install (functions/shopify-auth.ts): what opening the app for the first time does. */
  install: () => call<{ tenantId: string }>('POST', '/shopify/install'),
};
