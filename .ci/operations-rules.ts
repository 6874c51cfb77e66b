/**
 * What the packaged CloudFormation template must keep so that a failure is seen and a secret stays sealed
 * (issue 15, items 7, 12, 17 and 20): alarms on every dead-letter queue and on every function's errors and
 * throttles, sent to a topic the deployer can subscribe to; the EventBridge dead-letter queue open to our
 * rule only; the table protected from deletion and retained; every function's concurrency reserved and
 * bounded; the HTTP API throttled; every log group with a retention; and the Shopify token key usable only
 * by the roles that store or read tokens. Returns what is missing, one line each; .ci/check-package.ts
 * fails CI on any, and test/ci/packaged-template.test.ts runs it over `serverless package --stage ci`.
 */

export type Resource = {
  Type: string;
  Properties: Record<string, unknown>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
  Condition?: string;
  DependsOn?: string | string[];
};
export type Template = { Resources: Record<string, Resource>; Conditions?: Record<string, unknown> };

/** Every function of serverless.yml, as serverless names it (`score` → `ScoreLambdaFunction`). */
export const FUNCTIONS = [
  'score',
  'refit',
  'writeback',
  'backfill',
  'shopifyWebhooks',
  'shopifyAuth',
  'salesforceOutbound',
  'salesforceEvents',
  'dashboardPage',
  'dashboardApi',
  'refitRequests',
];
const logical = (fn: string) => `${fn[0]!.toUpperCase()}${fn.slice(1)}`;

/** Each queue that only holds what failed: a message there is an item someone must look at. */
export const DEAD_LETTER_QUEUES = [
  'ScoreDeadLetterQueue',
  'WritebackDeadLetterQueue',
  'BackfillDeadLetterQueue',
  'RefitDeadLetterQueue',
  'SalesforceEventsDeadLetterQueue',
  'SalesforceEventsFailedQueue',
];

/** The roles that store (install, refresh) or read Shopify tokens, and what each may do with the key. */
export const TOKEN_KEY_USERS: Record<string, string[]> = {
  ShopifyAuthRole: ['kms:GenerateDataKey'],
  BackfillRole: ['kms:GenerateDataKey', 'kms:Decrypt'],
  WritebackRole: ['kms:GenerateDataKey', 'kms:Decrypt'],
};

/**
 * Reserved concurrency: every function capped, the sum leaving the 100 unreserved executions Lambda
 * requires within the AWS default quota of 1,000 ("Lambda quotas", Lambda Developer Guide), and the
 * webhooks' share the largest, so no other route's flood can starve them.
 */
const ACCOUNT_DEFAULT_CONCURRENCY = 1000;
const UNRESERVED_MINIMUM = 100;

type Statement = {
  Sid?: string;
  Effect: string;
  Principal?: { AWS?: unknown };
  Action: string | string[];
  Resource?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
};

const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const getAtt = (v: unknown): string | undefined => {
  const att = (v as { 'Fn::GetAtt'?: string[] } | undefined)?.['Fn::GetAtt'];
  return att ? att.join('.') : undefined;
};
const ref = (v: unknown): string | undefined => (v as { Ref?: string } | undefined)?.Ref;

