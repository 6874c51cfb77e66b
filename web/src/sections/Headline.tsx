/** The headline figures: how many customers, how much value, how much of it at risk, and by which model. */
import { InlineGrid } from '@shopify/polaris';
import type { TenantReport } from '../../../shared/report/tenant-report.ts';
import { count, date, modelName, money, share, time } from '../format.ts';
import { Figure } from './Figure.tsx';

export function Headline({ report }: { report: TenantReport }) {
  const { model, currency } = report;
  const holdout = model?.holdout ?? null;
  return (
    <InlineGrid columns={{ xs: 1, sm: 2, md: 3, lg: 6 }} gap="400">
      <Figure label="Customers scored" testId="customers" value={count(report.customers)} />
      <Figure
        label="Total predicted CLV"
        testId="total-clv"
        value={money(report.totals.predictedClv, currency)}
        detail={`Historic ${money(report.totals.historicClv, currency)}`}
      />
      <Figure
        label="Median predicted CLV"
        testId="median-clv"
        value={report.medianPredictedClv === null ? '—' : money(report.medianPredictedClv, currency)}
      />
      <Figure
        label="At high churn risk"
        testId="high-churn"
        value={report.highChurnShare === null ? '—' : share(report.highChurnShare)}
        detail="of scored customers"
      />
      <Figure
        label="Model"
        testId="model"
        value={model ? modelName(model.name) : 'Not fitted yet'}
        detail={
          holdout
            ? `Hold-out error ${money(holdout.mae, currency)} per customer (MAE)`
            : model?.fallbackReason
              ? 'Heuristic: too little data for a model'
              : 'No hold-out test yet'
        }
      />
      <Figure
        label="Last refit"
        testId="refit"
        value={model ? date(model.refittedAt) : 'Never'}
        detail={`${model ? `${time(model.refittedAt)} · ` : ''}refitted nightly and after a settings change`}
      />
    </InlineGrid>
  );
}
