/** Customers per value tier or RFM group, each row linking to the same customers in the admin. */
import { BlockStack, Card, DataTable, Link, Text } from '@shopify/polaris';
import { count, money } from '../format.ts';
import { segmentQuery, segmentQueryUrl } from '../segment-links.ts';

export function GroupTable(props: {
  title: string;
  description: string;
  field: 'tier' | 'segment';
  currency: string;
  groups: { name: string; customers: number; predictedClv: number }[];
}) {
  const rows = props.groups.map((g) => [
    <span key="n" data-testid={`${props.field}-row`} data-name={g.name} data-customers={g.customers}>
      {props.field === 'tier' ? g.name[0]!.toUpperCase() + g.name.slice(1) : g.name}
    </span>,
    count(g.customers),
    money(g.predictedClv, props.currency),
    <Link key="l" url={segmentQueryUrl(props.field, g.name)} target="_top" removeUnderline>
      <span title={segmentQuery(props.field, g.name)}>View customers</span>
    </Link>,
  ]);
  return (
    <Card>
      <div data-testid={`${props.field}-table`}>
        <BlockStack gap="300">
          <Text as="h2" variant="headingMd">
            {props.title}
          </Text>
          <Text as="p" tone="subdued">
            {props.description}
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
