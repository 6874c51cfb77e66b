/**
 * The fault matrix (issue 15): at every DynamoDB and SQS call of each path,
 * each failure AWS documents for it (fault-matrix/faults.ts), then the
 * redelivery AWS or the CRM makes, then the invariant (fault-matrix/
 * invariant.ts): every accepted order stored at its newest version, every
 * customer with orders scored from all of them, every changed field on its
 * way to the CRM or written there once — or the failure visible in a
 * dead-letter queue with its reason. Each path's figures are printed:
 * boundaries, faults tried, items lost.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { recordFigures } from './figures.ts';
import type { MatrixPath, MatrixReport } from './fault-matrix/world.ts';
import { runMatrix } from './fault-matrix/world.ts';
import { concurrentDeliveries, webhookPath } from './fault-matrix/webhook.ts';
import { concurrentScorings, refitPath, scoringPath } from './fault-matrix/scoring.ts';
import { backfillPath, stopShopifyWorld } from './fault-matrix/backfill.ts';
import {
  changeEventPath,
  outboundPath,
  stopSalesforceWorld,
  writebackPath,
} from './fault-matrix/salesforce.ts';

function figures(r: MatrixReport) {
  recordFigures('fault-matrix', {
    [r.path]: {
      boundaries: r.boundaries,
      boundariesTried: r.boundariesTried,
      faultsTried: r.faultsTried,
      byFault: r.byFault,
      notReached: r.notReached,
      itemsLost: r.itemsLost,
      visibleFailures: r.visible,
      fieldsRewritten: r.rewritten,
    },
  });
  if (r.losses.length) console.log(`fault-matrix ${r.path} losses:\n  ${r.losses.join('\n  ')}`);
  if (process.env.FAULT_MATRIX_CALLS) console.log(`fault-matrix ${r.path} calls:\n  ${r.calls.join('\n  ')}`);
}

async function matrix(path: MatrixPath) {
  const report = await runMatrix(path);
  figures(report);
  expect(report.boundaries).toBeGreaterThan(0);
  expect(report.losses).toEqual([]);
  expect(report.itemsLost).toBe(0);
}

describe('fault matrix: every call of every path, every documented failure, then redelivery', () => {
  afterAll(async () => {
    await stopSalesforceWorld();
    await stopShopifyWorld();
  });

  it('webhook (Shopify orders/*)', { timeout: 120_000 }, () => matrix(webhookPath));
  it('outbound (Salesforce outbound messages)', { timeout: 120_000 }, () => matrix(outboundPath));
  it('change event (Salesforce CDC via EventBridge)', { timeout: 120_000 }, () => matrix(changeEventPath));
  it('backfill (Shopify bulk export, cut and resumed)', { timeout: 300_000 }, () => matrix(backfillPath));
  it('scoring (score queue consumer)', { timeout: 120_000 }, () => matrix(scoringPath));
  it('refit (scheduled, one tenant)', { timeout: 120_000 }, () => matrix(refitPath));
  it('write-back (Salesforce Contacts)', { timeout: 120_000 }, () => matrix(writebackPath));

  it(
    'concurrent deliveries of one order: create, paid, updated at once, newest first',
    { timeout: 60_000 },
    async () => {
      const { lost, conflicts } = await concurrentDeliveries(8);
      recordFigures('fault-matrix', {
        concurrentDeliveries: { rounds: 8, deliveries: 24, retried: conflicts, itemsLost: lost.length },
      });
      expect(lost).toEqual([]);
    },
  );

  it(
    'concurrent scorings of one customer: the one that read fewer orders writes last',
    { timeout: 60_000 },
    async () => {
      const { lost } = await concurrentScorings('concurrent-scoring');
      recordFigures('fault-matrix', { concurrentScorings: { runs: 1, itemsLost: lost.length } });
      expect(lost).toEqual([]);
    },
  );
});
