import { Duration, Stack } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { HandlerFunction } from './handler-function.ts';
import { WorkQueue } from './queues.ts';
import { TABLE_KEYS } from './table.ts';

/** The application metrics the handlers publish (Powertools EMF: functions/pipeline/*.ts), shown on the dashboard. */
export const APP_METRICS = ['RowsIngested', 'RowsRejected', 'RowsSentToLlm', 'RowsOutput', 'JobsDone', 'JobsFailed'] as const;

export interface ObservabilityProps {
  /** Where every alarm notifies (the alerts topic). */
  readonly topic: sns.ITopic;
  readonly table: dynamodb.ITable;
  readonly api: apigw.HttpApi;
  /** The encoder endpoint, when the tier is deployed. */
  readonly encoderEndpointName?: string;
  readonly encoderVariantName?: string;
  /** The Ollama service and the queue it drains, when the LLM tier is deployed. */
  readonly llm?: { readonly cluster: ecs.ICluster; readonly service: ecs.BaseService; readonly queue: sqs.IQueue };
  /** POWERTOOLS_METRICS_NAMESPACE and POWERTOOLS_SERVICE_NAME of the handlers (their metrics' namespace and dimension). */
  readonly metricsNamespace: string;
  readonly serviceName: string;
}

const FIVE_MINUTES = Duration.minutes(5);

/**
 * Alarms on every signal an operator acts on, all notifying the alerts topic, and one dashboard. Built last in
 * the stack: it watches every HandlerFunction and WorkQueue found there (the DLQ alarms live with their queues,
 * lib/queues.ts), so a function or queue added later is watched without wiring.
 */
export class Observability extends Construct {
  /** The alarms made here (the DLQ alarms are WorkQueue's). */
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly dashboard: cloudwatch.Dashboard;
  private readonly topicAction: actions.SnsAction;

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    this.topicAction = new actions.SnsAction(props.topic);
    const stack = Stack.of(this);
    const functions = stack.node.findAll().filter((c): c is HandlerFunction => c instanceof HandlerFunction);
    const queues = stack.node.findAll().filter((c): c is WorkQueue => c instanceof WorkQueue);

