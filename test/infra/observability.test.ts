import { beforeAll, describe, expect, it } from 'vitest';
import { HANDLERS } from '../../lib/handler-function.ts';
import { type Synthesized, synthesize } from './synth.ts';

type Resource = { Type: string; Properties: Record<string, any> };

let s: Synthesized;
beforeAll(() => {
  s = synthesize();
});

const scalingPolicies = () => new Set(Object.keys(s.template.findResources('AWS::ApplicationAutoScaling::ScalingPolicy')));
/** The operator's alarms: every alarm but those that drive autoscaling (their action is a scaling policy). */
const alarms = () =>
  (Object.entries(s.template.findResources('AWS::CloudWatch::Alarm')) as [string, Resource][]).filter(
    ([, a]) => !(a.Properties.AlarmActions ?? []).some((action: { Ref?: string }) => scalingPolicies().has(action.Ref ?? '')),
  );
const topicRef = () => {
  const topics = Object.keys(s.template.findResources('AWS::SNS::Topic'));
  expect(topics).toHaveLength(1);
  return { Ref: topics[0] };
};
/** The metric names an alarm watches (its own, or those of its math expression). */
const metricsOf = (a: Resource): string[] =>
  a.Properties.MetricName
    ? [a.Properties.MetricName]
    : (a.Properties.Metrics ?? []).flatMap((m: any) => (m.MetricStat ? [m.MetricStat.Metric.MetricName] : []));
const alarmsOn = (namespace: string, metricName: string) =>
  alarms().filter(([, a]) =>
    a.Properties.Namespace === namespace
      ? a.Properties.MetricName === metricName
      : (a.Properties.Metrics ?? []).some((m: any) => m.MetricStat?.Metric.Namespace === namespace && m.MetricStat.Metric.MetricName === metricName),
  );

describe('alarms', () => {
  it('every alarm notifies the alerts topic and says what to do', () => {
    expect(alarms().length).toBeGreaterThan(20);
    for (const [id, a] of alarms()) {
      expect(a.Properties.AlarmActions, id).toEqual([topicRef()]);
      expect(a.Properties.AlarmDescription, id).toMatch(/^\S+( \S+){5,}/);
      expect(metricsOf(a).length, id).toBeGreaterThan(0);
    }
  });

  it('watches errors and throttles of every handler function', () => {
    const functions = Object.entries(s.template.findResources('AWS::Lambda::Function')).filter(
      ([, f]) => f.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME,
    );
    expect(functions).toHaveLength(HANDLERS.length);
    for (const metric of ['Errors', 'Throttles']) {
      const watched = alarmsOn('AWS/Lambda', metric).map(([, a]) => a.Properties.Dimensions[0].Value.Ref);
      expect(watched.sort(), metric).toEqual(functions.map(([id]) => id).sort());
    }
  });

  it('watches every DLQ, the API, the encoder, the table and the Ollama service', () => {
    const dlqs = Object.entries(s.template.findResources('AWS::SQS::Queue')).filter(([id]) => id.includes('Dlq'));
    expect(dlqs).toHaveLength(5);
    // The dead-letter Lambda empties the pipeline's DLQs within seconds: their alarms count the messages received from
    // them. Nothing reads the shoppers DLQ: its alarm watches its depth.
    const dlqOf = ([, a]: [string, Resource]) => a.Properties.Dimensions[0].Value['Fn::GetAtt'][0];
    const dlqAlarms = [
      ...alarmsOn('AWS/SQS', 'NumberOfMessagesReceived').map(dlqOf),
      ...alarmsOn('AWS/SQS', 'ApproximateNumberOfMessagesVisible').map(dlqOf),
    ];
    expect(alarmsOn('AWS/SQS', 'ApproximateNumberOfMessagesVisible').map(dlqOf)).toEqual([expect.stringMatching(/^ShoppersLogsDlq/)]);
    expect(dlqAlarms.sort()).toEqual(dlqs.map(([id]) => id).sort());
    expect(alarmsOn('AWS/ApiGateway', '5xx')).toHaveLength(1);
    expect(alarmsOn('AWS/ApiGateway', 'Latency')).toHaveLength(1);
    expect(alarmsOn('AWS/SageMaker', 'Invocation5XXErrors')).toHaveLength(1);
    expect(alarmsOn('AWS/SageMaker', 'ModelError')).toHaveLength(1);
    expect(alarmsOn('AWS/DynamoDB', 'WriteThrottleEvents')).toHaveLength(1);
    expect(alarmsOn('AWS/DynamoDB', 'ReadThrottleEvents')).toHaveLength(1);
    expect(alarmsOn('ECS/ContainerInsights', 'RunningTaskCount')).toHaveLength(1);
    expect(alarmsOn('AWS/SQS', 'ApproximateAgeOfOldestMessage')).toHaveLength(1);
  });
});

describe('dashboard', () => {
  it('is one dashboard showing every alarm, the queues, the functions, the API, the table, the encoder and the LLM', () => {
    const dashboards = Object.values(s.template.findResources('AWS::CloudWatch::Dashboard')) as Resource[];
    expect(dashboards).toHaveLength(1);
    const body = JSON.stringify(s.stack.resolve(dashboards[0].Properties.DashboardBody));
    for (const [id] of alarms()) expect(body, id).toContain(id);
    for (const metric of [
      'RowsIngested',
      'JobsDone',
      'Invocations',
      'Duration',
      'ConsumedWriteCapacityUnits',
      'ModelLatency',
      'Latency',
      'ApproximateAgeOfOldestMessage',
    ]) {
      expect(body, metric).toContain(metric);
    }
  });
});

describe('cdk-nag', () => {
  it('has no unacknowledged AwsSolutions finding', () => {
    expect(s.nagFindings).toEqual([]);
  });
});
