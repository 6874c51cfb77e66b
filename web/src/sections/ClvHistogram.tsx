/**
 * The distribution of predicted CLV as bars, drawn with SVG in Polaris's colours: one chart does not
 * justify a charting library in the bundle.
 */
import { BlockStack, Card, Text } from '@shopify/polaris';
import type { TenantReport } from '../../../shared/report/tenant-report.ts';
import { count, shortMoney } from '../format.ts';

const WIDTH = 720;
const HEIGHT = 220;
const AXIS = 36;

export function ClvHistogram({ report }: { report: TenantReport }) {
  const bins = report.clvHistogram;
  const most = Math.max(1, ...bins.map((b) => b.customers));
  const barWidth = bins.length ? WIDTH / bins.length : WIDTH;
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          Predicted CLV distribution
        </Text>
        <Text as="p" tone="subdued">
          Customers by predicted lifetime value over the horizon, in {report.currency}.
        </Text>
        {bins.length === 0 ? (
          <Text as="p">No customers scored yet.</Text>
        ) : (
          <svg
            data-testid="clv-histogram"
            role="img"
            aria-label="Histogram of predicted CLV"
            viewBox={`0 0 ${WIDTH} ${HEIGHT + AXIS}`}
            style={{ width: '100%', height: 'auto' }}
          >
            {bins.map((bin, i) => {
              const h = (bin.customers / most) * (HEIGHT - 16);
              return (
                <g key={i} data-testid="clv-bin" data-customers={bin.customers}>
                  <title>{`${shortMoney(bin.low, report.currency)}–${shortMoney(bin.high, report.currency)}: ${count(bin.customers)} customers`}</title>
                  <rect
                    x={i * barWidth + 2}
                    y={HEIGHT - h}
                    width={Math.max(1, barWidth - 4)}
                    height={h}
                    rx={3}
                    fill="var(--p-color-bg-fill-info-active, #5c9ce6)"
                  />
                  {bin.customers > 0 ? (
                    <text
                      x={i * barWidth + barWidth / 2}
                      y={HEIGHT - h - 4}
                      textAnchor="middle"
                      fontSize="11"
                      fill="var(--p-color-text-secondary, #616161)"
                    >
                      {count(bin.customers)}
                    </text>
                  ) : null}
                  {i % Math.ceil(bins.length / 8) === 0 ? (
                    <text
                      x={i * barWidth + 2}
                      y={HEIGHT + 16}
                      fontSize="11"
                      fill="var(--p-color-text-secondary, #616161)"
                    >
                      {shortMoney(bin.low, report.currency)}
                    </text>
                  ) : null}
                </g>
              );
            })}
            <line x1={0} x2={WIDTH} y1={HEIGHT} y2={HEIGHT} stroke="var(--p-color-border, #e3e3e3)" />
          </svg>
        )}
      </BlockStack>
    </Card>
  );
}
