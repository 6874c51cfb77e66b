/**
 * Referred customers against the rest, measured on the shop's own customers, with the 95 % interval
 * on the difference: a merchant should not read an uplift into the noise of a dozen referrals.
 */
import { BlockStack, Card, DataTable, Text } from '@shopify/polaris';
import type { TenantReport } from '../../../shared/report/tenant-report.ts';
import { count, money, share } from '../format.ts';

export function Referrals({ report }: { report: TenantReport }) {
  const r = report.referrals;
  const m = (v: number | null) => (v === null ? '—' : money(v, report.currency));
  let verdict: string;
  if (!r || r.referredCount === 0)
    verdict =
      'No referred customers yet. Referrals are recognised from referral discount codes, order attributes and ref links.';
  else if (r.uplift === null) verdict = 'Too few customers in one of the groups to compare them.';
  else if (r.measurable)
    verdict = `Referred customers are worth ${share(Math.abs(r.uplift))} ${r.uplift >= 0 ? 'more' : 'less'} than the rest, and the difference is clear of the noise (95 % interval ${m(r.interval95?.low ?? null)} to ${m(r.interval95?.high ?? null)} per customer).`;
  else
    verdict = `Referred customers are ${share(Math.abs(r.uplift))} ${r.uplift >= 0 ? 'above' : 'below'} the rest, but the data cannot yet tell this from chance (95 % interval ${m(r.interval95?.low ?? null)} to ${m(r.interval95?.high ?? null)} per customer).`;
  return (
    <Card>
      <div data-testid="referrals">
        <BlockStack gap="300">
          <Text as="h2" variant="headingMd">
            Referred vs non-referred customers
          </Text>
          <DataTable
            columnContentTypes={['text', 'numeric', 'numeric']}
            headings={['', 'Customers', 'Mean predicted CLV']}
            rows={[
              ['Referred', count(r?.referredCount ?? 0), m(r?.referredMeanClv ?? null)],
              ['Not referred', count(r?.nonReferredCount ?? 0), m(r?.nonReferredMeanClv ?? null)],
            ]}
          />
          <Text as="p" variant="headingSm">
            Uplift:{' '}
            <span data-testid="referral-uplift">
              {r?.uplift === null || r?.uplift === undefined
                ? '—'
                : `${r.uplift >= 0 ? '+' : ''}${share(r.uplift)}`}
            </span>
          </Text>
          <Text as="p" tone="subdued">
            {verdict}
          </Text>
        </BlockStack>
      </div>
    </Card>
  );
}
