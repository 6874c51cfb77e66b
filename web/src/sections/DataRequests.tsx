/**
 * Customers' data requests (Shopify's customers/data_request): what clv-sync holds on each customer,
 * for the merchant to download and pass on. Shopify gives the merchant 30 days to answer; each export
 * is kept that long.
 */
import { BlockStack, Button, Card, DataTable, Text } from '@shopify/polaris';
import { useEffect, useState } from 'react';
import type { DataExportSummary } from '../../../shared/store/data-exports.ts';
import { api } from '../api.ts';

export function DataRequests() {
  const [requests, setRequests] = useState<DataExportSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api
      .dataRequests()
      .then((r) => setRequests(r.dataRequests))
      .catch((e: Error) => setError(e.message));
  }, []);
  const day = (iso: string) => iso.slice(0, 10);
  return (
    <Card>
      <div data-testid="data-requests">
        <BlockStack gap="300">
          <Text as="h2" variant="headingMd">
            Data requests
          </Text>
          <Text as="p" tone="subdued">
            When a customer asks for their data, Shopify tells clv-sync and the data it holds appears here.
            Download it and send it to the customer before the date shown.
          </Text>
          {error ? (
            <Text as="p" tone="critical">
              {error}
            </Text>
          ) : !requests ? null : requests.length === 0 ? (
            <Text as="p">No data requests.</Text>
          ) : (
            <DataTable
              columnContentTypes={['text', 'text', 'numeric', 'numeric', 'text']}
              headings={['Requested', 'Answer by', 'Customers', 'Orders', '']}
              rows={requests.map((r) => [
                day(r.requestedAt),
                day(r.expiresAt),
                r.customers,
                r.orders,
                <Button
                  key={r.exportId}
                  variant="plain"
                  onClick={() =>
                    void api.downloadDataRequest(r.exportId).catch((e: Error) => setError(e.message))
                  }
                >
                  Download JSON
                </Button>,
              ])}
            />
          )}
        </BlockStack>
      </div>
    </Card>
  );
}