    for (const f of functions) this.functionAlarms(f);
    this.apiAlarms(props.api);
    if (props.encoderEndpointName) this.encoderAlarms(props.encoderEndpointName, props.encoderVariantName ?? 'AllTraffic');
    this.tableAlarm(props.table);
    if (props.llm) this.llmAlarms(props.llm);

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `${stack.stackName}-operations`,
      defaultInterval: Duration.hours(3),
    });
    this.dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({
        title: 'Alarms',
        alarms: [...this.alarms, ...queues.map((q) => q.dlqAlarm)],
        width: 24,
        height: 6,
      }),
    );
    this.dashboard.addWidgets(...this.pipelineWidgets(functions, queues, props));
    this.dashboard.addWidgets(...this.serviceWidgets(props));
  }

  private alarm(id: string, props: cloudwatch.AlarmProps): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, id, { treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING, ...props });
    alarm.addAlarmAction(this.topicAction);
    this.alarms.push(alarm);
    return alarm;
  }

  /** Any invocation error or throttle of one of our functions. */
  private functionAlarms(f: HandlerFunction): void {
    const name = f.node.id;
    const once = { threshold: 1, evaluationPeriods: 1, comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD };
    this.alarm(`${name}Errors`, {
      ...once,
      alarmDescription: `${name} failed an invocation: read its log group (level ERROR, message "invocation failed").`,
      metric: f.fn.metricErrors({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.SUM }),
    });
    this.alarm(`${name}Throttles`, {
      ...once,
      alarmDescription: `${name} was throttled: the account's Lambda concurrency is exhausted (raise the quota or lower maxConcurrency).`,
      metric: f.fn.metricThrottles({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.SUM }),
    });
  }

  /** 5xx answers, and a slow API (p95 over 5 s for 15 minutes). */
  private apiAlarms(api: apigw.HttpApi): void {
    this.alarm('Api5xx', {
      alarmDescription: 'The API answered 5xx: read the api function log group and the API access logs.',
      metric: api.metricServerError({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.SUM }),
      threshold: 5,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    });
    this.alarm('ApiLatency', {
      alarmDescription: 'API p95 latency above 5 s for 15 minutes (synchronous classify waits on the encoder or the store).',
      metric: api.metricLatency({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.p(95) }),
      threshold: 5_000,
      evaluationPeriods: 3,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    });
  }

  /** The encoder endpoint's own errors (5xx: the container failed) and the model's (ModelError). */
  private encoderAlarms(endpointName: string, variantName: string): void {
    const metric = (metricName: string) =>
      new cloudwatch.Metric({
        namespace: 'AWS/SageMaker',
        metricName,
        dimensionsMap: { EndpointName: endpointName, VariantName: variantName },
        period: FIVE_MINUTES,
        statistic: cloudwatch.Stats.SUM,
      });
    const once = { threshold: 1, evaluationPeriods: 1, comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD };
    this.alarm('Encoder5xx', {
      ...once,
      alarmDescription: 'The encoder endpoint answered 5xx: read /aws/sagemaker/Endpoints/<endpoint> (the container logs its provider at start).',
      metric: metric('Invocation5XXErrors'),
    });
    this.alarm('EncoderModelErrors', {
      ...once,
      alarmDescription: 'The encoder model raised errors: a promoted model may not match the container (roll back, docs/aws.md).',
      metric: metric('ModelError'),
    });
  }

  /** Throttled reads or writes on the table or its index, sustained for 15 minutes (brief bursts are retried). */
  private tableAlarm(table: dynamodb.ITable): void {
    const metric = (metricName: string, index?: string) =>
      new cloudwatch.Metric({
        namespace: 'AWS/DynamoDB',
        metricName,
        dimensionsMap: index ? { TableName: table.tableName, GlobalSecondaryIndexName: index } : { TableName: table.tableName },
        period: FIVE_MINUTES,
        statistic: cloudwatch.Stats.SUM,
      });
    this.alarm('TableThrottles', {
      alarmDescription: 'DynamoDB throttled the table for 15 minutes: writes back off and slow jobs (docs/aws-scale.md).',
      metric: new cloudwatch.MathExpression({
        expression: 'reads + writes + indexWrites',
        label: 'throttle events',
        period: FIVE_MINUTES,
        usingMetrics: {
          reads: metric('ReadThrottleEvents'),
          writes: metric('WriteThrottleEvents'),
          indexWrites: metric('WriteThrottleEvents', TABLE_KEYS.gsi),
        },
      }),
      threshold: 1,
      evaluationPeriods: 3,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    });
  }

  /** The Ollama service: tasks it wants but cannot keep running, and an LLM queue nobody drains. */
  private llmAlarms(llm: NonNullable<ObservabilityProps['llm']>): void {
    const insight = (metricName: string) =>
      new cloudwatch.Metric({
        namespace: 'ECS/ContainerInsights',
        metricName,
        dimensionsMap: { ClusterName: llm.cluster.clusterName, ServiceName: llm.service.serviceName },
        period: FIVE_MINUTES,
        statistic: cloudwatch.Stats.MINIMUM,
      });
    this.alarm('OllamaUnhealthy', {
      alarmDescription:
        'The Ollama service ran fewer tasks than it wants for 15 minutes: no GPU capacity, or tasks failing their health check (ECS service events).',
      metric: new cloudwatch.MathExpression({
        expression: 'desired - running',
        label: 'missing LLM tasks',
        period: FIVE_MINUTES,
        usingMetrics: { desired: insight('DesiredTaskCount'), running: insight('RunningTaskCount') },
      }),
      threshold: 1,
      evaluationPeriods: 3,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    });
    this.alarm('LlmQueueStale', {
      alarmDescription: 'An LLM queue message has waited 30 minutes: the Ollama service is not draining the queue (scale-up failed or stuck).',
      metric: llm.queue.metricApproximateAgeOfOldestMessage({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.MAXIMUM }),
      threshold: 30 * 60,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    });
  }

  /** Rows through the pipeline, queues and DLQs, and each function's invocations, errors and duration. */
  private pipelineWidgets(functions: HandlerFunction[], queues: WorkQueue[], props: ObservabilityProps): cloudwatch.IWidget[] {
    const app = (metricName: string) =>
      new cloudwatch.Metric({
        namespace: props.metricsNamespace,
        metricName,
        dimensionsMap: { service: props.serviceName },
        period: FIVE_MINUTES,
        statistic: cloudwatch.Stats.SUM,
      });
    const perFunction = (title: string, metric: (f: HandlerFunction, i: number) => cloudwatch.IMetric) =>
      new cloudwatch.GraphWidget({ title, width: 8, left: functions.map(metric) });
    const sum = { period: FIVE_MINUTES, statistic: cloudwatch.Stats.SUM };
    return [
      new cloudwatch.GraphWidget({ title: 'Rows and jobs', width: 12, left: APP_METRICS.map(app) }),
      new cloudwatch.GraphWidget({
        title: 'Queues: waiting (left), dead letters (right)',
        width: 12,
        left: queues.map((q) => q.queue.metricApproximateNumberOfMessagesVisible({ label: q.node.id, period: FIVE_MINUTES })),
        right: queues.map((q) => q.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ label: `${q.node.id} DLQ`, period: FIVE_MINUTES })),
      }),
      perFunction('Lambda invocations', (f) => f.fn.metricInvocations({ ...sum, label: f.node.id })),
      // Ids unique within the graph: one expression per function.
      perFunction(
        'Lambda errors and throttles',
        (f, i) =>
          new cloudwatch.MathExpression({
            expression: `e${i} + t${i}`,
            label: f.node.id,
            period: FIVE_MINUTES,
            usingMetrics: { [`e${i}`]: f.fn.metricErrors(sum), [`t${i}`]: f.fn.metricThrottles(sum) },
          }),
      ),
      perFunction('Lambda duration p95', (f) => f.fn.metricDuration({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.p(95), label: f.node.id })),
    ];
  }

  /** The API, the table, the encoder and the LLM service. */
  private serviceWidgets(props: ObservabilityProps): cloudwatch.IWidget[] {
    const sum = { period: FIVE_MINUTES, statistic: cloudwatch.Stats.SUM };
    const widgets: cloudwatch.IWidget[] = [
      new cloudwatch.GraphWidget({
        title: 'API requests, 4xx, 5xx (left), p95 latency ms (right)',
        width: 8,
        left: [props.api.metricCount(sum), props.api.metricClientError(sum), props.api.metricServerError(sum)],
        right: [props.api.metricLatency({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.p(95) })],
      }),
      new cloudwatch.GraphWidget({
        title: 'DynamoDB consumed capacity',
        width: 8,
        left: [props.table.metricConsumedWriteCapacityUnits(sum), props.table.metricConsumedReadCapacityUnits(sum)],
      }),
    ];
    if (props.encoderEndpointName) {
      const sm = (metricName: string, statistic: string) =>
        new cloudwatch.Metric({
          namespace: 'AWS/SageMaker',
          metricName,
          dimensionsMap: { EndpointName: props.encoderEndpointName!, VariantName: props.encoderVariantName ?? 'AllTraffic' },
          period: FIVE_MINUTES,
          statistic,
        });
      widgets.push(
        new cloudwatch.GraphWidget({
          title: 'Encoder invocations and errors (left), model latency p95 µs (right)',
          width: 8,
          left: [sm('Invocations', 'Sum'), sm('Invocation4XXErrors', 'Sum'), sm('Invocation5XXErrors', 'Sum'), sm('ModelError', 'Sum')],
          right: [sm('ModelLatency', 'p95')],
        }),
      );
    }
    if (props.llm) {
      widgets.push(
        new cloudwatch.GraphWidget({
          title: 'LLM queue backlog (left), age of oldest message s (right)',
          width: 8,
          left: [props.llm.queue.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES })],
          right: [props.llm.queue.metricApproximateAgeOfOldestMessage({ period: FIVE_MINUTES })],
        }),
      );
    }
    return widgets;
  }
}
