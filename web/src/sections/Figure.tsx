import { BlockStack, Card, Text } from '@shopify/polaris';
import type { ReactNode } from 'react';

/** One headline figure; `testId` and `value` let the browser tests compare it with the API's number. */
export function Figure(props: { label: string; testId: string; value: string; detail?: ReactNode }) {
  return (
    <Card>
      <div data-testid={props.testId}>
        <BlockStack gap="200">
          <Text as="h3" variant="headingSm" tone="subdued">
            {props.label}
          </Text>
          <Text as="p" variant="headingXl">
            <span data-testid={`${props.testId}-value`}>{props.value}</span>
          </Text>
          {props.detail ? (
            <Text as="p" variant="bodySm" tone="subdued">
              {props.detail}
            </Text>
          ) : null}
        </BlockStack>
      </div>
    </Card>
  );
}
