import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** SQS asks for a visibility timeout of at least six times the consumer's timeout (Lambda guidance). */
export const VISIBILITY_FACTOR = 6;
/** The dead-letter Lambda's timeout: it records one message against its job (a few small writes). */
export const DEAD_LETTER_CONSUMER_TIMEOUT = Duration.minutes(1);

export interface WorkQueueProps {
  /** How long one consumer invocation may take; the queue's visibility timeout is six times that. */
  readonly consumerTimeout: Duration;
  /** Deliveries before a message is parked in the DLQ. */
  readonly maxReceiveCount?: number;
  /** Where the dead-letter alarm notifies. */
  readonly alarmTopic: sns.ITopic;
  /**
   * What the dead-letter alarm tells the operator, when it is not the pipeline's (the dead-letter Lambda reads those
   * DLQs); such a DLQ has no reader, so its alarm watches its depth instead.
   */
  readonly unreadDlq?: { readonly alarmDescription: string };
}

/**
 * A work queue with its dead-letter queue and an alarm as soon as anything lands in the DLQ. The dead-letter
 * Lambda takes messages off the DLQ within seconds (the depth is never seen by a one-minute metric), so the alarm
 * counts the messages received from it instead.
 */
export class WorkQueue extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly dlqAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: WorkQueueProps) {
    super(scope, id);
    const common = { encryption: sqs.QueueEncryption.SQS_MANAGED, enforceSSL: true } satisfies sqs.QueueProps;
    this.deadLetterQueue = new sqs.Queue(this, 'Dlq', {
      ...common,
      retentionPeriod: Duration.days(14),
      visibilityTimeout: Duration.seconds(DEAD_LETTER_CONSUMER_TIMEOUT.toSeconds() * VISIBILITY_FACTOR),
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      ...common,
      retentionPeriod: Duration.days(4),
      visibilityTimeout: Duration.seconds(props.consumerTimeout.toSeconds() * VISIBILITY_FACTOR),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount ?? 5 },
    });
    const unread = props.unreadDlq;
    this.dlqAlarm = new cloudwatch.Alarm(this, 'DlqAlarm', {
      alarmDescription:
        unread?.alarmDescription ??
        `Messages reached the ${id} dead-letter queue: their jobs end partial or failed (GET /v1/jobs/{id} says why); \`aisle aws redrive JOB\` sends failed chunks again.`,
      metric: unread
        ? this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: cloudwatch.Stats.MAXIMUM })
        : this.deadLetterQueue.metricNumberOfMessagesReceived({ period: Duration.minutes(1), statistic: cloudwatch.Stats.SUM }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.dlqAlarm.addAlarmAction(new actions.SnsAction(props.alarmTopic));
  }
}
