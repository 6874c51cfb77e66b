/** Customers per value tier or RFM group, each row linking to the same customers in the admin. */
import { BlockStack, Card, DataTable, Link, Text } from '@shopify/polaris';
import type { TenantReport } from '../../../shared/report/tenant-report.ts';
import { count, money } from '../format.ts';
import { segmentQuery, segmentQueryUrl } from '../segment-links.ts';

const GROUPINGS = {
  tier: { title: 'Customers by tier', basis: 'Tiers by predicted CLV percentile' },
  segment: { title: 'Customers by RFM group', basis: 'Recency, frequency and spend groups' },
} as const;

const groupsOf = (report: TenantReport, field: 'tier' | 'segment') =>
  field === 'tier'
    ? report.tiers.map((t) => ({ name: t.tier, ...t }))
    : report.segments.map((s) => ({ name: s.segment, ...s }));

export function GroupTable(props: { report: TenantReport; field: 'tier' | 'segment' }) {
  const { title, basis } = GROUPINGS[props.field];
  const currency = props.report.currency;
  const rows = groupsOf(props.report, props.field).map((g) => [
    <span key="n" data-testid={`${props.field}-row`} data-name={g.name} data-customers={g.customers}>
      {props.field === 'tier' ? g.name[0]!.toUpperCase() + g.name.slice(1) : g.name}
    </span>,
    count(g.customers),
    money(g.predictedClv, currency),
    <Link key="l" url={segmentQueryUrl(props.field, g.name)} target="_top" removeUnderline>
      <span title={segmentQuery(props.field, g.name)}>View customers</span>
    </Link>,
  ]);
  return (
    <Card>
      <div data-testid={`${props.field}-table`}>
        <BlockStack gap="300">
          <Text as="h2" variant="headingMd">
            {title}
          </Text>
          <Text as="p" tone="subdued">
            {`${basis}, as written to the clv.${props.field} metafield.`}
          </Text>
          <DataTable
            columnContentTypes={['text', 'numeric', 'numeric', 'text']}
            headings={['', 'Customers', 'Predicted CLV', 'Segment in admin']}
            rows={rows}
          />
        </BlockStack>
      </div>
    </Card>
  );
}
