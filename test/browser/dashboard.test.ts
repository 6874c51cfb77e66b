/**
 * The dashboard in a real browser (Debian's Chromium, driven by playwright-core) against the local
 * stack: DynamoDB Local seeded with the CDNOW demo shop through the real pipeline, the page function
 * and the dashboard API served by their production handlers, the refit queue consumed by the
 * production refit. The test plays Shopify: it answers the App Bridge CDN URL with the sandbox script
 * and mints the session tokens the admin would. Nothing else may leave the machine: any other
 * outside request is refused and fails the test.
 *
 * Screenshots (artifacts/dashboard.png with the demo data, artifacts/dashboard-insufficient-data.png
 * for a shop below the data minimums) are saved for review.
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DashboardResponse } from '../../functions/dashboard-api.ts';
import { assignTiers } from '../../shared/segments/index.ts';
import type { TenantSettings } from '../../shared/store/tenants.ts';
import { putTenant } from '../../shared/store/tenants.ts';
import { count, date, modelName, money, share, time } from '../../web/src/format.ts';
import { segmentQueryUrl } from '../../web/src/segment-links.ts';
import { scoresOf, tenantName, testStore } from '../helpers/dynamo.ts';
import {
  APP_BRIDGE_CDN_URL,
  SANDBOX_ADMIN_TOKEN_URL,
  SandboxAdmin,
  appBridgeScript,
} from '../../sandbox/shopify/app-bridge.ts';
import { OAuthServer } from '../../sandbox/shopify/oauth.ts';
import { CDNOW_TODAY, seedCdnowShop } from './cdnow-demo.ts';
import { launchChromium } from './chromium.ts';
import type { DashboardStack } from './dashboard-stack.ts';
import { startDashboardStack } from './dashboard-stack.ts';

const API_KEY = 'dash-api-key';
const API_SECRET = 'dash-api-secret-not-a-real-one';
const ARTIFACTS = fileURLToPath(new URL('../../artifacts/', import.meta.url));
const store = testStore();
// The demo's "today" is the day after CDNOW ends, and time flows from there: each refit gets a later version.
const started = Date.now();
const now = () => CDNOW_TODAY + (Date.now() - started);
const tokens = new OAuthServer({ apiKey: API_KEY, apiSecret: API_SECRET, now: Date.now });
const forger = new OAuthServer({ apiKey: API_KEY, apiSecret: 'not-the-app-secret', now: Date.now });

let stack: DashboardStack;
let browser: Browser;
let demo: TenantSettings;
let small: TenantSettings;

async function newTenant(label: string): Promise<TenantSettings> {
  const tenantId = tenantName(label);
  return putTenant(store, { tenantId, shopifyShop: `${tenantId}.myshopify.com`, currency: 'USD' });
}

async function apiGet(path: string, token: string) {
  const response = await fetch(`${stack.server.url}${path}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const dashboardOf = async (shop: string) =>
  (await apiGet('/api/dashboard', tokens.sessionToken(shop))).body as unknown as DashboardResponse;

interface AdminPage {
  page: Page;
  context: BrowserContext;
  admin: SandboxAdmin;
  errors: string[];
  outside: string[];
}

/** A browser tab on the app's page as the admin opens it, with Shopify's side played by the sandbox. */
async function openInAdmin(shop: string): Promise<AdminPage> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
  const admin = new SandboxAdmin({ apiKey: API_KEY, apiSecret: API_SECRET, shop });
  const errors: string[] = [];
  const outside: string[] = [];
  // Routes run newest first: the catch-all below is the last resort.
  await context.route(
    (url) => !url.href.startsWith(stack.server.url),
    (route) => {
      outside.push(route.request().url());
      return route.abort('blockedbyclient');
    },
  );
  await context.route(APP_BRIDGE_CDN_URL, (route) =>
    route.fulfill({ status: 200, contentType: 'text/javascript', body: appBridgeScript() }),
  );
  await context.route(
    (url) => url.href.startsWith(SANDBOX_ADMIN_TOKEN_URL),
    (route) => {
      const answer = admin.tokenResponse(route.request().url());
      return route.fulfill({
        status: answer.status,
        contentType: 'application/json',
        headers: { 'access-control-allow-origin': '*' },
        body: answer.body,
      });
    },
  );
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  const host = Buffer.from(`${shop}/admin`).toString('base64url');
  await page.goto(`${stack.server.url}/shopify/app?shop=${shop}&host=${host}&embedded=1`);
  return { page, context, admin, errors, outside };
}

const text = (page: Page, testId: string) => page.getByTestId(testId).innerText();

