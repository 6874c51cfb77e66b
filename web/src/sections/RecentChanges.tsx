/** The latest rescored customers: what their value and tier were, and what they are now. */
import { BlockStack, Card, DataTable, Text } from '@shopify/polaris';
import type { TenantReport } from '../../../shared/report/tenant-report.ts';
import { date, dateTime, money } from '../format.ts';
import { customerLabel } from './TopCustomers.tsx';

const tierName = (t: string) => `${t[0]!.toUpperCase()}${t.slice(1)}`;

export function RecentChanges({ report }: { report: TenantReport }) {
  const m = (v: number) => money(v, report.currency);
  const rows = report.recentChanges.map((c) => [
    <span key="c" data-testid="recent-change">
      {customerLabel(c)}
    </span>,
    c.previousPredictedClv === null
      ? `New: ${m(c.predictedClv)}`
      : `${m(c.previousPredictedClv)} → ${m(c.predictedClv)}`,
    c.previousTier === null || c.previousTier === c.tier
      ? tierName(c.tier)
      : `${tierName(c.previousTier)} → ${tierName(c.tier)}`,
    <span key="t" title={dateTime(c.scoredAt)}>
      {date(c.scoredAt)}
    </span>,
  ]);
  return (
    <Card>
      <div data-testid="recent-changes">
        <BlockStack gap="300">
          <Text as="h2" variant="headingMd">
            Recent score changes
          </Text>
          {rows.length ? (
            <DataTable
              columnContentTypes={['text', 'numeric', 'text', 'text']}
              headings={['Customer', 'Predicted CLV', 'Tier', 'Scored']}
              rows={rows}
            />
          ) : (
            <Text as="p">No scores have changed yet.</Text>
          )}
        </BlockStack>
      </div>
    </Card>
  );
}
