/**
 * The dashboard: loads the shop's report and settings from the API, installs the app first when the
 * shop is new (token exchange, as the first opening of an embedded app must), and after a settings
 * save polls until the rescore has landed (the model's refit time moves).
 */
import {
  Banner,
  BlockStack,
  InlineGrid,
  Layout,
  Page,
  SkeletonBodyText,
  SkeletonPage,
} from '@shopify/polaris';
import { useCallback, useEffect, useState } from 'react';
import type { DashboardResponse } from '../../functions/dashboard-api.ts';
import { ApiError, api } from './api.ts';
import { ClvHistogram } from './sections/ClvHistogram.tsx';
import { DataRequests } from './sections/DataRequests.tsx';
import { GroupTable } from './sections/GroupTable.tsx';
import { Headline } from './sections/Headline.tsx';
import { InsufficientData } from './sections/InsufficientData.tsx';
import { RecentChanges } from './sections/RecentChanges.tsx';
import { Referrals } from './sections/Referrals.tsx';
import { SettingsForm } from './sections/SettingsForm.tsx';
import { TopCustomers } from './sections/TopCustomers.tsx';

const POLL_MS = 2000;
const POLL_LIMIT_MS = 10 * 60_000;

type State =
  | { kind: 'loading' }
  | { kind: 'installing' }
  | { kind: 'error'; message: string }
  | { kind: 'ready'; data: DashboardResponse };

export function Dashboard() {
  const [state, setState] = useState<State>({ kind: 'loading' });
  const [rescore, setRescore] = useState<{ since: string | null; started: number } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      const data = await api.dashboard();
      setState({ kind: 'ready', data });
      return data;
    } catch (error) {
      if (error instanceof ApiError && error.status === 403 && error.body?.error === 'not-installed') {
        setState({ kind: 'installing' });
        try {
          await api.install();
        } catch (installError) {
          setState({ kind: 'error', message: (installError as Error).message });
        }
        return null;
      }
      setState({ kind: 'error', message: (error as Error).message });
      return null;
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  // After a save: reload until the refit time moves past the one seen when saving.
  useEffect(() => {
    if (!rescore) return;
    const timer = setInterval(async () => {
      const data = await load();
      const refitted = data?.report.model?.refittedAt ?? null;
      if (refitted !== null && refitted !== rescore.since) {
        setRescore(null);
        setNotice('Every customer has been rescored with the new settings.');
      } else if (Date.now() - rescore.started > POLL_LIMIT_MS) setRescore(null);
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [rescore, load]);

  if (state.kind === 'loading')
    return (
      <SkeletonPage title="Customer lifetime value" primaryAction>
        <SkeletonBodyText lines={8} />
      </SkeletonPage>
    );
  if (state.kind === 'installing' || state.kind === 'error')
    return (
      <Page title="Customer lifetime value">
        <div data-testid="dashboard-error">
          {state.kind === 'installing' ? (
            <Banner tone="info" title="Setting up clv-sync for your shop">
              Your order history is being imported; scores appear here once the first model is fitted.
            </Banner>
          ) : (
            <Banner tone="critical" title="The dashboard could not be loaded">
              {state.message}
            </Banner>
          )}
        </div>
      </Page>
    );

  const { report, settings, shop } = state.data;
  return (
    <Page
      title="Customer lifetime value"
      subtitle={`${shop} · predicted over ${settings.horizonMonths} months, in ${report.currency}${settings.defaultMarginRate < 1 ? ' margin' : ''}`}
    >
      <BlockStack gap="500">
        {rescore ? (
          <div data-testid="rescore-pending">
            <Banner tone="info" title="Rescoring every customer with your new settings…">
              The figures below update when the refit finishes.
            </Banner>
          </div>
        ) : null}
        {notice ? (
          <div data-testid="rescore-done">
            <Banner tone="success" title={notice} onDismiss={() => setNotice(null)} />
          </div>
        ) : null}
        <InsufficientData reasons={report.insufficientData} />
        <Headline report={report} />
        <Layout>
          <Layout.Section>
            <ClvHistogram report={report} />
          </Layout.Section>
          <Layout.Section>
            <InlineGrid columns={{ xs: 1, md: 2 }} gap="400">
              <GroupTable report={report} field="tier" />
              <GroupTable report={report} field="segment" />
            </InlineGrid>
          </Layout.Section>
          <Layout.Section>
            <TopCustomers report={report} />
          </Layout.Section>
          <Layout.Section>
            <InlineGrid columns={{ xs: 1, md: ['oneThird', 'twoThirds'] }} gap="400">
              <Referrals report={report} />
              <RecentChanges report={report} />
            </InlineGrid>
          </Layout.Section>
          <Layout.Section>
            <DataRequests />
          </Layout.Section>
          <Layout.AnnotatedSection
            id="settings"
            title="Settings"
            description="How this shop's customers are scored. Saving rescores every customer with the new settings."
          >
            <SettingsForm
              key={JSON.stringify(settings)}
              settings={settings}
              onSaved={(_saved, queued) => {
                setNotice(null);
                if (queued === 'queued')
                  setRescore({ since: report.model?.refittedAt ?? null, started: Date.now() });
                else setNotice('Settings saved; they apply at tonight’s refit.');
              }}
            />
          </Layout.AnnotatedSection>
        </Layout>
      </BlockStack>
    </Page>
  );
}