export function operationsProblems(template: Template): string[] {
  const resources = template.Resources;
  const problems: string[] = [];
  const expect = (ok: boolean, what: string) => {
    if (!ok) problems.push(what);
  };
  const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);

  // The alarm topic, and the optional email subscription.
  const topics = ofType('AWS::SNS::Topic').map(([name]) => name);
  expect(topics.includes('AlarmTopic'), 'an SNS topic AlarmTopic for the alarms');
  const subscription = resources.AlarmEmailSubscription;
  expect(
    subscription?.Type === 'AWS::SNS::Subscription' &&
      subscription.Condition === 'HasAlarmEmail' &&
      ref(subscription.Properties.TopicArn) === 'AlarmTopic',
    'an email subscription to AlarmTopic when alarmEmail is set (Condition HasAlarmEmail)',
  );

  const alarms = ofType('AWS::CloudWatch::Alarm').map(([, r]) => r.Properties);
  const alarmOn = (namespace: string, metric: string, dimension: string, target: (v: unknown) => boolean) =>
    alarms.some((a) => {
      const dims = list(a.Dimensions as { Name: string; Value: unknown }[] | undefined);
      return (
        a.Namespace === namespace &&
        a.MetricName === metric &&
        a.ComparisonOperator === 'GreaterThanThreshold' &&
        a.Threshold === 0 &&
        dims.length === 1 &&
        dims[0]!.Name === dimension &&
        target(dims[0]!.Value) &&
        list(a.AlarmActions).some((action) => ref(action) === 'AlarmTopic')
      );
    });
  for (const queue of DEAD_LETTER_QUEUES) {
    expect(resources[queue]?.Type === 'AWS::SQS::Queue', `the dead-letter queue ${queue}`);
    expect(
      alarmOn(
        'AWS/SQS',
        'ApproximateNumberOfMessagesVisible',
        'QueueName',
        (v) => getAtt(v) === `${queue}.QueueName`,
      ),
      `an alarm to AlarmTopic when ${queue} holds a message (ApproximateNumberOfMessagesVisible > 0)`,
    );
  }
  // Every queue's redrive target is one of the alarmed queues: a new dead-letter queue needs its alarm too.
  for (const [name, queue] of ofType('AWS::SQS::Queue')) {
    const target = getAtt(
      (queue.Properties.RedrivePolicy as { deadLetterTargetArn?: unknown } | undefined)?.deadLetterTargetArn,
    );
    if (target)
      expect(
        DEAD_LETTER_QUEUES.includes(target.replace(/\.Arn$/, '')),
        `${name}'s dead-letter queue ${target} is alarmed (add it to DEAD_LETTER_QUEUES and alarm it)`,
      );
  }

  // `!If [ReserveConcurrency, n, !Ref AWS::NoValue]`: reserved unless the deployer turns it off.
  const reservation = (fn: string) => {
    const concurrency = resources[`${logical(fn)}LambdaFunction`]?.Properties.ReservedConcurrentExecutions as
      { 'Fn::If'?: [string, unknown, unknown] } | undefined;
    const [condition, value, otherwise] = concurrency?.['Fn::If'] ?? [];
    return condition === 'ReserveConcurrency' &&
      typeof value === 'number' &&
      value >= 1 &&
      ref(otherwise) === 'AWS::NoValue'
      ? value
      : undefined;
  };
  const webhooksReserved = reservation('shopifyWebhooks') ?? 0;
  let reserved = 0;
  for (const fn of FUNCTIONS) {
    const name = `${logical(fn)}LambdaFunction`;
    for (const metric of ['Errors', 'Throttles'])
      expect(
        alarmOn('AWS/Lambda', metric, 'FunctionName', (v) => ref(v) === name),
        `an alarm to AlarmTopic on ${fn}'s ${metric} (> 0)`,
      );
    const value = reservation(fn);
    expect(
      value !== undefined,
      `reserved concurrency for ${fn} (ReservedConcurrentExecutions: !If [ReserveConcurrency, n, !Ref AWS::NoValue])`,
    );
    reserved += value ?? 0;
    if (fn !== 'shopifyWebhooks' && value !== undefined)
      expect(value < webhooksReserved, `${fn} reserves less concurrency than shopifyWebhooks`);

    const logGroup = resources[`${logical(fn)}LogGroup`];
    expect(
      typeof logGroup?.Properties.RetentionInDays === 'number',
      `a retention on ${fn}'s log group (provider.logRetentionInDays)`,
    );
  }
  expect(
    reserved > 0 && reserved <= ACCOUNT_DEFAULT_CONCURRENCY - UNRESERVED_MINIMUM,
    `reserved concurrency summing to at most ${ACCOUNT_DEFAULT_CONCURRENCY - UNRESERVED_MINIMUM} (is ${reserved})`,
  );
  const reserveCondition = JSON.stringify(template.Conditions?.ReserveConcurrency ?? null);
  expect(
    reserveCondition.includes('Fn::Equals'),
    'a ReserveConcurrency condition (param reserveConcurrency), so a low-quota account can deploy',
  );

  // HTTP API throttling: a default for every route and a tighter one for the unauthenticated outbound route.
  const stage = resources.HttpApiStage?.Properties as
    | {
        DefaultRouteSettings?: { ThrottlingRateLimit?: number; ThrottlingBurstLimit?: number };
        RouteSettings?: Record<string, { ThrottlingRateLimit?: number; ThrottlingBurstLimit?: number }>;
      }
    | undefined;
  const limited = (s: { ThrottlingRateLimit?: number; ThrottlingBurstLimit?: number } | undefined) =>
    typeof s?.ThrottlingRateLimit === 'number' && typeof s.ThrottlingBurstLimit === 'number';
  expect(limited(stage?.DefaultRouteSettings), 'HTTP API throttling (HttpApiStage DefaultRouteSettings)');
  const outbound = stage?.RouteSettings?.['POST /salesforce/outbound'];
  const webhooks = stage?.RouteSettings?.['POST /shopify/webhooks'];
  expect(
    limited(outbound) && limited(webhooks) && outbound!.ThrottlingRateLimit! < webhooks!.ThrottlingRateLimit!,
    'route throttling on POST /salesforce/outbound below that of POST /shopify/webhooks',
  );
  const routeKeys = new Map(
    ofType('AWS::ApiGatewayV2::Route').map(([name, r]) => [String(r.Properties.RouteKey), name]),
  );
  const dependsOn = list(resources.HttpApiStage?.DependsOn);
  for (const key of Object.keys(stage?.RouteSettings ?? {}))
    expect(
      routeKeys.has(key) && dependsOn.includes(routeKeys.get(key)!),
      `HttpApiStage depends on the route ${key} its RouteSettings name`,
    );

  // The table outlives the stack.
  const table = resources.Table;
  expect(table?.Properties.DeletionProtectionEnabled === true, 'DeletionProtectionEnabled on the table');
  expect(
    table?.DeletionPolicy === 'Retain' && table.UpdateReplacePolicy === 'Retain',
    'DeletionPolicy and UpdateReplacePolicy Retain on the table',
  );

  // The EventBridge dead-letter queue accepts our rule's events only.
  const rules = ofType('AWS::Events::Rule').map(([, r]) => String(r.Properties.Name));
  const queuePolicy = resources.SalesforceEventsDeadLetterQueuePolicy?.Properties.PolicyDocument as
    { Statement: Statement[] } | undefined;
  for (const s of queuePolicy?.Statement ?? []) {
    const source = String(
      (s.Condition?.ArnEquals?.['aws:SourceArn'] as { 'Fn::Sub'?: string } | undefined)?.['Fn::Sub'] ?? '',
    );
    expect(
      rules.some((rule) => source.endsWith(`:rule/${rule}`) || source.endsWith(`/${rule}`)),
      `an aws:SourceArn condition naming our EventBridge rule (${rules.join(', ')}) on the dead-letter queue policy (has ${source || 'none'})`,
    );
  }
  expect((queuePolicy?.Statement ?? []).length > 0, 'the SalesforceEventsDeadLetterQueue policy');

  // The token key: customer-managed, rotated, retained, used only by the roles that store or read tokens.
  const key = resources.TokenKey;
  expect(key?.Type === 'AWS::KMS::Key', 'a customer-managed KMS key TokenKey for the Shopify tokens');
  expect(key?.Properties.EnableKeyRotation === true, 'key rotation on TokenKey');
  expect(
    key?.DeletionPolicy === 'Retain',
    'DeletionPolicy Retain on TokenKey (its loss unseals every token)',
  );
  const keyStatements =
    (key?.Properties.KeyPolicy as { Statement?: Statement[] } | undefined)?.Statement ?? [];
  const use = ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey', 'kms:ReEncryptFrom', 'kms:ReEncryptTo'];
  const granted = new Map<string, Set<string>>();
  for (const s of keyStatements) {
    expect(s.Effect === 'Allow', `only Allow statements in TokenKey's policy (${s.Sid ?? '?'})`);
    const actions = list(s.Action);
    expect(
      actions.every((a) => !a.includes('*')) && !actions.includes('kms:CreateGrant'),
      `no wildcard and no kms:CreateGrant in TokenKey's policy (${s.Sid ?? '?'})`,
    );
    const principals = list(s.Principal?.AWS);
    const roles = principals.map(getAtt).map((p) => p?.replace(/\.Arn$/, ''));
    if (actions.some((a) => use.includes(a) || a.startsWith('kms:GenerateDataKey'))) {
      expect(
        roles.every((r) => r !== undefined),
        `TokenKey's ${s.Sid ?? '?'} grants use to roles of this stack only (by !GetAtt Role.Arn)`,
      );
      expect(
        s.Condition?.StringEquals?.['kms:EncryptionContext:purpose'] === 'shopify-session',
        `TokenKey's ${s.Sid ?? '?'} is limited to the shopify-session encryption context`,
      );
      for (const role of roles)
        for (const a of actions) granted.set(role!, new Set([...(granted.get(role!) ?? []), a]));
    }
  }
  const same = (a: string[], b: string[]) => a.length === b.length && a.every((x) => b.includes(x));
  expect(
    same([...granted.keys()], Object.keys(TOKEN_KEY_USERS)) &&
      Object.entries(TOKEN_KEY_USERS).every(([role, actions]) =>
        same([...(granted.get(role) ?? [])], actions),
      ),
    `TokenKey usable by ${Object.entries(TOKEN_KEY_USERS)
      .map(([r, a]) => `${r} (${a.join(', ')})`)
      .join(
        ', ',
      )} only (grants ${[...granted].map(([r, a]) => `${r} (${[...a].join(', ')})`).join(', ') || 'none'})`,
  );
  // No role grants itself the key through IAM: the key policy is the one place its use is decided.
  for (const [name, role] of ofType('AWS::IAM::Role')) {
    const statements = list(
      (role.Properties.Policies as { PolicyDocument: { Statement: Statement[] } }[] | undefined) ?? [],
    ).flatMap((p) => p.PolicyDocument.Statement);
    expect(
      statements.every((s) => list(s.Action).every((a) => !a.startsWith('kms:'))),
      `no kms: action in ${name}'s IAM policy (TokenKey's key policy grants it)`,
    );
  }
  for (const [name] of ofType('AWS::IAM::Policy').concat(ofType('AWS::IAM::ManagedPolicy')))
    problems.push(`no separate IAM policy (${name}): each role's grants are inline, checked here`);
  for (const [fn, role] of [
    ['shopifyAuth', 'ShopifyAuthRole'],
    ['backfill', 'BackfillRole'],
    ['writeback', 'WritebackRole'],
  ] as const) {
    const env = (
      resources[`${logical(fn)}LambdaFunction`]?.Properties.Environment as
        { Variables?: Record<string, unknown> } | undefined
    )?.Variables;
    expect(
      getAtt(env?.CLV_TOKEN_KMS_KEY_ARN) === 'TokenKey.Arn',
      `${fn} (${role}) finds the token key in CLV_TOKEN_KMS_KEY_ARN`,
    );
  }

  return problems;
}
