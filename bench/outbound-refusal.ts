/**
 * The cost of refusing an unauthenticated outbound message (issue 15, item 7): the 95 KB body of 1,000
 * `xmlns:` declarations over 20,000 elements, posted with a token that opens no workspace, through the
 * production handler against DynamoDB Local, one at a time, in its own process. Then the largest message
 * the deployed action sends, with the right token (what a real one costs), and the callback-URL org check
 * on the longest URL it takes. Prints one JSON line: medians in ms, bytes, the machine.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { cpus, loadavg } from 'node:os';
import * as outbound from '../functions/salesforce-outbound.ts';
import { issueOutboundToken } from '../integrations/salesforce/outbound-token.ts';
import { createTable, startDynamoDbLocal } from '../local/dynamodb-local.ts';
import { createStore } from '../shared/store/store.ts';
import { putTenant } from '../shared/store/tenants.ts';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { apiEvent } from '../test/helpers/api-event.ts';
import { to18 } from '../sandbox/salesforce/ids.ts';
import { largestOutboundMessage, namespaceFloodBody } from '../test/helpers/outbound-bodies.ts';

const runs = Number(process.argv[2] ?? 20);
const ORG = to18('00D000000BENCH1');

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const dynamo = await startDynamoDbLocal();
try {
  await createTable(dynamo.endpoint, 'clv-bench');
  const store = createStore({ tableName: 'clv-bench', endpoint: dynamo.endpoint });
  const token = issueOutboundToken();
  await putTenant(store, {
    tenantId: 'bench',
    salesforceOrgId: ORG,
    currency: 'USD',
    salesforceOutboundTokenHash: token.hash,
  });
  const handler = outbound.createSalesforceOutboundHandler({
    store,
    logger: new Logger({ serviceName: 'bench', logLevel: 'SILENT' }),
    enqueue: async () => {},
  });
  const post = (body: string, query: string) =>
    handler(apiEvent({ method: 'POST', path: '/salesforce/outbound', query, body }));

  const flood = namespaceFloodBody(ORG);
  const wrong = `token=${issueOutboundToken().token}`;
  // The first call pays for module loading and the first DynamoDB connection; not counted.
  await post(flood, wrong);
  const refusals: number[] = [];
  const cpu: number[] = [];
  const statuses = new Set<number>();
  let peakRss = process.memoryUsage().rss;
  for (let i = 0; i < runs; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const answer = await post(flood, wrong);
    refusals.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
    statuses.add(answer.statusCode ?? 0);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }
  // What one consistent GetItem costs on this machine now: the refusal is one (the token route's lookup).
  const reads: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await store.doc.send(
      new GetCommand({ TableName: store.table, Key: { pk: 'BENCH', sk: String(i) }, ConsistentRead: true }),
    );
    reads.push(performance.now() - t0);
  }

  const largest = largestOutboundMessage(ORG, { escaped: true });
  const accepted: number[] = [];
  for (let i = 0; i < 3; i++) {
    const body = largestOutboundMessage(ORG, { escaped: true });
    const t0 = performance.now();
    const answer = await post(body, `token=${token.token}`);
    accepted.push(performance.now() - t0);
    statuses.add(answer.statusCode ?? 0);
  }

  // The org check of the callback URLs on the longest URL it reads, and on a hostile one it refuses
  // (many "/00D…?" starts and a newline before the end: the shape that made the old pattern backtrack).
  const org15 = ORG.slice(0, 15);
  const longest = `https://x.my.salesforce.com${'/00D'.repeat(495)}/${org15}`;
  const hostile = `https://x.my.salesforce.com${`/${org15}?`.repeat(5_000)}\nx`;
  const urlTimes = (url: string) => {
    const check = (outbound as { urlOrgIds?: (m: { enterpriseUrl: string; partnerUrl: string }) => unknown })
      .urlOrgIds;
    if (!check) return null;
    const times: number[] = [];
    for (let i = 0; i < 50; i++) {
      const t0 = performance.now();
      check({ enterpriseUrl: url, partnerUrl: url });
      times.push(performance.now() - t0);
    }
    return median(times);
  };

  // The pattern the check used before (issue 15, item 8), on the same hostile URL, for comparison.
  const before = /\/(00D[0-9A-Za-z]{12}(?:[0-9A-Za-z]{3})?)\/?(?:[?#].*)?$/;
  const t0 = performance.now();
  before.exec(hostile);
  const oldPatternHostileMs = performance.now() - t0;

  console.log(
    JSON.stringify({
      machine: `${cpus()[0]?.model ?? 'unknown CPU'} (${cpus().length} cores, shared), node ${process.version}`,
      floodBytes: flood.length,
      unauthenticatedRuns: runs,
      unauthenticatedMedianMs: median(refusals),
      unauthenticatedMaxMs: Math.max(...refusals),
      unauthenticatedCpuMedianMs: median(cpu),
      getItemMedianMs: median(reads),
      loadAverage: loadavg()[0],
      peakRssMiB: peakRss / 2 ** 20,
      statuses: [...statuses].sort(),
      largestMessageBytes: largest.length,
      largestMessageMedianMs: median(accepted),
      maxOutboundBytes: outbound.MAX_OUTBOUND_BYTES,
      urlCheckLongestMs: urlTimes(longest),
      urlCheckHostileMs: urlTimes(hostile),
      oldPatternHostileMs,
      urlLengths: { longest: longest.length, hostile: hostile.length },
    }),
  );
} finally {
  await dynamo.stop();
}
