import { DescribeExecutionCommand, type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { newVersionName } from '../../model/registry.ts';
import type { Retrainer, TrainingRun } from '../../ports.ts';

const STATUS: Record<string, TrainingRun['status']> = { RUNNING: 'running', PENDING_REDRIVE: 'running', SUCCEEDED: 'succeeded' };

/** Retraining on AWS: starts the retraining state machine (export → train → evaluate → promote) on demand. */
export class StepFunctionsRetrainer implements Retrainer {
  constructor(private readonly opts: { sfn: SFNClient; stateMachineArn: string }) {}

  async start(): Promise<TrainingRun> {
    // The execution name is the challenger's version name, as the scheduled runs do.
    const name = newVersionName();
    const res = await this.opts.sfn.send(
      new StartExecutionCommand({ stateMachineArn: this.opts.stateMachineArn, name, input: JSON.stringify({ trigger: 'api' }) }),
    );
    return { id: res.executionArn!, status: 'running', startedAt: (res.startDate ?? new Date()).toISOString(), detail: res.executionArn };
  }

  async get(id: string): Promise<TrainingRun | null> {
    if (!id.startsWith('arn:')) return null;
    try {
      const e = await this.opts.sfn.send(new DescribeExecutionCommand({ executionArn: id }));
      return {
        id,
        status: STATUS[e.status ?? ''] ?? 'failed',
        startedAt: (e.startDate ?? new Date()).toISOString(),
        finishedAt: e.stopDate?.toISOString(),
        detail: id,
        error: e.error ? `${e.error}: ${e.cause ?? ''}`.trim() : undefined,
      };
    } catch (err) {
      if ((err as Error).name === 'ExecutionDoesNotExist') return null;
      throw err;
    }
  }
}
