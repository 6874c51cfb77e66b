/** The customers worth most over the horizon, with how likely they are to be slipping away. */
import { Badge, BlockStack, Card, DataTable, Text } from '@shopify/polaris';
import type { TenantReport } from '../../../shared/report/tenant-report.ts';
import { money, share } from '../format.ts';

const RISK_TONE = { low: 'success', medium: 'warning', high: 'critical' } as const;

export const customerLabel = (c: { emails: string[]; customerId: string }) =>
  c.emails[0] ?? `Customer ${c.customerId}`;

export function ChurnBadge({ risk }: { risk: 'low' | 'medium' | 'high' }) {
  return <Badge tone={RISK_TONE[risk]}>{`${risk[0]!.toUpperCase()}${risk.slice(1)} risk`}</Badge>;
}

export function TopCustomers({ report }: { report: TenantReport }) {
  const rows = report.topCustomers.map((c) => [
    <span key="c" data-testid="top-customer" data-clv={c.predictedClv}>
      {customerLabel(c)}
    </span>,
    money(c.predictedClv, report.currency),
    money(c.historicClv, report.currency),
    c.pAlive === null ? '—' : share(c.pAlive),
    <ChurnBadge key="r" risk={c.churnRisk} />,
    `${c.tier[0]!.toUpperCase()}${c.tier.slice(1)} · ${c.segment}`,
  ]);
  return (
    <Card>
      <div data-testid="top-customers">
        <BlockStack gap="300">
          <Text as="h2" variant="headingMd">
            Top customers by predicted CLV
          </Text>
          <DataTable
            columnContentTypes={['text', 'numeric', 'numeric', 'numeric', 'text', 'text']}
            headings={[
              'Customer',
              'Predicted CLV',
              'Historic CLV',
              'P(active)',
              'Churn risk',
              'Tier · group',
            ]}
            rows={rows}
          />
        </BlockStack>
      </div>
    </Card>
  );
}