describe('the dashboard in the Shopify admin (Chromium, local stack, CDNOW demo shop)', () => {
  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    [demo, small] = await Promise.all([newTenant('dash-cdnow'), newTenant('dash-small')]);
    await seedCdnowShop(store, demo, { now: now() });
    // 40 CDNOW customers: below the 100-customer minimum, so the shop is scored by the heuristic.
    await seedCdnowShop(store, small, { customers: 40, now: now() });
    stack = await startDashboardStack({ store, apiKey: API_KEY, apiSecret: API_SECRET, now });
    browser = await launchChromium();
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('loads without console errors and shows every figure and section as the API reports it', async () => {
    const { page, context, errors, outside, admin } = await openInAdmin(demo.shopifyShop!);
    await page.getByTestId('customers-value').waitFor();
    const { report } = await dashboardOf(demo.shopifyShop!);
    expect(report.tenantId).toBe(demo.tenantId);
    expect(report.customers).toBe(2357);
    expect(report.model?.method).toBe('model');

    // Headline figures: exactly the API's numbers, formatted.
    expect(await text(page, 'customers-value')).toBe(count(report.customers));
    expect(await text(page, 'total-clv-value')).toBe(money(report.totals.predictedClv, 'USD'));
    expect(await text(page, 'median-clv-value')).toBe(money(report.medianPredictedClv!, 'USD'));
    expect(await text(page, 'high-churn-value')).toBe(share(report.highChurnShare!));
    expect(await text(page, 'model-value')).toBe(modelName(report.model!.name));
    expect(await text(page, 'model')).toContain(money(report.model!.holdout!.mae, 'USD'));
    expect(await text(page, 'refit-value')).toBe(date(report.model!.refittedAt));
    expect(await text(page, 'refit')).toContain(time(report.model!.refittedAt));

    // Histogram: one bar per bin, with the bin's customers.
    const bins = page.getByTestId('clv-bin');
    expect(await bins.count()).toBe(report.clvHistogram.length);
    expect(await bins.evaluateAll((gs) => gs.map((g) => Number(g.getAttribute('data-customers'))))).toEqual(
      report.clvHistogram.map((b) => b.customers),
    );

    // Tiers and RFM groups, each linking to its customer segment query in the admin.
    for (const [field, groups] of [
      ['tier', report.tiers.map((t) => ({ name: t.tier, customers: t.customers }))],
      ['segment', report.segments.map((s) => ({ name: s.segment, customers: s.customers }))],
    ] as const) {
      const rows = page.getByTestId(`${field}-row`);
      expect(
        await rows.evaluateAll((rs) =>
          rs.map((r) => ({
            name: r.getAttribute('data-name'),
            customers: Number(r.getAttribute('data-customers')),
          })),
        ),
      ).toEqual(groups);
      const links = page.getByTestId(`${field}-table`).getByRole('link', { name: 'View customers' });
      expect(await links.evaluateAll((as) => as.map((a) => a.getAttribute('href')))).toEqual(
        groups.map((g) => segmentQueryUrl(field, g.name)),
      );
    }
    expect(segmentQueryUrl('tier', 'gold')).toContain(encodeURIComponent("metafields.clv.tier = 'gold'"));

    // Top customers with churn risk, referrals with the measured uplift, recent changes.
    const top = page.getByTestId('top-customer');
    expect(await top.allInnerTexts()).toEqual(report.topCustomers.map((c) => c.emails[0]));
    expect(report.topCustomers.length).toBeGreaterThan(0);
    expect(await page.getByTestId('top-customers').innerText()).toMatch(/(Low|Medium|High) risk/);
    expect(report.referrals?.referredCount).toBeGreaterThan(0);
    expect(await text(page, 'referral-uplift')).toBe(
      `${report.referrals!.uplift! >= 0 ? '+' : ''}${share(report.referrals!.uplift!)}`,
    );
    expect(await page.getByTestId('referrals').innerText()).toContain(count(report.referrals!.referredCount));
    expect(await page.getByTestId('recent-change').count()).toBe(report.recentChanges.length);
    expect(report.recentChanges.length).toBeGreaterThan(0);

    // Settings, as stored.
    expect(await page.locator('#setting-horizon').inputValue()).toBe('12');
    expect(await page.locator('#setting-platinum').inputValue()).toBe('5');
    expect(await page.locator('#setting-tags').isChecked()).toBe(true);
    // A sufficient shop has no insufficient-data banner.
    expect(await page.getByTestId('insufficient-data').count()).toBe(0);

    await page.screenshot({ path: `${ARTIFACTS}dashboard.png`, fullPage: true });
    expect(admin.minted).toBeGreaterThan(0);
    expect(outside).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('explains in plain words why a shop below the data minimums has no model yet', async () => {
    const { page, context, errors } = await openInAdmin(small.shopifyShop!);
    await page.getByTestId('insufficient-data').waitFor();
    const { report } = await dashboardOf(small.shopifyShop!);
    expect(report.insufficientData.length).toBeGreaterThan(0);
    const banner = await page.getByTestId('insufficient-data').innerText();
    expect(banner).toContain('Not enough order history');
    for (const reason of report.insufficientData) expect(banner).toContain(reason.slice(1));
    expect(await text(page, 'model-value')).toBe('Heuristic');
    expect(await text(page, 'customers-value')).toBe(count(report.customers));
    await page.screenshot({ path: `${ARTIFACTS}dashboard-insufficient-data.png`, fullPage: true });
    expect(errors).toEqual([]);
    await context.close();
  });

  it('saves a settings change, which persists and rescores every customer with it', async () => {
    const before = await scoresOf(store, demo.tenantId);
    const modelBefore = (await dashboardOf(demo.shopifyShop!)).report.model!.refittedAt;
    const { page, context, errors } = await openInAdmin(demo.shopifyShop!);
    await page.getByTestId('customers-value').waitFor();

    await page.locator('#setting-margin').fill('50');
    await page.locator('#setting-platinum').fill('10');
    await page.locator('#setting-gold').fill('30');
    await page.getByRole('button', { name: 'Save and rescore' }).click();
    await page.getByTestId('rescore-done').waitFor({ timeout: 480_000 });
    await stack.refitsDone();

    // Persisted: the API and a reloaded page show the new settings.
    const after = await dashboardOf(demo.shopifyShop!);
    expect(after.settings).toMatchObject({
      defaultMarginRate: 0.5,
      tierThresholds: { platinum: 0.1, gold: 0.3, silver: 0.5 },
    });
    expect(after.report.model!.refittedAt > modelBefore).toBe(true);
    await page.reload();
    await page.getByTestId('customers-value').waitFor();
    expect(await page.locator('#setting-margin').inputValue()).toBe('50');
    expect(await page.locator('#setting-platinum').inputValue()).toBe('10');
    expect(await text(page, 'total-clv-value')).toBe(money(after.report.totals.predictedClv, 'USD'));

    // Rescored: every stored score comes from the new refit, values at half the margin, tiers at the new cuts.
    const rescored = await scoresOf(store, demo.tenantId);
    expect(rescored.size).toBe(before.size);
    const sum = (m: typeof before) => [...m.values()].reduce((s, x) => s + x.detail.predictedClv, 0);
    expect(sum(rescored) / sum(before)).toBeCloseTo(0.5, 2);
    // The refit rewrites only the scores whose visible fields changed (a $0.00 customer stays $0.00 at half
    // the margin): each of those carries the new model version, and they are nearly everyone.
    const version = after.report.model!.refittedAt;
    const changed = [...rescored.values()].filter(
      (s) => s.fields.predicted_clv !== before.get(s.customerId)!.fields.predicted_clv,
    );
    expect(changed.filter((s) => s.modelVersion !== version)).toEqual([]);
    expect(changed.length).toBeGreaterThan(0.9 * rescored.size);
    const expected = assignTiers(
      [...rescored.values()].map((s) => ({ customerId: s.customerId, predictedClv: s.detail.predictedClv })),
      { platinum: 0.1, gold: 0.3, silver: 0.5 },
    );
    const wrongTier = [...rescored.values()].filter(
      (s) => s.fields.tier !== expected.tiers.get(s.customerId),
    );
    expect(wrongTier).toEqual([]);
    const platinum = (m: typeof before) => [...m.values()].filter((s) => s.fields.tier === 'platinum').length;
    expect(platinum(rescored)).toBeGreaterThan(platinum(before));
    expect(errors).toEqual([]);
    await context.close();
  }, 600_000);

  it("refuses another shop's token and never shows one shop's data to another", async () => {
    const demoShop = demo.shopifyShop!;
    // A token Shopify never signed (another secret), for the demo shop: 401, nothing else.
    const forged = await apiGet('/api/dashboard', forger.sessionToken(demoShop));
    expect(forged.status).toBe(401);
    expect(forged.body).not.toHaveProperty('report');
    // A genuine token of a shop that has not installed the app: refused, no data.
    const stranger = `stranger-${demo.tenantId}.myshopify.com`;
    const foreign = await apiGet('/api/dashboard', tokens.sessionToken(stranger));
    expect(foreign.status).toBe(403);
    expect(foreign.body).not.toHaveProperty('report');
    // The other installed shop asking for the demo shop by parameter gets its own data only.
    const crossed = await apiGet(
      `/api/dashboard?shop=${demoShop}&tenantId=${demo.tenantId}`,
      tokens.sessionToken(small.shopifyShop!),
    );
    expect(crossed.status).toBe(200);
    const crossedReport = crossed.body.report as DashboardResponse['report'];
    expect(crossedReport.tenantId).toBe(small.tenantId);
    expect(crossed.body.shop).toBe(small.shopifyShop);

    // In the browser: the page opened with the demo shop in its URL while the admin is signed in to the
    // stranger shop gets the stranger's token, and shows no figures at all.
    const { page, context } = await openInAdmin(stranger);
    await page.goto(`${stack.server.url}/shopify/app?shop=${demoShop}&embedded=1`);
    await page.getByTestId('dashboard-error').waitFor();
    expect(await page.getByTestId('customers').count()).toBe(0);
    expect(await page.content()).not.toContain(count(2357));
    await context.close();
  });
});
