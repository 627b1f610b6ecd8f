/**
 * Lambda's SQS event source, played by a test against an emulator: a queue with its DLQ, one poll (receive up to
 * 10, invoke the handler with an SQS event, delete what did not fail, make the failures visible again at once)
 * and a queue's depth.
 */
import {
  ChangeMessageVisibilityBatchCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';

export interface QueuePair {
  url: string;
  dlqUrl: string;
}

/** A queue whose messages go to its DLQ after `maxReceiveCount` receives. */
export async function queueWithDlq(sqs: SQSClient, name: string, maxReceiveCount = 2): Promise<QueuePair> {
  const dlq = await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }));
  const dlqArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn;
  const q = await sqs.send(
    new CreateQueueCommand({ QueueName: name, Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount }) } }),
  );
  return { url: q.QueueUrl!, dlqUrl: dlq.QueueUrl! };
}

export type SqsLambda = (e: SQSEvent) => Promise<SQSBatchResponse>;

/**
 * One Lambda-style poll: receive up to 10, invoke, delete what did not fail. `keep` names messages to leave
 * undeleted although they succeeded (a Lambda that died after the work: SQS delivers them again). Returns how
 * many were received.
 */
export async function pollOnce(
  sqs: SQSClient,
  url: string,
  handler: SqsLambda,
  seen: Message[],
  keep: (m: Message) => boolean = () => false,
): Promise<number> {
  // Invisible for longer than a batch takes on a loaded machine: a message still being handled must not come back
  // (and count as a second receive) before the handler is done with it.
  const got = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: 120, AttributeNames: ['All'] }),
  );
  const messages = got.Messages ?? [];
  if (!messages.length) return 0;
  seen.push(...messages);
  const event: SQSEvent = {
    Records: messages.map((m) => ({
      messageId: m.MessageId!,
      receiptHandle: m.ReceiptHandle!,
      body: m.Body!,
      attributes: {
        ApproximateReceiveCount: m.Attributes?.ApproximateReceiveCount ?? '1',
        SentTimestamp: m.Attributes?.SentTimestamp ?? '0',
        SenderId: 'moto',
        ApproximateFirstReceiveTimestamp: '0',
      },
      messageAttributes: {},
      md5OfBody: m.MD5OfBody ?? '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:queue',
      awsRegion: 'us-east-1',
    })),
  };
  const res = await handler(event);
  const failed = new Set(res.batchItemFailures.map((f) => f.itemIdentifier));
  const retry = messages.filter((m) => failed.has(m.MessageId!) || keep(m));
  const done = messages.filter((m) => !retry.includes(m));
  if (retry.length) {
    await sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: url,
        Entries: retry.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle!, VisibilityTimeout: 0 })),
      }),
    );
  }
  if (done.length) {
    await sqs.send(
      new DeleteMessageBatchCommand({ QueueUrl: url, Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }),
    );
  }
  return messages.length;
}

/** Messages in a queue, visible or in flight. */
export async function depth(sqs: SQSClient, url: string): Promise<number> {
  const out = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
  );
  return Number(out.Attributes!.ApproximateNumberOfMessages) + Number(out.Attributes!.ApproximateNumberOfMessagesNotVisible);
}
